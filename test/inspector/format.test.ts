/** How the inspector writes figures: short, with units. */
import { describe, expect, it } from "vitest";
import { formatBytes, formatDescriptor, formatDuration, formatExposer, formatNumber, formatRoundTrip, formatVersion } from "../../inspector/format.js";

describe("inspector figures", () => {
  it("writes counts and rates with one decimal below 100, grouped above", () => {
    expect([0, 2, 2.25, 99.5, 120.4, 12_345].map(formatNumber)).toEqual(["0", "2", "2.3", "99.5", "120", "12,345"]);
    expect(formatNumber(Number.NaN)).toBe("–");
  });

  it("writes bytes in steps of 1000", () => {
    expect([0, 999, 1000, 1500, 20_000, 2_500_000, 3e9].map(formatBytes)).toEqual(["0 B", "999 B", "1.0 kB", "1.5 kB", "20 kB", "2.5 MB", "3.0 GB"]);
  });

  it("writes durations as their two largest units", () => {
    expect([18, 42_000, 125_000, 3 * 3_600_000 + 12 * 60_000, 50 * 3_600_000].map(formatDuration)).toEqual(["18 ms", "42 s", "2 min 5 s", "3 h 12 min", "2 d 2 h"]);
    expect(formatDuration(-1)).toBe("–");
  });

  it("writes round trips, versions, exposers and descriptors", () => {
    expect([null, 0.42, 37.6].map(formatRoundTrip)).toEqual(["–", "0.4 ms", "38 ms"]);
    expect([null, [3, 1]].map(formatVersion)).toEqual(["–", "3.1"]);
    expect(formatExposer(null)).toBe("none");
    expect(formatExposer({ kind: "contract" })).toBe("this node");
    expect(formatExposer({ kind: "upstream" })).toBe("upstream");
    expect(formatExposer({ kind: "link", link: 3, name: "kitchen" })).toBe("kitchen");
    expect(formatExposer({ kind: "link", link: 3, name: null })).toBe("link 3");
    expect(formatDescriptor({ tags: ["chat", { room: "lobby" }], json: { id: 7 } })).toBe('{"id":7} #"chat" #{"room":"lobby"}');
  });
});
