import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PolicyFile, loadPolicyFile } from "../../lib/router/policy-file.js";
import { PolicyFileError } from "../../lib/router/policy-file-error.js";
import type { RouterLogLevel } from "../../lib/router/router-options.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import type { Policy } from "../../lib/trust/policy.js";

const READERS = { rules: [{ observe: [{ tag: "news" }] }] };
const WRITERS = { rules: [{ observe: [{ tag: "news" }] }, { expose: [{ object: { owner: { $claim: "id" } } }] }] };

/** Everything a policy file tells its owner, in order, with a way to wait for the next of a kind. */
class Happenings {
  readonly changes: Policy[] = [];
  readonly lines: [RouterLogLevel, string][] = [];
  readonly events: AuditEvent[] = [];
  private waiters: (() => void)[] = [];

  readonly options = {
    onChange: (policy: Policy) => this.push(() => this.changes.push(policy)),
    log: (level: RouterLogLevel, line: string) => this.push(() => this.lines.push([level, line])),
    audit: (event: AuditEvent) => this.push(() => this.events.push(event)),
    settleMs: 5,
  };

  private push(record: () => void): void {
    record();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `condition` holds, checked after each happening (never by the clock). */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

let folder: string;
let file: string;
let opened: PolicyFile | undefined;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "hakuban-policy-"));
  file = join(folder, "policy.json");
});
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  rmSync(folder, { recursive: true, force: true });
});

/** Replaces the file at once, as editors and configuration tools do (a rename, never a half-written file). */
function replace(text: string): void {
  const next = join(folder, `next-${Math.random()}.tmp`);
  writeFileSync(next, text);
  renameSync(next, file);
}

describe("loadPolicyFile", () => {
  it("loads the policy, then applies each valid change of the file as it happens", async () => {
    replace(JSON.stringify(READERS));
    const seen = new Happenings();
    opened = await loadPolicyFile(file, seen.options);
    expect(opened.policy).toEqual(READERS);
    expect(seen.changes).toEqual([]);
    replace(JSON.stringify(WRITERS));
    await seen.until(() => seen.changes.length === 1);
    expect(seen.changes[0]).toEqual(WRITERS);
    expect(opened.policy).toBe(seen.changes[0]);
    expect(seen.lines).toContainEqual(["info", `policy file ${file}: 2 rules in force`]);
    expect(seen.events).toEqual([{ kind: "policy-changed", at: expect.any(Number), source: file, rules: 2 }]);
  });

  it("rejects a bad file with a line naming the place and the problem, keeps the previous policy, and applies the fixed file", async () => {
    replace(JSON.stringify(READERS));
    const seen = new Happenings();
    opened = await loadPolicyFile(file, seen.options);
    replace(JSON.stringify({ rules: [{ observe: [{ tag: "news" }, {}] }] }));
    await seen.until(() => seen.lines.some(([level]) => level === "warn"));
    const reason = 'Invalid policy at rules[0].observe[1]: an empty selector selects nothing; give "tag", "object" or both (e.g. {"tag": "chat"}), or {"any": true} for every object';
    expect(seen.lines).toEqual([["warn", `policy file ${file} rejected, the previous policy stays: ${reason}`]]);
    expect(seen.events).toEqual([{ kind: "policy-rejected", at: expect.any(Number), source: file, reason }]);
    expect(opened.policy).toEqual(READERS);
    expect(seen.changes).toEqual([]);
    replace(JSON.stringify(WRITERS));
    await seen.until(() => seen.changes.length === 1);
    expect(opened.policy).toEqual(WRITERS);
  });

  it("reload() reads the file at once and says what came of it", async () => {
    replace(JSON.stringify(READERS));
    const seen = new Happenings();
    opened = await loadPolicyFile(file, { ...seen.options, settleMs: 60_000 });
    expect(await opened.reload()).toBe("unchanged");
    replace("{ not json");
    expect(await opened.reload()).toBe("rejected");
    expect(seen.lines.at(-1)![1]).toMatch(/rejected, the previous policy stays: Invalid policy at policy: is not JSON \(.*\); fix the syntax$/);
    const lines = seen.lines.length;
    expect(await opened.reload()).toBe("rejected");
    expect(seen.lines.length).toBe(lines + 1);
    rmSync(file);
    expect(await opened.reload()).toBe("rejected");
    expect(seen.lines.at(-1)![1]).toMatch(/rejected, the previous policy stays: cannot read it \(ENOENT/);
    replace(JSON.stringify(WRITERS));
    expect(await opened.reload()).toBe("applied");
    expect(await opened.reload()).toBe("unchanged");
    expect(seen.changes).toEqual([WRITERS]);
    expect(opened.policy).toEqual(WRITERS);
  });

  it("refuses a file larger than a policy may be without reading it", async () => {
    replace(JSON.stringify(READERS));
    const seen = new Happenings();
    opened = await loadPolicyFile(file, { ...seen.options, settleMs: 60_000 });
    replace(" ".repeat(2 * 1024 * 1024));
    expect(await opened.reload()).toBe("rejected");
    expect(seen.lines.at(-1)![1]).toMatch(/the file has 2097152 bytes, more than 1048576/);
    expect(opened.policy).toEqual(READERS);
  });

  it("does not start on a file that cannot be read or does not validate", async () => {
    const seen = new Happenings();
    await expect(loadPolicyFile(file, seen.options)).rejects.toThrow(PolicyFileError);
    await expect(loadPolicyFile(file, seen.options)).rejects.toThrow(new RegExp(`^Policy file ${file}: cannot read it \\(ENOENT`));
    replace(JSON.stringify({ rules: [{ principal: {} }] }));
    await expect(loadPolicyFile(file, seen.options)).rejects.toThrow(`Policy file ${file}: Invalid policy at rules[0].principal: an empty "principal" matches every link; leave "principal" out to say so`);
  });

  it("after close, reloads do nothing", async () => {
    replace(JSON.stringify(READERS));
    const seen = new Happenings();
    const policyFile = await loadPolicyFile(file, seen.options);
    await policyFile.close();
    replace(JSON.stringify(WRITERS));
    expect(await policyFile.reload()).toBe("unchanged");
    expect(policyFile.policy).toEqual(READERS);
    expect(seen.changes).toEqual([]);
  });
});
