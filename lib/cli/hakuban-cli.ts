#!/usr/bin/env node
// hakuban: a node on the command line. `observe` prints states as JSON lines, `expose` publishes the JSON
// lines of stdin, `top` shows the monitor objects live. Status and errors go to stderr.
// Exit codes: 0 stopped by SIGINT/SIGTERM (or done), 1 refused or unreachable (with --no-retry), 2 bad arguments.
import { createInterface } from "node:readline";
import { type CliIo, EXIT_FAILURE, EXIT_USAGE } from "./cli-io.js";
import { CLI_USAGE, type CliCommand, parseCliArgs } from "./cli-options.js";
import { CliOptionsError } from "./cli-options-error.js";
import { packageVersion } from "../router/package-version.js";
import { runCommand } from "./run-command.js";

let command: CliCommand;
try {
  command = parseCliArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CliOptionsError)) throw error;
  process.stderr.write(`hakuban: ${error.message}\n\n${CLI_USAGE}`);
  process.exit(EXIT_USAGE);
}

if (command.kind === "help") process.stdout.write(CLI_USAGE);
else if (command.kind === "version") process.stdout.write(`hakuban ${packageVersion()}\n`);
else {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal: the user does not want to wait for a clean leave.
    if (stop.signal.aborted) process.exit(EXIT_FAILURE);
    process.stderr.write(`hakuban: ${signal}: leaving\n`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A reader that went away (`hakuban observe … | head -1`) ends the command as a signal does.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    stop.abort();
  });
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
    terminal: process.stdout.isTTY === true,
    // Read at each frame, so top follows a terminal that is resized.
    get columns() {
      return process.stdout.isTTY === true ? process.stdout.columns : undefined;
    },
    signal: stop.signal,
  };
  const code = await runCommand(command, io);
  // stdin (expose) would keep the process alive: exit once what was written to stdout is out.
  process.stdout.write("", () => process.exit(code));
}
