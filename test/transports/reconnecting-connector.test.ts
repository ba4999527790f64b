import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Carrier } from "../../transports/carrier.js";
import { ConnectError } from "../../transports/connect-error.js";
import { createMemoryCarrierPair, type MemoryLink } from "../../transports/memory-carrier.js";
import {
  type ConnectorStatus,
  ReconnectingConnector,
  type ReconnectingConnectorOptions,
} from "../../transports/reconnecting-connector.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket } from "../../transports/node/ws-listener.js";
import { CARRIER_WAIT_MS, record } from "./carrier-recorder.js";

/** A dial function whose every call is recorded and answered by the test. */
function scriptedDial(answer: (call: number) => Promise<Carrier>): {
  dial: ReconnectingConnectorOptions["dial"];
  calls: number[];
} {
  const calls: number[] = [];
  return {
    calls,
    dial: () => {
      calls.push(Date.now());
      return answer(calls.length);
    },
  };
}

const refused = (): Promise<Carrier> => Promise.reject(new ConnectError("ws://nowhere", "refused"));

/** Records the connector's status changes. */
function statuses(connector: ReconnectingConnector): ConnectorStatus[] {
  const seen: ConnectorStatus[] = [];
  connector.status$.subscribe((status) => seen.push(status));
  return seen;
}

describe("reconnecting connector", () => {
  const connectors: ReconnectingConnector[] = [];
  const start = (options: ReconnectingConnectorOptions): ReconnectingConnector => {
    const connector = new ReconnectingConnector(options);
    connectors.push(connector);
    return connector;
  };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((connector) => connector.close()));
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it("backs off exponentially up to the cap", async () => {
    const { dial, calls } = scriptedDial(refused);
    const delays: number[] = [];
    start({
      dial,
      onCarrier: () => {},
      onDialError: (_error, retryInMs) => delays.push(retryInMs),
      initialDelayMs: 100,
      maxDelayMs: 1000,
      factor: 2,
      random: () => 0.5,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    for (const expected of [50, 100, 200, 400, 500, 500, 500]) {
      await vi.advanceTimersByTimeAsync(expected - 1);
      const before = calls.length;
      await vi.advanceTimersByTimeAsync(1);
      expect(calls.length).toBe(before + 1);
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500, 500, 500]);
  });

  it("draws every delay uniformly from [0, bound) with the injected random (full jitter)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 12 }),
        async (randoms) => {
          const { dial } = scriptedDial(refused);
          const delays: number[] = [];
          let draw = 0;
          const connector = new ReconnectingConnector({
            dial,
            onCarrier: () => {},
            onDialError: (_error, retryInMs) => delays.push(retryInMs),
            // After the drawn values, a fixed one, so a run of zeros cannot redial forever within one tick.
            random: () => (draw < randoms.length ? (randoms[draw++] as number) : 0.5),
          });
          for (let i = 0; i < randoms.length; i++) await vi.advanceTimersByTimeAsync(10_000);
          await connector.close();
          expect(delays.length).toBeGreaterThanOrEqual(randoms.length);
          randoms.forEach((random, attempt) => {
            const bound = Math.min(10_000, 100 * 2 ** attempt);
            expect(delays[attempt]).toBeGreaterThanOrEqual(0);
            expect(delays[attempt]).toBeLessThan(bound);
            expect(delays[attempt]).toBe(random * bound);
          });
        },
      ),
      { numRuns: 30, seed: 3 },
    );
  });

  it("resets the backoff once a connection stayed up long enough, not before", async () => {
    const links: MemoryLink[] = [];
    const delays: number[] = [];
    const { dial, calls } = scriptedDial((call) => {
      if (call <= 3) return refused();
      const link = createMemoryCarrierPair();
      links.push(link);
      record(link.b);
      return Promise.resolve(link.a);
    });
    start({
      dial,
      onCarrier: (carrier) => record(carrier),
      onDialError: (_error, retryInMs) => delays.push(retryInMs),
      random: () => 0.75,
      stableAfterMs: 5_000,
    });
    await vi.advanceTimersByTimeAsync(75 + 150 + 300);
    expect(calls).toHaveLength(4);
    expect(delays).toEqual([75, 150, 300]);

    // Up for less than stableAfterMs: the next redial keeps backing off.
    await vi.advanceTimersByTimeAsync(4_999);
    links[0]?.faults.cut();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(599);
    expect(calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(5);

    // Up for stableAfterMs: the next redial starts from initialDelayMs again.
    await vi.advanceTimersByTimeAsync(5_000);
    links[1]?.faults.cut();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(74);
    expect(calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(6);
  });

  it("with confirmConnections, counts a connection as stable only from confirm(), and only the current one", async () => {
    const links: MemoryLink[] = [];
    const carriers: Carrier[] = [];
    const delays: number[] = [];
    const { dial, calls } = scriptedDial(() => {
      const link = createMemoryCarrierPair();
      links.push(link);
      record(link.b);
      return Promise.resolve(link.a);
    });
    const connector = start({
      dial,
      onCarrier: (carrier) => {
        carriers.push(carrier);
        record(carrier);
      },
      random: () => 0.5,
      stableAfterMs: 1_000,
      confirmConnections: true,
      timers: {
        setTimeout: (callback, ms) => {
          delays.push(ms);
          return setTimeout(callback, ms);
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    });
    const retries = () => delays.filter((ms) => ms !== 1_000);
    // Unconfirmed connections, however long they last, keep the backoff growing.
    for (let connection = 0; connection < 3; connection++) {
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toHaveLength(connection + 1);
      await vi.advanceTimersByTimeAsync(5_000);
      links[connection]?.faults.cut();
      await vi.advanceTimersByTimeAsync(0);
      await vi.advanceTimersByTimeAsync(retries()[connection]!);
    }
    expect(retries()).toEqual([50, 100, 200]);

    // A stale carrier's confirm() is ignored; the current one's starts the clock.
    await vi.advanceTimersByTimeAsync(0);
    connector.confirm(carriers[0]!);
    await vi.advanceTimersByTimeAsync(5_000);
    links[3]?.faults.cut();
    await vi.advanceTimersByTimeAsync(0);
    expect(retries()[3]).toBe(400);
    await vi.advanceTimersByTimeAsync(400);
    connector.confirm(carriers[4]!);
    connector.confirm(carriers[4]!);
    expect(delays.filter((ms) => ms === 1_000)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    links[4]?.faults.cut();
    await vi.advanceTimersByTimeAsync(0);
    expect(retries()[4]).toBe(50);
  });

  it("reports connecting, connected, disconnected, connecting ... closed, replaying the current one", async () => {
    const links: MemoryLink[] = [];
    const { dial } = scriptedDial((call) => {
      if (call === 2) return refused();
      const link = createMemoryCarrierPair();
      links.push(link);
      record(link.b);
      return Promise.resolve(link.a);
    });
    const carriers: Carrier[] = [];
    const connector = start({
      dial,
      onCarrier: (carrier) => {
        carriers.push(carrier);
        record(carrier);
      },
      random: () => 0,
    });
    const seen = statuses(connector);
    expect(connector.status).toBe("connecting");
    await vi.advanceTimersByTimeAsync(0);
    expect(connector.status).toBe("connected");
    links[0]?.b.close("server restarting");
    // Zero delays (random 0) still take a timer tick each.
    await vi.advanceTimersByTimeAsync(10);
    expect(connector.status).toBe("connected");
    expect(carriers).toHaveLength(2);
    expect(carriers[0]?.state).toBe("closed");
    await connector.close();
    expect(carriers[1]?.state).toBe("closed");
    expect(links[1]?.b.state).toBe("closed");
    expect(seen).toEqual([
      "connecting",
      "connected",
      "disconnected",
      "connecting",
      "disconnected",
      "connecting",
      "connected",
      "closed",
    ]);
    const late: ConnectorStatus[] = [];
    let completed = false;
    connector.status$.subscribe({ next: (status) => late.push(status), complete: () => (completed = true) });
    expect(late).toEqual(["closed"]);
    expect(completed).toBe(true);
  });

  it("close() stops redialing and leaves no timers, whatever state it finds", async () => {
    const { dial, calls } = scriptedDial(refused);
    const connector = start({ dial, onCarrier: () => {}, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(connector.status).toBe("disconnected");
    expect(vi.getTimerCount()).toBe(1);
    await connector.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(connector.status).toBe("closed");
    await expect(connector.close()).resolves.toBeUndefined();
  });

  it("close() aborts a dial in flight, and closes a carrier that arrives anyway", async () => {
    let aborted = false;
    const slow = start({
      dial: (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new ConnectError("ws://slow", "aborted"));
          }),
        ),
      onCarrier: () => {},
    });
    await slow.close();
    expect(aborted).toBe(true);

    const link = createMemoryCarrierPair();
    const atB = record(link.b);
    let release: () => void = () => {};
    const onCarrier = vi.fn();
    const stubborn = start({
      dial: () => new Promise((resolve) => (release = () => resolve(link.a))),
      onCarrier,
    });
    const closing = stubborn.close();
    release();
    await closing;
    expect(onCarrier).not.toHaveBeenCalled();
    expect(link.a.state).toBe("closed");
    await vi.advanceTimersByTimeAsync(0);
    expect(atB.closes).toHaveLength(1);
  });

  it("redials when the consumer's callback throws, after closing that carrier", async () => {
    const links: MemoryLink[] = [];
    const { dial, calls } = scriptedDial(() => {
      const link = createMemoryCarrierPair();
      links.push(link);
      return Promise.resolve(link.a);
    });
    start({
      dial,
      onCarrier: () => {
        if (links.length === 1) throw new Error("not ready");
      },
      random: () => 0,
    });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(links[0]?.a.state).toBe("closed");
    const atB = record(links[0]!.b);
    await vi.advanceTimersByTimeAsync(0);
    expect(atB.closes[0]?.reason).toContain("not ready");
  });

  it("passes messages through the carrier it hands out, both ways", async () => {
    const link = createMemoryCarrierPair();
    const atB = record(link.b);
    const received: Uint8Array[] = [];
    let carrier: Carrier | undefined;
    start({
      dial: () => Promise.resolve(link.a),
      onCarrier: (c) => {
        carrier = c;
        c.attach({ message: (bytes) => received.push(bytes), close: () => {} });
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    carrier?.send(new Uint8Array([1, 2]));
    link.b.send(new Uint8Array([3]));
    await vi.advanceTimersByTimeAsync(0);
    expect(atB.messages).toEqual([new Uint8Array([1, 2])]);
    expect(received).toEqual([new Uint8Array([3])]);
    expect(carrier?.peer).toBe(link.a.peer);
    expect(carrier?.bufferedAmount).toBe(0);
  });

  it("rejects nonsensical backoff options", () => {
    expect(() => new ReconnectingConnector({ dial: refused, onCarrier: () => {}, factor: 0.5 })).toThrow(RangeError);
    expect(() => new ReconnectingConnector({ dial: refused, onCarrier: () => {}, maxDelayMs: -1 })).toThrow(
      /maxDelayMs/,
    );
  });
});

describe("reconnecting connector over WebSockets", () => {
  it("comes back when the listener comes back on the same port", async () => {
    const first = await listenWebSocket({ port: 0 }, (carrier) => record(carrier));
    const onCarrier = vi.fn((carrier: Carrier) => record(carrier));
    const connector = new ReconnectingConnector({
      dial: (signal) => dialWs(first.url, { signal, timeoutMs: 1000 }),
      onCarrier,
      initialDelayMs: 20,
      maxDelayMs: 50,
    });
    await expect.poll(() => connector.status, { timeout: CARRIER_WAIT_MS }).toBe("connected");
    await first.close();
    await expect.poll(() => connector.status, { timeout: CARRIER_WAIT_MS }).not.toBe("connected");
    const second = await listenWebSocket({ port: first.port }, (carrier) => record(carrier));
    await expect.poll(() => onCarrier.mock.calls.length, { timeout: CARRIER_WAIT_MS }).toBe(2);
    expect(connector.status).toBe("connected");
    await connector.close();
    await second.close();
  });
});
