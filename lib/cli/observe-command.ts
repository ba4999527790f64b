import type { CliIo } from "./cli-io.js";
import type { ObserveCommand } from "./cli-options.js";
import { reportDenials } from "./denial-report.js";
import { ParentLink } from "./parent-link.js";
import { stateLine } from "./state-line.js";

/**
 * `hakuban observe`: prints each state of the object, or of every object of the tag, as one JSON line
 * on stdout (see stateLine), and says on stderr when the parent's policy denies or grants the access.
 * Resolves with the exit code.
 */
export async function runObserve(command: ObserveCommand, io: CliIo): Promise<number> {
  const link = await ParentLink.open(command.link, io);
  const { target } = command;
  if (target.kind === "tag") {
    const observe = link.node.tag(target.tag).observe();
    reportDenials(observe, `the tag ${target.tag.key}`, io);
    observe.changes$.subscribe(({ descriptor, state }) => io.out(stateLine(descriptor, state)));
  } else {
    const observe = link.node.object(target.object).observe();
    reportDenials(observe, `the object ${target.object.key}`, io);
    let seen = false;
    observe.state$.subscribe((state) => {
      if (state === undefined && !seen) return;
      seen = true;
      io.out(stateLine(observe.descriptor, state));
    });
  }
  return link.end();
}
