import { type FSWatcher, watch } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditSink } from "../trust/audit-event.js";
import { parsePolicyText, POLICY_LIMITS } from "../trust/parse-policy.js";
import type { Policy } from "../trust/policy.js";
import { PolicyError } from "../trust/policy-error.js";
import { PolicyFileError } from "./policy-file-error.js";
import type { RouterLog } from "./router.js";

/** What to do with a policy file's changes. */
export interface PolicyFileOptions {
  /** Gets each policy that takes effect after the first (the file changed and validated). */
  readonly onChange: (policy: Policy) => void;
  /** Log lines: "info" when a new policy takes effect, "warn" when a file is rejected or cannot be watched. */
  readonly log: RouterLog;
  /** Gets a `policy-changed` or `policy-rejected` event for each reload that changed or was refused. */
  readonly audit?: AuditSink;
  /** Milliseconds a burst of file-system events settles before the file is read again (default 100). */
  readonly settleMs?: number;
}

/** How a reload ended: a new policy took effect, the file had not changed, or it was rejected (the previous policy stays). */
export type PolicyReload = "applied" | "unchanged" | "rejected";

/** A policy file being followed (`hakuban-router --policy FILE`). */
export interface PolicyFile {
  readonly path: string;
  /** The policy in force: the last content of the file that validated. */
  readonly policy: Policy;
  /**
   * Reads the file again now (what SIGHUP does): applies it when it changed and validates; otherwise
   * logs why it was rejected (again, when it was already) and keeps the previous policy. Reloads run
   * one after another.
   */
  reload(): Promise<PolicyReload>;
  /** Stops watching (and waits for a reload under way). Idempotent. */
  close(): Promise<void>;
}

/** Default of PolicyFileOptions.settleMs. */
const DEFAULT_SETTLE_MS = 100;

/**
 * Loads the policy at `path` and follows it: any change in its folder (editors replace files, Kubernetes
 * swaps a symbolic link) reads it again once events settle, and `reload()` does so at once. A file that
 * does not parse or validate is rejected with a log line naming the place and what to fix (once per
 * bad content), and the previous policy stays: a bad edit never opens anything up. Rejects with PolicyFileError when the first
 * read fails, so the router does not start on a policy it does not have.
 */
export async function loadPolicyFile(path: string, options: PolicyFileOptions): Promise<PolicyFile> {
  let current: { readonly text: string; readonly policy: Policy };
  try {
    const text = await readPolicyText(path);
    current = { text, policy: parsePolicyText(text) };
  } catch (error) {
    throw new PolicyFileError(`Policy file ${path}: ${describe(error)}`, { cause: error });
  }
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  let queue: Promise<unknown> = Promise.resolve();
  let settling: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  /** The text last rejected (or, for a file that could not be read, why), so the folder's further events do not log it again. */
  let rejected: string | undefined;

  const reloadNow = async (asked: boolean): Promise<PolicyReload> => {
    let text: string | undefined;
    let policy: Policy;
    try {
      text = await readPolicyText(path);
      if (text === current.text) return "unchanged";
      policy = parsePolicyText(text);
    } catch (error) {
      const reason = describe(error);
      const again = text ?? reason;
      if (again === rejected && !asked) return "rejected";
      rejected = again;
      options.log("warn", `policy file ${path} rejected, the previous policy stays: ${reason}`);
      options.audit?.({ kind: "policy-rejected", at: Date.now(), source: path, reason });
      return "rejected";
    }
    current = { text, policy };
    rejected = undefined;
    options.log("info", `policy file ${path}: ${policy.rules.length} rule${policy.rules.length === 1 ? "" : "s"} in force`);
    options.audit?.({ kind: "policy-changed", at: Date.now(), source: path, rules: policy.rules.length });
    options.onChange(policy);
    return "applied";
  };
  const enqueue = (asked: boolean): Promise<PolicyReload> => {
    const next = queue.then(() => (closed ? ("unchanged" as const) : reloadNow(asked)));
    queue = next;
    return next;
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, () => {
      if (settling !== undefined || closed) return;
      settling = setTimeout(() => {
        settling = undefined;
        void enqueue(false);
      }, settleMs);
    });
    watcher.on("error", (error) => unwatchable(error));
  } catch (error) {
    unwatchable(error);
  }
  function unwatchable(error: unknown): void {
    watcher?.close();
    watcher = undefined;
    options.log("warn", `policy file ${path}: cannot watch ${dirname(path)} for changes (${error instanceof Error ? error.message : String(error)}); changes take effect on SIGHUP only`);
  }

  return {
    path,
    get policy() {
      return current.policy;
    },
    reload: () => enqueue(true),
    close: async () => {
      closed = true;
      watcher?.close();
      watcher = undefined;
      if (settling !== undefined) clearTimeout(settling);
      settling = undefined;
      await queue;
    },
  };
}

/** The file's text, refusing a file larger than a policy may be before reading it. */
async function readPolicyText(path: string): Promise<string> {
  const size = (await stat(path)).size;
  if (size > POLICY_LIMITS.maxLength) {
    throw new PolicyError("policy", `the file has ${size} bytes, more than ${POLICY_LIMITS.maxLength}; split what it grants among fewer, broader selectors`);
  }
  return readFile(path, "utf8");
}

/** A read or parse failure in words for log lines: the PolicyError's message, or why the file cannot be read. */
function describe(error: unknown): string {
  if (error instanceof PolicyError) return error.message;
  return `cannot read it (${error instanceof Error ? error.message : String(error)})`;
}
