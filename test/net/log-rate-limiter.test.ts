import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { counted, type LogKind, LogRateLimiter } from "../../lib/net/log-rate-limiter.js";
import { ManualTimers } from "./manual-timers.js";

function setup(burst: number) {
  const lines: Array<[string, string | undefined]> = [];
  const timers = new ManualTimers();
  const limiter = new LogRateLimiter((line, severity) => lines.push([line, severity]), { burst, intervalMs: 10_000, timers });
  return { lines, timers, limiter, text: () => lines.map(([line]) => line) };
}

const refusal: LogKind = { severity: "warn", summary: (n) => `refused ${counted(n, "connection")}` };
const link: LogKind = { severity: "info", summary: (n) => `linked ${counted(n, "child", "children")}` };

describe("LogRateLimiter", () => {
  it("writes the first lines of an interval one by one, then one summary with the interval's total", () => {
    const { lines, timers, limiter } = setup(2);
    for (let i = 1; i <= 1234; i++) limiter.write(refusal, `refused #${i}`);
    expect(lines).toEqual([
      ["refused #1", "warn"],
      ["refused #2", "warn"],
    ]);
    timers.elapse();
    expect(lines.slice(2)).toEqual([["refused 1,234 connections in the last 10 s (the first 2 logged one by one)", "warn"]]);
  });

  it("writes no summary when every line of the interval was written, and keeps no timer after a quiet interval", () => {
    const { timers, limiter, text } = setup(3);
    limiter.write(refusal, "a");
    limiter.write(refusal, "b");
    timers.elapse();
    expect(text()).toEqual(["a", "b"]);
    expect(timers.pending).toBe(0);
    limiter.write(refusal, "c");
    expect(text()).toEqual(["a", "b", "c"]);
  });

  it("while a flood lasts, writes only one summary per interval; after a quiet interval, lines one by one again", () => {
    const { timers, limiter, text } = setup(1);
    for (const line of ["a", "b", "c"]) limiter.write(refusal, line);
    timers.elapse();
    for (const line of ["d", "e"]) limiter.write(refusal, line);
    timers.elapse();
    expect(text()).toEqual([
      "a",
      "refused 3 connections in the last 10 s (the first 1 logged one by one)",
      "refused 2 connections in the last 10 s",
    ]);
    timers.elapse(); // a quiet interval ends the flood
    expect(timers.pending).toBe(0);
    limiter.write(refusal, "f");
    expect(text().at(-1)).toBe("f");
  });

  it("keeps a budget per kind, with each kind's severity", () => {
    const { lines, timers, limiter } = setup(1);
    for (let i = 0; i < 3; i++) {
      limiter.write(refusal, `refused ${i}`);
      limiter.write(link, `linked ${i}`);
    }
    timers.elapse();
    expect(lines).toEqual([
      ["refused 0", "warn"],
      ["linked 0", "info"],
      ["refused 3 connections in the last 10 s (the first 1 logged one by one)", "warn"],
      ["linked 3 children in the last 10 s (the first 1 logged one by one)", "info"],
    ]);
  });

  it("with a burst of 0 writes summaries only: one line however many events", () => {
    const { timers, limiter, text } = setup(0);
    limiter.write(refusal, "a");
    expect(text()).toEqual([]);
    timers.elapse();
    expect(text()).toEqual(["refused 1 connection in the last 10 s"]);
  });

  it("close() writes the pending summaries, stops every timer, and lets later lines through", () => {
    const { timers, limiter, text } = setup(1);
    for (const line of ["a", "b"]) limiter.write(refusal, line);
    limiter.write(link, "c");
    limiter.close();
    expect(timers.pending).toBe(0);
    expect(text()).toEqual(["a", "c", "refused 2 connections in the last 10 s (the first 1 logged one by one)"]);
    limiter.write(refusal, "d");
    limiter.write(refusal, "e");
    expect(text().slice(-2)).toEqual(["d", "e"]);
  });

  it("refuses a negative or fractional burst and an interval that is not positive", () => {
    expect(() => new LogRateLimiter(() => {}, { burst: -1 })).toThrow(RangeError);
    expect(() => new LogRateLimiter(() => {}, { burst: 1.5 })).toThrow(/whole number/);
    expect(() => new LogRateLimiter(() => {}, { intervalMs: 0 })).toThrow(/intervalMs/);
  });

  it("for any events over any intervals: at most burst + 1 lines per kind and interval, and every event accounted for", () => {
    const kinds: LogKind[] = ["a", "b", "c"].map((name) => ({ severity: "warn", summary: (n) => `${name} ×${n}` }));
    const step = fc.oneof(fc.constant("elapse" as const), fc.integer({ min: 0, max: kinds.length - 1 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(step, { maxLength: 300 }), (burst, steps) => {
        const { timers, limiter, text } = setup(burst);
        const events = kinds.map(() => 0);
        const perInterval: string[][] = [[]];
        for (const each of steps) {
          const before = text().length;
          if (each === "elapse") timers.elapse();
          else {
            events[each]!++;
            limiter.write(kinds[each]!, `${String.fromCharCode(97 + each)} one`);
          }
          perInterval.at(-1)!.push(...text().slice(before));
          if (each === "elapse") perInterval.push([]);
        }
        const before = text().length;
        limiter.close();
        perInterval.at(-1)!.push(...text().slice(before));
        expect(timers.pending).toBe(0);
        for (const [index, name] of ["a", "b", "c"].entries()) {
          // An interval's lines: those written one by one in it, and its summary when it ends.
          for (const lines of perInterval) expect(lines.filter((line) => line.startsWith(name)).length).toBeLessThanOrEqual(burst + 1);
          // Each summary counts its whole interval, the lines written one by one in it included.
          let accounted = 0;
          let written = 0;
          for (const line of text().filter((each) => each.startsWith(name))) {
            const summary = /×(\d+)/.exec(line);
            if (summary === null) written++;
            else {
              const shown = Number(/the first (\d+)/.exec(line)?.[1] ?? 0);
              accounted += Number(summary[1]) - shown;
            }
          }
          expect(accounted + written).toBe(events[index]);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
