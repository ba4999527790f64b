import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { AuditEvent } from "../trust/audit-event.js";

/** Where an audit log reports its own trouble, and where "-" writes. */
export interface AuditLogOptions {
  /**
   * Gets one line per episode of trouble: the log cannot be opened or written (once; every later event
   * is dropped), an event that is not JSON (once), the output falling behind (once when events start
   * being dropped, once when it has caught up, with how many were).
   */
  readonly report: (line: string) => void;
  /** The stream "-" writes to (default process.stdout). */
  readonly stdout?: Writable;
  /** Most bytes waiting to be written before events are dropped, so a stuck disk cannot fill memory (default 8 MiB). */
  readonly maxBufferedBytes?: number;
}

/** An open audit log (`hakuban-router --audit-log FILE|-`). */
export interface AuditLog {
  /** Appends `event` as one line of JSON. Never throws: trouble is reported, and the event dropped. A bound function, fit for `listen({ audit })`. */
  readonly write: (event: AuditEvent) => void;
  /** How many events were dropped so far (unwritable output, not JSON, output behind). */
  readonly dropped: number;
  /** Writes what is pending and closes the file (stdout is left open). Idempotent. */
  close(): Promise<void>;
}

/** Default of AuditLogOptions.maxBufferedBytes. */
const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Opens the audit log at `target`: "-" for stdout, else a file appended to (created readable by its
 * owner only, as audit trails name who did what). One JSON object per line, in the order written.
 */
export function openAuditLog(target: string, options: AuditLogOptions): AuditLog {
  const toStdout = target === "-";
  const name = toStdout ? "audit log (stdout)" : `audit log ${target}`;
  const stream: Writable = toStdout ? (options.stdout ?? process.stdout) : createWriteStream(target, { flags: "a", mode: 0o600 });
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  let broken = false;
  let badEventReported = false;
  let behind = false;
  let droppedBehind = 0;
  let dropped = 0;
  let closing: Promise<void> | undefined;

  const onError = (error: Error): void => {
    broken = true;
    options.report(`${name}: cannot write (${error.message}); audit events are dropped from now on`);
  };
  const onDrain = (): void => {
    if (!behind) return;
    behind = false;
    options.report(`${name}: caught up; ${droppedBehind} audit event${droppedBehind === 1 ? " was" : "s were"} dropped meanwhile`);
    droppedBehind = 0;
  };
  stream.on("error", onError);
  stream.on("drain", onDrain);

  const write = (event: AuditEvent): void => {
    if (broken || closing !== undefined) {
      dropped++;
      return;
    }
    if (stream.writableLength > maxBuffered) {
      dropped++;
      droppedBehind++;
      if (!behind) {
        behind = true;
        options.report(`${name}: ${stream.writableLength} bytes wait to be written, more than ${maxBuffered}; dropping audit events until it catches up`);
      }
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(event) + "\n";
    } catch (error) {
      dropped++;
      if (!badEventReported) {
        badEventReported = true;
        options.report(`${name}: a "${String(event.kind)}" audit event is not JSON (${error instanceof Error ? error.message : String(error)}); such events are dropped`);
      }
      return;
    }
    stream.write(line);
  };

  return {
    write,
    get dropped() {
      return dropped;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const done = (): void => {
          stream.off("drain", onDrain);
          if (toStdout) stream.off("error", onError);
          resolve();
        };
        if (toStdout || stream.closed) {
          done();
          return;
        }
        stream.once("close", done);
        if (!broken) stream.end();
      })),
  };
}
