import { describe, expect, it } from "vitest";
import { KeepAlive, type KeepAliveClock } from "../../lib/sync/keep-alive.js";

/**
 * A clock whose time moves only when the test says, running the timers that come due on the way. As in
 * Node, a timer of 0 ms waits 1 ms: it runs in a later turn of the event loop than the one that set it.
 */
class ManualClock implements KeepAliveClock {
  time = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    this.#timers.set(++this.#next, { at: this.time + Math.max(ms, 1), callback });
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Time passes by `ms` with the event loop free: each timer runs when it is due. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.#earliest();
      if (due === undefined || due[1].at > end) break;
      this.#timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }

  /** The event loop is blocked for `ms`: time passes, timers wait; then those due run, late. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Runs the timers due now (the first thing the event loop does after a stall). */
  runDue(): void {
    this.advance(0);
  }

  #earliest(): [number, { at: number; callback: () => void }] | undefined {
    let earliest: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of this.#timers) if (earliest === undefined || entry[1].at < earliest[1].at) earliest = entry;
    return earliest;
  }
}

/** A keep-alive ticking every 100 ms that declares its peer dead after 300 ms of silence. */
function keepAlive() {
  const clock = new ManualClock();
  const ticks: number[] = [];
  const deaths: number[] = [];
  const alive = new KeepAlive(100, 300, { keepAliveTick: () => void ticks.push(clock.time), peerSilent: (silent) => void deaths.push(silent) }, clock);
  return { clock, alive, ticks, deaths };
}

describe("keep-alive", () => {
  it("ticks every interval and keeps a peer that is heard from", () => {
    const { clock, alive, ticks, deaths } = keepAlive();
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      alive.heard();
    }
    expect(ticks).toHaveLength(20);
    expect(deaths).toEqual([]);
    alive.stop();
    expect(clock.pending).toBe(0);
  });

  it("declares a silent peer dead once it has been silent longer than deadAfterMs, and stops", () => {
    const { clock, ticks, deaths } = keepAlive();
    clock.advance(300);
    expect(deaths).toEqual([]); // silent for exactly deadAfterMs: not yet
    clock.advance(100);
    expect(deaths).toEqual([]); // the tick at 400 finds the silence, and looks again in the next turn of the loop
    clock.advance(1);
    expect(deaths).toEqual([401]);
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(ticks).toHaveLength(4);
  });

  it("does not judge at once: input read right after the tick that found the silence keeps the peer", () => {
    const { clock, alive, deaths } = keepAlive();
    clock.advance(400); // the tick at 400 finds 400 ms of silence and looks again after one turn of the loop
    alive.heard(); // in that turn, the peer's buffered ping is read
    clock.advance(1);
    expect(deaths).toEqual([]);
    clock.advance(300);
    expect(deaths).toEqual([]); // silent since 401: 300 ms is not too long
    clock.advance(101);
    expect(deaths).toEqual([401]);
  });

  it("a stall of this process longer than deadAfterMs drops no peer that kept sending: the late tick judges nothing", () => {
    const { clock, alive, ticks, deaths } = keepAlive();
    clock.advance(100);
    alive.heard();
    clock.stall(5_000); // the peer kept pinging; its pings wait unread
    clock.runDue(); // the timers first: the tick fires 4,900 ms late
    expect(ticks).toHaveLength(2);
    expect(deaths).toEqual([]);
    alive.heard(); // then the input: the pings are read
    for (let i = 0; i < 10; i++) {
      clock.advance(100); // the next ticks are on time, and hear the peer
      alive.heard();
    }
    expect(deaths).toEqual([]);
  });

  it("a stall that ends just after a tick was due is judged after the input too", () => {
    const { clock, alive, deaths } = keepAlive();
    clock.advance(390);
    clock.stall(20); // the tick at 400 fires 10 ms late, on time, and finds 400 ms of silence
    clock.runDue();
    alive.heard(); // the input read in the next turn
    clock.advance(1);
    expect(deaths).toEqual([]);
  });

  it("a peer that died during a stall is declared dead at the first tick on time after it", () => {
    const { clock, deaths } = keepAlive();
    clock.stall(5_000);
    clock.runDue(); // late: not judged
    expect(deaths).toEqual([]);
    clock.advance(101);
    expect(deaths).toEqual([5_101]);
  });

  it("a verdict timer that fires late judges nothing either", () => {
    const { clock, alive, deaths } = keepAlive();
    clock.advance(400); // silent: the verdict is due after one turn of the loop
    clock.stall(1_000);
    clock.runDue(); // late
    expect(deaths).toEqual([]);
    alive.heard();
    clock.advance(100);
    expect(deaths).toEqual([]);
  });
});
