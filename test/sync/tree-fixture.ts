/**
 * Builds trees of LocalNodes linked over in-memory carriers, for protocol tests: every link can be
 * cut, dropped, delayed and restored (a restore is a reconnect: a new carrier, a new generation).
 */
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/downstream-link.js";
import { UpstreamLink } from "../../lib/sync/upstream-link.js";
import type { LinkOptions } from "../../lib/sync/link-options.js";
import { createMemoryCarrierPair, type MemoryLink } from "../../transports/memory-carrier.js";

/** A child's link to its parent that tests can cut and restore. */
export class TestLink {
  readonly upstream: UpstreamLink;
  memory: MemoryLink | undefined;
  downstream: DownstreamLink | undefined;
  generation: Promise<Error | undefined> | undefined;
  readonly results: Array<Error | undefined> = [];

  constructor(
    readonly parent: LocalNode,
    readonly child: LocalNode,
    readonly options: LinkOptions = {},
  ) {
    this.upstream = new UpstreamLink(child, options);
  }

  /** Connects (again): a fresh carrier pair and a new generation. */
  connect(): void {
    const memory = createMemoryCarrierPair();
    this.memory = memory;
    this.downstream = new DownstreamLink(this.parent, createSessionMux(memory.b), this.options);
    const mux = createSessionMux(memory.a);
    this.generation = this.upstream.run(mux).then((result) => {
      this.results.push(result);
      memory.a.close();
      return result;
    });
  }

  /** The network dies; both sides notice. */
  async cut(): Promise<void> {
    this.memory?.faults.cut();
    await this.generation;
    await this.downstream?.closed;
  }

  async close(): Promise<void> {
    await this.upstream.close();
    await this.generation;
    await this.downstream?.closed;
  }
}

/** Links `child` under `parent` and connects. */
export function link(parent: LocalNode, child: LocalNode, options: LinkOptions = {}): TestLink {
  const testLink = new TestLink(parent, child, options);
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
