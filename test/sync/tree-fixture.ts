/**
 * Builds trees of LocalNodes linked over in-memory carriers, for protocol tests: every link can be
 * cut, dropped, delayed and restored (a restore is a reconnect: a new carrier, a new generation), and
 * can reconnect by itself when a connection ends on its own.
 */
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import { keepAliveTimes } from "../../lib/sync/keep-alive.js";
import { UpstreamLink, type UpstreamLinkOptions } from "../../lib/sync/up/upstream-link.js";
import type { LinkOptions } from "../../lib/sync/link-options.js";

/** Settings of both ends of a test link (each end reads its own). */
export type TestLinkSettings = DownstreamLinkOptions & UpstreamLinkOptions;
import { createMemoryCarrierPair, type MemoryLink } from "../../transports/memory-carrier.js";

/** How a TestLink behaves besides the link's own options. */
export interface TestLinkOptions {
  /**
   * Keeps the link connected as `connect()` and `listen()` of lib/net do: a connection whose handshake
   * has not passed within the keep-alive's deadAfterMs is given up by the side still waiting (the child
   * for the Welcome, the parent for the Hello: keep-alives start only after them), and a connection that
   * ends on its own (a keep-alive timeout, a protocol violation) is replaced with a new one on the next
   * turn of the event loop. A connection the test cut or closed stays down until connect().
   */
  readonly reconnect?: boolean;
}

/** A child's link to its parent that tests can cut and restore. */
export class TestLink {
  readonly upstream: UpstreamLink;
  memory: MemoryLink | undefined;
  downstream: DownstreamLink | undefined;
  generation: Promise<Error | undefined> | undefined;
  readonly results: Array<Error | undefined> = [];
  /** Connections replaced because they ended on their own. */
  reconnects = 0;
  /** Parent ends of this link's connections that have not ended yet (a half-open one lasts until its keep-alive gives up). */
  readonly openDownstreams = new Set<DownstreamLink>();
  /** True from cut() or close() until connect(): the test took the link down. */
  #takenDown = false;
  /** Ends the running connection's wait for the parent's Welcome (with `reconnect`). */
  #welcomed: () => void = () => {};

  constructor(
    readonly parent: LocalNode,
    readonly child: LocalNode,
    readonly options: TestLinkSettings = {},
    readonly testOptions: TestLinkOptions = {},
  ) {
    this.upstream = new UpstreamLink(child, options, () => this.#welcomed());
  }

  /** True unless the test cut or closed the link (a connection that ended on its own may be on its way back). */
  get up(): boolean {
    return !this.#takenDown;
  }

  /** Connects (again): a fresh carrier pair and a new generation. */
  connect(): void {
    this.#takenDown = false;
    const memory = createMemoryCarrierPair();
    this.memory = memory;
    const reconnect = this.testOptions.reconnect === true;
    const parentMux = createSessionMux(memory.b);
    const helloArrived = reconnect ? handshakeDeadline(parentMux, "Hello", this.options) : () => {};
    const downstream = new DownstreamLink(this.parent, parentMux, this.options, helloArrived);
    this.downstream = downstream;
    this.openDownstreams.add(downstream);
    void downstream.closed.then(() => {
      helloArrived();
      this.openDownstreams.delete(downstream);
    });
    const mux = createSessionMux(memory.a);
    const welcomed = reconnect ? handshakeDeadline(mux, "Welcome", this.options) : () => {};
    this.#welcomed = welcomed;
    this.generation = this.upstream.run(mux).then((result) => {
      welcomed();
      this.results.push(result);
      memory.a.close();
      if (reconnect) setTimeout(() => this.#replace(memory), 0);
      return result;
    });
  }

  /** The network dies; both sides notice. */
  async cut(): Promise<void> {
    this.#takenDown = true;
    this.memory?.faults.cut();
    await this.generation;
    await this.downstream?.closed;
  }

  async close(): Promise<void> {
    this.#takenDown = true;
    await this.upstream.close();
    await this.generation;
    await Promise.all([...this.openDownstreams].map((downstream) => downstream.closed));
  }

  /** Reconnects after `ended` ended on its own, unless the test took the link down or connected anew meanwhile. */
  #replace(ended: MemoryLink): void {
    if (this.#takenDown || this.memory !== ended) return;
    this.reconnects++;
    this.connect();
  }
}

/** Closes `mux` unless the returned function is called (the handshake message `awaited` arrived) within deadAfterMs. */
function handshakeDeadline(mux: { close(error?: Error): void }, awaited: string, options: LinkOptions): () => void {
  const { deadAfterMs } = keepAliveTimes(options);
  const timer = setTimeout(() => mux.close(new Error(`no ${awaited} within ${deadAfterMs} ms`)), deadAfterMs);
  return () => clearTimeout(timer);
}

/** Links `child` under `parent` and connects. */
export function link(parent: LocalNode, child: LocalNode, options: TestLinkSettings = {}, testOptions: TestLinkOptions = {}): TestLink {
  const testLink = new TestLink(parent, child, options, testOptions);
  testLink.connect();
  return testLink;
}

/** Lets every queued message travel (memory carriers deliver on macrotasks). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

export function nodes(...names: string[]): LocalNode[] {
  return names.map((name) => new LocalNode({ name }));
}
