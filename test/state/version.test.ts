import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { InvalidVersionError } from "../../lib/state/invalid-version-error.js";
import { MAX_VERSION_LENGTH, assertVersion, compareVersions, nextVersion } from "../../lib/state/version.js";
import type { Version } from "../../lib/state/version.js";

const RUNS = { numRuns: 500, seed: 4242 };
const MAX = Number.MAX_SAFE_INTEGER;
/** Small components make equal prefixes likely; the extremes cover the edges. */
const component = fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(MAX, MAX - 1, -MAX), fc.maxSafeInteger());
const version = fc.array(component, { minLength: 1, maxLength: MAX_VERSION_LENGTH });
const sign = (n: number) => Math.sign(n);

describe("compareVersions", () => {
  it("orders lexicographically, a shorter prefix first", () => {
    const ordered: Version[] = [[-1], [0], [1], [1, -5], [1, 0], [1, 0, 0], [1, 0, 1], [1, 1], [2], [2, 0]];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(sign(compareVersions(ordered[i]!, ordered[j]!))).toBe(sign(i - j));
      }
    }
  });

  it("is a total order: reflexive, antisymmetric, transitive", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareVersions(a, [...a])).toBe(0);
        expect(sign(compareVersions(a, b))).toBe(-sign(compareVersions(b, a)));
        if (compareVersions(a, b) === 0) expect(a).toEqual(b);
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it("agrees with sorting by a reference comparison", () => {
    fc.assert(
      fc.property(fc.array(version, { maxLength: 8 }), (versions) => {
        const sorted = [...versions].sort(compareVersions);
        for (let i = 1; i < sorted.length; i++) {
          const a = sorted[i - 1]!;
          const b = sorted[i]!;
          const k = a.findIndex((x, index) => x !== b[index]);
          if (k === -1) expect(a.length).toBeLessThanOrEqual(b.length);
          else expect(k >= b.length || a[k]! < b[k]!).toBe(k < b.length);
        }
      }),
      RUNS,
    );
  });
});

describe("assertVersion", () => {
  it("accepts 1 to 16 safe integers", () => {
    const nextToLast = [...Array.from({ length: 15 }, () => MAX), MAX - 1];
    for (const value of [[0], [-5, 3], [MAX, -MAX], Array.from({ length: 16 }, () => 1), [MAX], Array.from({ length: 15 }, () => MAX), nextToLast]) {
      expect(() => assertVersion(value)).not.toThrow();
    }
  });

  it("rejects anything else with InvalidVersionError", () => {
    const sparse: number[] = [];
    sparse[1] = 1;
    const bad: [unknown, RegExp][] = [
      [undefined, /must be an array of integers/],
      [5, /must be an array of integers/],
      ["[1]", /must be an array of integers/],
      [[], /1 to 16 components, got 0/],
      [Array.from({ length: 17 }, () => 1), /1 to 16 components, got 17/],
      [[1.5], /component 0 must be a safe integer, got 1.5/],
      [[1, NaN], /component 1 must be a safe integer, got NaN/],
      [[1, 2 ** 53], /component 1 must be a safe integer/],
      [[1, "2"], /component 1 must be a safe integer, got string/],
      [[1, 2n], /component 1 must be a safe integer, got bigint/],
      [sparse, /component 0 must be a safe integer, got undefined/],
      [Array.from({ length: 16 }, () => MAX), /leave room for a later one/],
    ];
    for (const [value, message] of bad) {
      expect(() => assertVersion(value)).toThrow(InvalidVersionError);
      expect(() => assertVersion(value)).toThrow(message);
    }
  });
});

describe("nextVersion", () => {
  it("uses the clock when it is ahead of the latest version", () => {
    expect(nextVersion(undefined, 1000)).toEqual([1000, 0]);
    expect(nextVersion([999, 7, 7], 1000)).toEqual([1000, 0]);
    expect(nextVersion(undefined, 1000.9)).toEqual([1000, 0]);
  });

  it("counts on from the latest version when the clock is not ahead", () => {
    expect(nextVersion([5e12, 3, 7], 5e12)).toEqual([5e12, 4]);
    expect(nextVersion([5e12], 5e12 - 10)).toEqual([5e12, 0]);
    expect(nextVersion([5e12, -1], 1)).toEqual([5e12, 0]);
  });

  it("grows a later component or appends once the second component cannot grow", () => {
    expect(nextVersion([5, MAX], 1)).toEqual([5, MAX, 0]);
    expect(nextVersion([5, MAX, 7, 1], 1)).toEqual([5, MAX, 8]);
    const full = [5, ...Array.from({ length: 15 }, () => MAX)];
    expect(nextVersion(full, 1)).toEqual([6, 0]);
    expect(() => nextVersion([MAX, ...Array.from({ length: 15 }, () => MAX)], 1)).toThrow(InvalidVersionError);
  });

  it("never makes the last version, which nothing could follow: the one before it has no next version", () => {
    const last = Array.from({ length: MAX_VERSION_LENGTH }, () => MAX);
    expect(nextVersion([...last.slice(0, 15), MAX - 2], 1)).toEqual([...last.slice(0, 15), MAX - 1]);
    expect(() => nextVersion([...last.slice(0, 15), MAX - 1], 1)).toThrow(/No version orders after .*cannot take a new state/);
    expect(nextVersion([MAX - 1, ...last.slice(1, 15), MAX - 1], 1)).toEqual([MAX - 1, ...last.slice(1)]);
  });

  it("rejects an unusable clock reading", () => {
    expect(() => nextVersion(undefined, NaN)).toThrow(/clock reading/);
    expect(() => nextVersion([1], Infinity)).toThrow(InvalidVersionError);
  });

  it("is always a valid version strictly greater than latest", () => {
    const latest = fc.oneof(
      version,
      fc.tuple(fc.maxSafeInteger(), fc.constant(MAX), fc.array(component, { maxLength: 14 })).map(([a, b, rest]) => [a, b, ...rest]),
    );
    const now = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.maxSafeInteger(), fc.double({ min: -1e15, max: 1e15, noNaN: true }));
    fc.assert(
      fc.property(latest, now, (latest, nowMs) => {
        // The last version, and the one before it (whose only successor is the last), have no next version.
        fc.pre(!(latest.length === MAX_VERSION_LENGTH && latest.slice(0, 15).every((x) => x === MAX) && latest[15]! >= MAX - 1));
        const next = nextVersion(latest, nowMs);
        assertVersion(next);
        expect(compareVersions(next, latest)).toBeGreaterThan(0);
        const stuck = latest.length === MAX_VERSION_LENGTH && latest.slice(1).every((x) => x === MAX);
        if (Math.floor(nowMs) > latest[0]!) expect(next).toEqual([Math.floor(nowMs), 0]);
        else if (latest[1] === undefined || latest[1] < MAX) expect(next).toEqual([latest[0], (latest[1] ?? -1) + 1]);
        else expect(next[0]).toBe(stuck ? latest[0]! + 1 : latest[0]);
      }),
      RUNS,
    );
  });

  it("keeps climbing over many calls with a stuck clock", () => {
    let latest: Version = [100, MAX - 3];
    for (let i = 0; i < 50; i++) {
      const next = nextVersion(latest, 50);
      expect(compareVersions(next, latest)).toBeGreaterThan(0);
      assertVersion(next);
      latest = next;
    }
  });
});

describe("tickClock", () => {
  it("reads the system clock once per synchronous run and again after a microtask", async () => {
    const { tickClock } = await import("../../lib/state/tick-clock.js");
    const first = tickClock();
    expect(Math.abs(first - Date.now())).toBeLessThan(1000);
    const spy = vi.spyOn(Date, "now").mockReturnValue(first + 5_000);
    expect(tickClock()).toBe(first);
    await Promise.resolve();
    await Promise.resolve();
    expect(tickClock()).toBe(first + 5_000);
    spy.mockRestore();
  });
});
