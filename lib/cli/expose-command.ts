import type { ObjectExpose } from "../contracts/object-expose.js";
import type { JsonValue } from "../descriptor/json-value.js";
import type { CliIo } from "./cli-io.js";
import type { ExposeCommand } from "./cli-options.js";
import { reportDenials } from "./denial-report.js";
import { ParentLink } from "./parent-link.js";

/**
 * `hakuban expose`: publishes each line of stdin, a JSON value, as the object's new state (a line that
 * is not JSON, or that the object cannot take, is reported on stderr with its number and skipped; blank
 * lines are skipped). At the end of stdin the last state stays exposed until a signal, or with
 * `--exit-at-end` until the object is observed (an exposer is assigned only then, and publishes its
 * state at once), and the command exits. Resolves with the exit code.
 */
export async function runExpose(command: ExposeCommand, io: CliIo): Promise<number> {
  const link = await ParentLink.open(command.link, io);
  const expose = link.node.object(command.object).expose<JsonValue>();
  reportDenials(expose, `the object ${command.object.key}`, io);
  const published = publishLines(expose, io);
  const done = command.exitAtEnd ? published.then((any) => (any ? whenAssigned(expose) : undefined)) : undefined;
  return link.end(done);
}

/** Publishes stdin's lines until it ends (or the contract does); resolves with whether any state was set. Never rejects. */
async function publishLines(expose: ObjectExpose<JsonValue>, io: CliIo): Promise<boolean> {
  let published = false;
  let number = 0;
  try {
    for await (const line of io.lines()) {
      number++;
      if (expose.terminated) break;
      if (line.trim() === "") continue;
      let value: JsonValue;
      try {
        value = JSON.parse(line) as JsonValue;
      } catch (error) {
        io.err(`hakuban: stdin line ${number} is not JSON (${messageOf(error)}); skipped\n`);
        continue;
      }
      try {
        expose.set(value);
        published = true;
      } catch (error) {
        io.err(`hakuban: stdin line ${number} cannot be the object's state (${messageOf(error)}); skipped\n`);
      }
    }
  } catch (error) {
    io.err(`hakuban: cannot read stdin (${messageOf(error)}); exposing the last state read\n`);
  }
  return published;
}

/** Resolves once the exposer is assigned (now or later). */
function whenAssigned(expose: ObjectExpose<JsonValue>): Promise<void> {
  if (expose.assigned) return Promise.resolve();
  return new Promise((resolve) => {
    // Unassigned now, so the first change is the assignment.
    const stop = expose.onAssigned(() => {
      stop();
      resolve();
    });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
