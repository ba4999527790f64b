import { describe, expect, it } from "vitest";
import type { NodeTotals } from "../../lib/monitor/node-snapshot.js";
import { routerMetrics } from "../../lib/router/router-metrics.js";
import { parsePrometheusText, valueOf } from "./prometheus-text.js";

const ZERO: NodeTotals = {
  links: 0,
  objects: 0,
  tags: 0,
  contracts: 0,
  queuedBytes: 0,
  updates: 0,
  elections: 0,
  handovers: 0,
  refusals: 0,
  denials: 0,
  messagesIn: 0,
  messagesOut: 0,
  bytesIn: 0,
  bytesOut: 0,
};

describe("router metrics", () => {
  it("shows each totals field under its hakuban_* name, read once per scrape, and two routers in one process apart", async () => {
    let reads = 0;
    let totals: NodeTotals = ZERO;
    const first = routerMetrics({
      totals: () => {
        reads++;
        return totals;
      },
      name: "first",
      version: "1.2.3",
    });
    const second = routerMetrics({ totals: () => ({ ...ZERO, links: 7 }), name: "second", version: "1.2.3" });
    try {
      totals = { links: 1, objects: 2, tags: 3, contracts: 4, queuedBytes: 5, updates: 6, elections: 7, handovers: 8, refusals: 9, denials: 10, messagesIn: 11, messagesOut: 12, bytesIn: 13, bytesOut: 14 };
      const scraped = parsePrometheusText(await first.scrape());
      expect(reads).toBe(1);
      expect(
        Object.fromEntries(
          [
            "hakuban_links",
            "hakuban_objects",
            "hakuban_tags",
            "hakuban_contracts",
            "hakuban_queued_bytes",
            "hakuban_updates_total",
            "hakuban_elections_total",
            "hakuban_handovers_total",
            "hakuban_refusals_total",
            "hakuban_denials_total",
            "hakuban_received_messages_total",
            "hakuban_sent_messages_total",
            "hakuban_received_bytes_total",
            "hakuban_sent_bytes_total",
          ].map((name) => [name, valueOf(scraped, name)]),
        ),
      ).toEqual({
        hakuban_links: 1,
        hakuban_objects: 2,
        hakuban_tags: 3,
        hakuban_contracts: 4,
        hakuban_queued_bytes: 5,
        hakuban_updates_total: 6,
        hakuban_elections_total: 7,
        hakuban_handovers_total: 8,
        hakuban_refusals_total: 9,
        hakuban_denials_total: 10,
        hakuban_received_messages_total: 11,
        hakuban_sent_messages_total: 12,
        hakuban_received_bytes_total: 13,
        hakuban_sent_bytes_total: 14,
      });
      expect(scraped.get("hakuban_router_info")?.samples).toEqual([{ name: "hakuban_router_info", labels: { name: "first", version: "1.2.3" }, value: 1 }]);

      totals = { ...totals, updates: 60 };
      expect(valueOf(parsePrometheusText(await first.scrape()), "hakuban_updates_total")).toBe(60);
      expect(reads).toBe(2);
      const other = parsePrometheusText(await second.scrape());
      expect(valueOf(other, "hakuban_links")).toBe(7);
      expect(other.get("hakuban_router_info")?.samples[0]?.labels).toEqual({ name: "second", version: "1.2.3" });
      expect(first.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    } finally {
      first.close();
      second.close();
    }
  });
});

describe("the test's Prometheus text reader", () => {
  it("refuses what the exposition format does not allow", () => {
    const family = "# HELP a_total Things.\n# TYPE a_total counter\n";
    expect(valueOf(parsePrometheusText(`${family}a_total 3\n`), "a_total")).toBe(3);
    expect(() => parsePrometheusText(`${family}a_total 3\nb 1\n`)).toThrow(/sample of b, which no TYPE declared/);
    expect(() => parsePrometheusText("# TYPE b gauge\nb 1\n")).toThrow(/sample of b, which has no HELP/);
    expect(() => parsePrometheusText(`${family}a_total 3\na_total 4\n`)).toThrow(/the series a_total\{\} a second time/);
    expect(() => parsePrometheusText(`${family}a_total three\n`)).toThrow(/not a value: three/);
    expect(() => parsePrometheusText(`${family}a_total 3\n# TYPE a_total gauge\n`)).toThrow(/a second TYPE/);
    expect(() => parsePrometheusText(`${family}a_total{x="1} 3\n`)).toThrow(/unreadable labels/);
    expect(() => parsePrometheusText(`${family}a_total 3`)).toThrow(/must end with a line feed/);
  });
});
