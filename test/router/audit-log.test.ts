import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAuditLog } from "../../lib/router/audit-log.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";

const event = (i: number): AuditEvent => ({ kind: "authenticated", at: 1_000 + i, principal: `user-${i}`, remoteAddress: "127.0.0.1" });

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "hakuban-audit-"));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const lines = (text: string) => text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as unknown);

describe("openAuditLog", () => {
  it("appends one JSON line per event to a file only its owner can read", async () => {
    const file = join(folder, "audit.jsonl");
    const reports: string[] = [];
    const first = openAuditLog(file, { report: (line) => reports.push(line) });
    first.write(event(1));
    first.write({ kind: "denied", at: 5, access: "observe", descriptor: { tags: ["x"], json: { text: "two\nlines" } }, grant: "policy", reason: "no" });
    await first.close();
    const second = openAuditLog(file, { report: (line) => reports.push(line) });
    second.write(event(2));
    await second.close();
    await second.close();
    expect(lines(readFileSync(file, "utf8"))).toEqual([
      event(1),
      { kind: "denied", at: 5, access: "observe", descriptor: { tags: ["x"], json: { text: "two\nlines" } }, grant: "policy", reason: "no" },
      event(2),
    ]);
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(4);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(reports).toEqual([]);
  });

  it('writes to stdout for "-", and leaves it open when closed', async () => {
    const stdout = new PassThrough();
    let text = "";
    stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const log = openAuditLog("-", { report: () => expect.unreachable(), stdout });
    log.write(event(1));
    log.write(event(2));
    await log.close();
    expect(lines(text)).toEqual([event(1), event(2)]);
    expect(stdout.writable).toBe(true);
    expect(stdout.listenerCount("error")).toBe(0);
  });

  it("never throws into the caller when the file cannot be written, and reports that once", async () => {
    const reports: string[] = [];
    let reported!: () => void;
    const firstReport = new Promise<void>((resolve) => (reported = resolve));
    const log = openAuditLog(join(folder, "missing", "audit.jsonl"), { report: (line) => (reports.push(line), reported()) });
    log.write(event(1));
    await firstReport;
    for (let i = 0; i < 5; i++) expect(() => log.write(event(i))).not.toThrow();
    await log.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^audit log .*missing\/audit\.jsonl: cannot write \(ENOENT.*\); audit events are dropped from now on$/);
    expect(log.dropped).toBe(5);
  });

  it("drops an event that is not JSON, reporting it once, and writes the rest", async () => {
    const stdout = new PassThrough();
    let text = "";
    stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const reports: string[] = [];
    const log = openAuditLog("-", { report: (line) => reports.push(line), stdout });
    const bad = { kind: "refused", at: 1, reason: "x", size: 10n } as unknown as AuditEvent;
    log.write(bad);
    log.write(event(1));
    log.write(bad);
    await log.close();
    expect(lines(text)).toEqual([event(1)]);
    expect(reports).toEqual([expect.stringMatching(/^audit log \(stdout\): a "refused" audit event is not JSON \(.*BigInt.*\); such events are dropped$/)]);
    expect(log.dropped).toBe(2);
  });

  it("drops events while the output is behind, reporting when it starts and when it has caught up", async () => {
    const pending: (() => void)[] = [];
    const written: string[] = [];
    const stuck = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        pending.push(callback);
      },
    });
    const reports: string[] = [];
    const log = openAuditLog("-", { report: (line) => reports.push(line), stdout: stuck, maxBufferedBytes: 200 });
    for (let i = 0; i < 20; i++) log.write(event(i));
    expect(reports).toEqual([expect.stringMatching(/^audit log \(stdout\): \d+ bytes wait to be written, more than 200; dropping audit events until it catches up$/)]);
    const dropped = log.dropped;
    expect(dropped).toBeGreaterThan(0);
    const drained = new Promise((resolve) => stuck.once("drain", resolve));
    while (pending.length > 0) pending.shift()!();
    await drained;
    expect(reports[1]).toBe(`audit log (stdout): caught up; ${dropped} audit events were dropped meanwhile`);
    log.write(event(99));
    while (pending.length > 0) pending.shift()!();
    await log.close();
    expect(lines(written.join("")).length).toBe(20 - dropped + 1);
  });
});
