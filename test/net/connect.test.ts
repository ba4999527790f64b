import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionMux } from "../../lib/choreography/wire.js";
import { connect, type Upstream, type UpstreamStatus } from "../../lib/net/connect.js";
import { connect as connectWithWs } from "../../lib/net/node/connect.js";
import { LocalNode, NodeClosedError } from "../../lib/index.js";
import type { ConnectorTimers } from "../../transports/reconnecting-connector.js";
import { UpstreamExistsError } from "../../lib/net/upstream-exists-error.js";
import { type MemoryLink, createMemoryCarrierPair } from "../../transports/memory-carrier.js";

// connect's wiring and status mapping, against a scripted stand-in for lib/sync's UpstreamLink (the real
// driver is exercised end to end in test/e2e).
const fake = vi.hoisted(() => {
  class LinkRefusedError extends Error {
    constructor(readonly reason: string) {
      super(`refused: ${reason}`);
    }
  }
  type Behaviour = "welcome" | "wait" | { refuse: string };
  class UpstreamLink {
    static instances: UpstreamLink[] = [];
    /** What each next generation does: "welcome" at once, "wait" for welcome(), or refuse. */
    static script: Behaviour[] = [];
    readonly generations: SessionMux[] = [];
    closed = false;
    connected = false;
    #listeners = new Set<(connected: boolean) => void>();
    #end: ((error: Error | undefined) => void) | undefined;
    constructor(
      readonly node: unknown,
      readonly options: unknown,
      readonly onWelcomed: (parent: string) => void,
    ) {
      UpstreamLink.instances.push(this);
    }
    run(mux: SessionMux): Promise<Error | undefined> {
      this.generations.push(mux);
      const behaviour = UpstreamLink.script.shift() ?? "welcome";
      if (typeof behaviour === "object") return Promise.resolve(new LinkRefusedError(behaviour.refuse));
      return new Promise((resolve) => {
        this.#end = (error) => {
          this.#end = undefined;
          this.#set(false);
          resolve(error);
        };
        mux.onClose((error) => this.#end?.(error ?? new Error("connection closed")));
        if (behaviour === "welcome") queueMicrotask(() => this.welcome());
      });
    }
    welcome(): void {
      if (this.#end === undefined) return;
      this.onWelcomed("parent");
      this.#set(true);
    }
    onConnected(callback: (connected: boolean) => void): () => void {
      this.#listeners.add(callback);
      return () => this.#listeners.delete(callback);
    }
    async close(): Promise<void> {
      this.closed = true;
      this.#end?.(undefined);
    }
    #set(connected: boolean): void {
      if (this.connected === connected) return;
      this.connected = connected;
      for (const listener of this.#listeners) listener(connected);
    }
  }
  return { UpstreamLink, LinkRefusedError };
});
vi.mock("../../lib/sync/up/upstream-link.js", () => ({ UpstreamLink: fake.UpstreamLink }));
vi.mock("../../lib/sync/link-refused-error.js", () => ({ LinkRefusedError: fake.LinkRefusedError }));

/** A dial that hands out memory carriers (keeping the far ends) and can be made to fail. */
function memoryDial() {
  const links: MemoryLink[] = [];
  const failures: Error[] = [];
  let calls = 0;
  return {
    links,
    failures,
    get calls() {
      return calls;
    },
    dial: async () => {
      calls++;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      const link = createMemoryCarrierPair();
      link.b.attach({ message: () => {}, close: () => {} });
      links.push(link);
      return link.a;
    },
  };
}

function recordStatuses(upstream: Upstream): UpstreamStatus[] {
  const statuses: UpstreamStatus[] = [];
  upstream.status$.subscribe((status) => statuses.push(status));
  return statuses;
}

const nextStatus = (upstream: Upstream, wanted: UpstreamStatus): Promise<void> =>
  new Promise((resolve) => {
    if (upstream.status === wanted) return resolve();
    const off = upstream.onStatus((status) => {
      if (status !== wanted) return;
      off();
      resolve();
    });
  });

/** Timers on a clock that moves only when the test says so; `delays` records every timer asked for. */
function fakeClock() {
  let now = 0;
  const pending = new Set<{ at: number; callback: () => void }>();
  const delays: number[] = [];
  const timers: ConnectorTimers = {
    setTimeout: (callback, ms) => {
      delays.push(ms);
      const timer = { at: now + ms, callback };
      pending.add(timer);
      return timer;
    },
    clearTimeout: (handle) => pending.delete(handle as { at: number; callback: () => void }),
  };
  return {
    timers,
    delays,
    /** Moves the clock on by `ms`, firing the timers that fall due, in order. */
    advance(ms: number): void {
      now += ms;
      for (;;) {
        const due = [...pending].filter((timer) => timer.at <= now).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) return;
        pending.delete(due);
        due.callback();
      }
    },
  };
}

const nodes: LocalNode[] = [];
function node(name = "child"): LocalNode {
  const created = new LocalNode({ name });
  nodes.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  fake.UpstreamLink.instances = [];
  fake.UpstreamLink.script = [];
});

describe("connect", () => {
  it('says "connected" only after the parent\'s welcome, then "disconnected", redials and reconnects', async () => {
    const dial = memoryDial();
    fake.UpstreamLink.script = ["wait"];
    const upstream = connect(node(), "ws://parent", { dial: dial.dial, random: () => 0 });
    const statuses = recordStatuses(upstream);
    await vi.waitFor(() => expect(fake.UpstreamLink.instances[0]?.generations).toHaveLength(1));
    // The carrier is open and the handshake is running: still "connecting".
    expect(upstream.status).toBe("connecting");
    fake.UpstreamLink.instances[0]!.welcome();
    expect(upstream.status).toBe("connected");

    dial.links[0]!.faults.cut("network gone");
    await nextStatus(upstream, "disconnected");
    await nextStatus(upstream, "connected"); // redialed: the next generation is welcomed at once
    expect(dial.calls).toBe(2);
    expect(upstream.lastError?.message).toContain("network gone");
    expect(statuses).toEqual(["connecting", "connected", "disconnected", "connecting", "connected"]);

    let completed = false;
    upstream.status$.subscribe({ complete: () => (completed = true) });
    await upstream.close();
    expect(statuses.at(-1)).toBe("closed");
    expect(completed).toBe(true);
    expect(fake.UpstreamLink.instances[0]!.closed).toBe(true);
    expect(dial.links[1]!.a.state).toBe("closed");
  });

  it("stops for good when the parent refuses, and logs the reason", async () => {
    const dial = memoryDial();
    const clock = fakeClock();
    const lines: string[] = [];
    fake.UpstreamLink.script = [{ refuse: "protocol version 9 is not supported (this parent speaks 1)" }];
    const upstream = connect(node(), "ws://parent", { dial: dial.dial, timers: clock.timers, random: () => 0.5, log: (line) => lines.push(line) });
    const statuses = recordStatuses(upstream);
    await nextStatus(upstream, "closed");
    expect(upstream.lastError).toBeInstanceOf(fake.LinkRefusedError);
    expect(lines.join("\n")).toMatch(/refused by the parent: protocol version 9 is not supported.*not reconnecting/);
    expect(statuses).toEqual(["connecting", "closed"]);
    clock.advance(24 * 60 * 60_000); // any redial still scheduled falls due
    await Promise.resolve();
    expect(dial.calls).toBe(1);
  });

  it("with reconnect: false, the first lost connection closes it", async () => {
    const dial = memoryDial();
    const upstream = connect(node(), "ws://parent", { dial: dial.dial, reconnect: false });
    await nextStatus(upstream, "connected");
    dial.links[0]!.faults.cut("gone");
    await nextStatus(upstream, "closed");
    expect(upstream.lastError?.message).toContain("gone");
    expect(dial.calls).toBe(1);
  });

  it("with reconnect: false, a failed dial closes it", async () => {
    const dial = memoryDial();
    dial.failures.push(new Error("ECONNREFUSED"));
    const upstream = connect(node(), "ws://parent", { dial: dial.dial, reconnect: false });
    await nextStatus(upstream, "closed");
    expect(upstream.lastError?.message).toBe("ECONNREFUSED");
  });

  it("retries failed dials with the given backoff, keeping the last error", async () => {
    const dial = memoryDial();
    dial.failures.push(new Error("first"), new Error("second"));
    const delays: number[] = [];
    const lines: string[] = [];
    const upstream = connect(node(), "ws://parent", {
      dial: dial.dial,
      initialDelayMs: 8,
      factor: 3,
      random: () => 0.5,
      timers: {
        setTimeout: (callback, ms) => {
          delays.push(ms);
          return setTimeout(callback, 0);
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      log: (line) => lines.push(line),
    });
    const statuses = recordStatuses(upstream);
    await nextStatus(upstream, "connected");
    expect(delays.slice(0, 2)).toEqual([4, 12]);
    expect(upstream.lastError?.message).toBe("second");
    expect(lines).toContain("upstream ws://parent: first (retrying in 4 ms)");
    expect(statuses).toEqual(["connecting", "disconnected", "connecting", "disconnected", "connecting", "connected"]);
  });

  it("allows one upstream per node, and another once it is closed", async () => {
    const child = node();
    const dial = memoryDial();
    const first = connect(child, "ws://a", { dial: dial.dial });
    expect(() => connect(child, "ws://b", { dial: dial.dial })).toThrow(UpstreamExistsError);
    expect(() => connect(child, "ws://b", { dial: dial.dial })).toThrow(/already has an upstream \(ws:\/\/a\)/);
    await first.close();
    const second = connect(child, "ws://b", { dial: dial.dial });
    await nextStatus(second, "connected");
  });

  it("is closed by node.close(), and refused on a closed node", async () => {
    const child = node();
    const dial = memoryDial();
    const upstream = connect(child, "ws://parent", { dial: dial.dial });
    await nextStatus(upstream, "connected");
    await child.close();
    expect(upstream.status).toBe("closed");
    expect(fake.UpstreamLink.instances[0]!.closed).toBe(true);
    expect(() => connect(child, "ws://parent", { dial: dial.dial })).toThrow(NodeClosedError);
    expect(() => connect(child, "ws://parent", { dial: dial.dial })).toThrow(/connect\(\) was called on a closed LocalNode/);
    expect(fake.UpstreamLink.instances).toHaveLength(1);
  });

  it.each([
    ["ws//127.0.0.1:3901", /the scheme needs a colon/],
    ["127.0.0.1:3901", /does not start with ws:\/\/ or wss:\/\//],
    ["ws://127.0.0.1:39O1", /port "39O1" is not a number/],
    ["http://127.0.0.1:3901", /scheme is http:\/\//],
    ["", /it is empty/],
    ["ws://127.0.0.1:70000", /out of range/],
    ["ws://127.0.0.1:3901/#fragment", /fragment/],
  ])("throws a TypeError for %j at once, registering nothing on the node", async (url, problem) => {
    const child = node();
    for (const connectTo of [connect, connectWithWs]) {
      expect(() => connectTo(child, url)).toThrow(TypeError);
      expect(() => connectTo(child, url)).toThrow(problem);
      expect(() => connectTo(child, url)).toThrow(/e\.g\. ws:\/\/127\.0\.0\.1:3001/);
    }
    expect(fake.UpstreamLink.instances).toHaveLength(0);
    // Nothing was left behind: the node can still get its one upstream.
    const dial = memoryDial();
    await nextStatus(connect(child, "ws://127.0.0.1:3901", { dial: dial.dial }), "connected");
  });

  it("sets lastError before it emits the status that it explains", async () => {
    const dial = memoryDial();
    dial.failures.push(new Error("ECONNREFUSED"));
    const seen: string[] = [];
    const upstream = connect(node(), "ws://parent", { dial: dial.dial, random: () => 0 });
    upstream.status$.subscribe((status) => seen.push(`${status}: ${upstream.lastError?.message ?? "-"}`));
    await nextStatus(upstream, "connected");
    dial.links[0]!.faults.cut("network gone");
    await nextStatus(upstream, "disconnected");
    expect(seen.slice(0, 5)).toEqual([
      "connecting: -",
      "disconnected: ECONNREFUSED",
      "connecting: ECONNREFUSED",
      "connected: ECONNREFUSED",
      expect.stringMatching(/^disconnected: .*network gone/),
    ]);
  });

  it("sets lastError to the refusal before it emits closed", async () => {
    fake.UpstreamLink.script = [{ refuse: "no" }];
    const upstream = connect(node(), "ws://parent", { dial: memoryDial().dial });
    const errorWhenClosed = new Promise<Error | undefined>((resolve) =>
      upstream.onStatus((status) => status === "closed" && resolve(upstream.lastError)),
    );
    expect(await errorWhenClosed).toBeInstanceOf(fake.LinkRefusedError);
  });

  it("backs off across connections the parent never welcomed, however long they stayed open", async () => {
    const dial = memoryDial();
    const clock = fakeClock();
    fake.UpstreamLink.script = ["wait", "wait", "wait", "wait"];
    const stableAfterMs = 1_000;
    connect(node(), "ws://parent", { dial: dial.dial, timers: clock.timers, random: () => 0.5, initialDelayMs: 100, stableAfterMs });
    const retries = () => clock.delays.filter((ms) => ms !== stableAfterMs);
    for (let connection = 0; connection < 3; connection++) {
      await vi.waitFor(() => expect(fake.UpstreamLink.instances[0]?.generations).toHaveLength(connection + 1));
      clock.advance(2 * stableAfterMs); // open far longer than stableAfterMs, but never welcomed
      dial.links[connection]!.faults.cut("hung up");
      await vi.waitFor(() => expect(retries()).toHaveLength(connection + 1));
      clock.advance(retries()[connection]!);
    }
    expect(retries()).toEqual([50, 100, 200]);

    // A welcomed connection that stays up long enough does reset it.
    await vi.waitFor(() => expect(fake.UpstreamLink.instances[0]?.generations).toHaveLength(4));
    fake.UpstreamLink.instances[0]!.welcome();
    clock.advance(stableAfterMs);
    dial.links[3]!.faults.cut("hung up");
    await vi.waitFor(() => expect(retries()).toHaveLength(4));
    expect(retries()[3]).toBe(50);
  });

  it("close() twice gives the same promise, and stays closed", async () => {
    const dial = memoryDial();
    const upstream = connect(node(), "ws://parent", { dial: dial.dial });
    const statuses = recordStatuses(upstream);
    await nextStatus(upstream, "connected");
    const closing = upstream.close();
    expect(upstream.close()).toBe(closing);
    await closing;
    expect(upstream.close()).toBe(closing);
    expect(statuses).toEqual(["connecting", "connected", "closed"]);
  });

  it("rejects bad backoff options without leaving anything behind", async () => {
    const child = node();
    const dial = memoryDial();
    expect(() => connect(child, "ws://parent", { dial: dial.dial, factor: 0.5 })).toThrow(RangeError);
    expect(dial.calls).toBe(0);
    const upstream = connect(child, "ws://parent", { dial: dial.dial });
    await nextStatus(upstream, "connected");
  });
});
