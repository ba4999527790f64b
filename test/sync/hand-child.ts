/**
 * A child spoken by hand over an in-memory link, for what an honest child never does: open an object
 * twice, acknowledge nothing, ask for full states again and again, reopen an object claiming a version.
 * It is the link protocol's child endpoint with outbound checks off; each object session records what the
 * parent sent on it.
 */
import { createSessionMux, type CarrierSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import type { LocalNode, ObjectDescriptor, TagDescriptor } from "../../lib/index.js";
import type { Version } from "../../lib/state/version.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import type { LinkLimitEvent } from "../../lib/sync/link-limits.js";
import type { ObjectSession } from "../../lib/sync/messages.js";
import type { AckPayload } from "../../lib/sync/object-session.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { type PlainState, PlainStateReader } from "./wire/plain-states.js";
import { createMemoryCarrierPair, type MemoryLink } from "../../transports/memory-carrier.js";

/** One object session of a hand-spoken child: what the parent sent on it. */
export class HandSession {
  /** The states the parent sent, read as plain objects. */
  readonly states: PlainState[] = [];
  private readonly reader: PlainStateReader;
  /** The reasons of the Denied messages the parent sent. */
  readonly denials: string[] = [];
  /** Assign, Release, Need, Unneed, Closed, Denied and Granted (with their access), in order. */
  readonly decisions: string[] = [];
  /** The epoch each Assign named (absent: 0), in order. */
  readonly assignedEpochs: number[] = [];
  /** The acknowledgements the parent sent of the child's states. */
  readonly acks: AckPayload[] = [];
  /** The fault the session ended with (a refusal), once it ended. */
  ended: { readonly error: Error | undefined } | undefined;

  /** @param have the version the child claimed it holds when it opened the session */
  constructor(
    readonly session: ObjectSession<"Down">,
    have?: Version,
  ) {
    this.reader = new PlainStateReader(have);
    const record = (label: string) => () => void this.decisions.push(label);
    session.lane("down").serve({
      Assign: ({ epoch }: { epoch?: number }) => {
        this.decisions.push("Assign");
        this.assignedEpochs.push(epoch ?? 0);
      },
      Release: record("Release"),
      Need: record("Need"),
      Unneed: record("Unneed"),
      Closed: record("Closed"),
      Denied: ({ access, reason }: { access: string; reason?: string }) => {
        this.decisions.push(`Denied ${access}`);
        this.denials.push(reason ?? "");
      },
      Granted: ({ access }: { access: string }) => void this.decisions.push(`Granted ${access}`),
      StateDown: (state: WireState) => void this.states.push(this.reader.read(state)),
      AckDown: (ack: AckPayload) => void this.acks.push(ack),
    });
    void session.closed.then((error) => (this.ended = { error }));
  }

  /** States that carried the data in full. */
  get fullStates(): PlainState[] {
    return this.states.filter((state) => state.d !== undefined);
  }

  ack(ack: AckPayload): void {
    this.session.lane("up").send("AckUp", ack);
  }

  close(): void {
    this.session.lane("up").send("Close", {});
  }
}

/** A hand-spoken child linked to `root` over a memory link; `events` are the parent link's limit events. */
export class HandChild {
  readonly memory: MemoryLink;
  /** The parent's end of the connection (what is queued toward the child). */
  readonly parentMux: CarrierSessionMux;
  readonly parent: DownstreamLink;
  readonly events: LinkLimitEvent[] = [];
  /** Keys of the objects the parent announced, in order. */
  readonly announced: string[] = [];
  /** Keys of the objects the parent withdrew, in order. */
  readonly withdrawn: string[] = [];
  /** TagDenied and TagGranted the parent sent, as text. */
  readonly tagDecisions: string[] = [];
  /** Refreshed answers received. */
  refreshed = 0;
  /** The parent's Farewell, once it left. */
  farewell: { readonly reason: string; readonly refused?: boolean } | undefined;
  readonly endpoint;
  #nextSession = 1;

  private constructor(root: LocalNode, options: DownstreamLinkOptions) {
    this.memory = createMemoryCarrierPair();
    this.parentMux = createSessionMux(this.memory.b);
    this.parent = new DownstreamLink(root, this.parentMux, { ...options, onLimit: (event) => this.events.push(event) });
    this.endpoint = createEndpoint(downProgram, createSessionMux(this.memory.a), { checkOutbound: false, tap: null });
    this.endpoint.lane("decisions").serve({
      Announce: ({ object }) => void this.announced.push(object.key),
      Withdraw: ({ object }) => void this.withdrawn.push(object.key),
      Synced: () => {},
      Pong: () => {},
      Refreshed: () => void this.refreshed++,
      TagDenied: ({ tag, access, reason }) => void this.tagDecisions.push(`TagDenied ${access} ${tag.key}: ${reason ?? ""}`),
      TagGranted: ({ tag, access }) => void this.tagDecisions.push(`TagGranted ${access} ${tag.key}`),
      Farewell: (farewell) => void (this.farewell = farewell),
    });
  }

  /** Links a hand-spoken child named `name` to `root` and says Hello; resolves once welcomed. */
  static async link(root: LocalNode, name: string, options: DownstreamLinkOptions = {}, token?: string): Promise<HandChild> {
    const { child, answer } = await HandChild.hello(root, name, options, token);
    if (answer.label !== "Welcome") throw new Error(`the parent answered ${answer.label}: ${JSON.stringify(answer.payload)}`);
    return child;
  }

  /** Says Hello as `name` (with `token`, if any) and returns the child with the parent's answer (Welcome or Refuse). */
  static async hello(
    root: LocalNode,
    name: string,
    options: DownstreamLinkOptions = {},
    token?: string,
  ): Promise<{ child: HandChild; answer: { label: string; payload: unknown } }> {
    const child = new HandChild(root, options);
    const hello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: name, resume: name };
    child.endpoint.send("Hello", token === undefined ? hello : { ...hello, token });
    const offered = await child.endpoint.offer();
    return { child, answer: { label: offered.label, payload: offered.recv() } };
  }

  /** Sends new credentials on the live link. */
  refresh(token: string): void {
    this.endpoint.lane("interests").send("Refresh", { token });
  }

  /** Tells the parent the child's interest in `tag`. */
  tagInterest(tag: TagDescriptor, observed: boolean, capacity: number): void {
    this.endpoint.lane("interests").send("TagInterest", { tag, observed, capacity });
  }

  /** Opens the session of `object` with this interest. */
  open(object: ObjectDescriptor, interest: { readonly observed: boolean; readonly capacity: number; readonly have?: Version; readonly epoch?: number }): HandSession {
    const session = this.endpoint.lane("interests").send("Open", { session: this.#nextSession++, object, ...interest });
    return new HandSession(session, interest.have);
  }

  /** Ends the link (the parent's side too). */
  async close(): Promise<void> {
    this.memory.faults.cut();
    await this.parent.closed;
    await this.endpoint.closed;
  }
}
