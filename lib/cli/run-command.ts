import { CliFileError } from "./cli-file-error.js";
import { type CliIo, EXIT_FAILURE } from "./cli-io.js";
import type { ExposeCommand, ObserveCommand, TopCommand } from "./cli-options.js";
import { runExpose } from "./expose-command.js";
import { runObserve } from "./observe-command.js";
import { runTop } from "./top-command.js";

/** Runs one of the client's commands; resolves with its exit code (1, said on stderr, for a `--token-file` that cannot be read). */
export async function runCommand(command: ObserveCommand | ExposeCommand | TopCommand, io: CliIo): Promise<number> {
  try {
    if (command.kind === "observe") return await runObserve(command, io);
    if (command.kind === "expose") return await runExpose(command, io);
    return await runTop(command, io);
  } catch (error) {
    if (!(error instanceof CliFileError)) throw error;
    io.err(`hakuban: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}
