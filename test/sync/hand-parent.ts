/**
 * A parent spoken by hand over an in-memory link to a real UpstreamLink, for tests of the child's end
 * one message at a time: it welcomes the child, records the object sessions the child opens and what
 * the child sends on each, and sends the parent's decisions and states when a test says so.
 */
import { createSessionMux, type SessionMuxOptions } from "../../bindings/session-mux.js";
import { createEndpoint, type Endpoint } from "../../lib/choreography/index.js";
import type { LocalNode } from "../../lib/index.js";
import type { ObjectSession, OpenPayload } from "../../lib/sync/messages.js";
import type { AckPayload } from "../../lib/sync/object-session.js";
import { type LinkEvents, upProgram } from "../../lib/sync/protocol.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { type PlainState, PlainStateReader } from "./wire/plain-states.js";
import { createMemoryCarrierPair, type MemoryLink } from "../../transports/memory-carrier.js";

/** One object session the child opened: what it opened with and what it sent since. */
export class ChildSession {
  readonly interests: Array<{ readonly observed: boolean; readonly capacity: number }> = [];
  /** The states the child sent, read as plain objects. */
  readonly states: PlainState[] = [];
  readonly acks: AckPayload[] = [];
  closed = false;

  constructor(
    readonly open: OpenPayload,
    readonly session: ObjectSession<"Up">,
  ) {
    // The child's first diff is against the state its parent holds: none here until the test sends one.
    const reader = new PlainStateReader();
    session.lane("up").serve({
      Interest: (interest) => void this.interests.push(interest),
      StateUp: (state) => void this.states.push(reader.read(state)),
      AckUp: (ack) => void this.acks.push(ack),
      Close: () => {
        this.closed = true;
        session.lane("down").send("Closed", {});
      },
    });
  }

  /** The parent's lane of this session. */
  get down() {
    return this.session.lane("down");
  }
}

/** The parent's end, spoken by hand, of a link to `child`'s real UpstreamLink. */
export class HandParent {
  readonly memory: MemoryLink;
  readonly upstream: UpstreamLink;
  /** Resolves when the child's connection ends. */
  readonly generation: Promise<Error | undefined>;
  readonly endpoint: Endpoint<LinkEvents, "Up">;
  /** The object sessions the child opened, by object key (the latest one of each). */
  readonly sessions = new Map<string, ChildSession>();
  /** What the child sent on its lane of the control session: each label, with the key of an Open's object or a TagInterest's tag. */
  readonly log: string[] = [];

  private constructor(child: LocalNode, mux: SessionMuxOptions) {
    this.memory = createMemoryCarrierPair();
    this.endpoint = createEndpoint(upProgram, createSessionMux(this.memory.b, mux), { checkOutbound: false, tap: null });
    this.upstream = new UpstreamLink(child);
    this.generation = this.upstream.run(createSessionMux(this.memory.a, mux));
  }

  /**
   * Links `child` to a hand-spoken parent (both ends' muxes made with `mux`); resolves once the child is
   * welcomed and its replay is served.
   */
  static async link(child: LocalNode, mux: SessionMuxOptions = {}): Promise<HandParent> {
    const parent = new HandParent(child, mux);
    const endpoint = parent.endpoint;
    await endpoint.recv("Hello");
    endpoint.send("Welcome", { node: "hand parent" });
    const ignore = () => {};
    endpoint.lane("interests").serve({
      Open: (open, session) => {
        parent.log.push(`Open ${open.object.key}`);
        parent.sessions.set(open.object.key, new ChildSession(open, session));
      },
      TagInterest: ({ tag }) => void parent.log.push(`TagInterest ${tag.key}`),
      Sync: () => {
        parent.log.push("Sync");
        endpoint.lane("decisions").send("Synced", {});
      },
      Ping: () => endpoint.lane("decisions").send("Pong", {}),
      Refresh: ignore,
      Bye: () => {
        parent.log.push("Bye");
        if (!parent.leaving) endpoint.lane("decisions").send("Farewell", { reason: "goodbye" });
      },
    });
    return parent;
  }

  /** Set once this parent sent its Farewell: the child's Bye then answers it. */
  leaving = false;

  /** Says Farewell (`refused`: the parent no longer accepts the child's credentials). */
  farewell(reason: string, refused = false): void {
    this.leaving = true;
    this.endpoint.lane("decisions").send("Farewell", refused ? { reason, refused } : { reason });
  }

  /** Ends the link: the child leaves politely and its connection ends. */
  async close(): Promise<void> {
    await this.upstream.close();
    await this.generation;
    await this.endpoint.closed;
  }
}
