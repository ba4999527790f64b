#!/usr/bin/env node
// hakuban-router: a node with a WebSocket listener (and an upstream with --connect), one log line per
// connection event (info and debug on stdout, warnings and errors on stderr), clean shutdown on
// SIGINT/SIGTERM, the policy file read again and the token file's token sent to the parent on SIGHUP.
// Exit codes: 0 stopped by a signal, 1 could not start, 2 bad arguments.
import { packageVersion } from "./package-version.js";
import { startRouter } from "./router.js";
import { ROUTER_LOG_LEVELS, ROUTER_USAGE, type RouterLogLevel, parseRouterArgs } from "./router-options.js";
import { RouterOptionsError } from "./router-options-error.js";

/** Exit code for a command line that could not be understood. */
const EXIT_USAGE = 2;
/** How long shutdown may take before the process exits anyway (with code 1). */
const SHUTDOWN_LIMIT_MS = 5_000;

let command;
try {
  command = parseRouterArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof RouterOptionsError)) throw error;
  process.stderr.write(`hakuban-router: ${error.message}\n\n${ROUTER_USAGE}`);
  process.exit(EXIT_USAGE);
}

if (command.kind === "help") {
  process.stdout.write(ROUTER_USAGE);
} else if (command.kind === "version") {
  process.stdout.write(`hakuban-router ${packageVersion()}\n`);
} else {
  const { options } = command;
  const threshold = ROUTER_LOG_LEVELS.indexOf(options.logLevel);
  const log = (level: RouterLogLevel, line: string): void => {
    if (ROUTER_LOG_LEVELS.indexOf(level) > threshold) return;
    const stream = level === "error" || level === "warn" ? process.stderr : process.stdout;
    stream.write(`${new Date().toISOString()} ${level.padEnd(5)} ${options.name}: ${line}\n`);
  };
  let router;
  try {
    router = await startRouter(options, log);
  } catch (error) {
    log("error", `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const started = router;
  const { policyFile, upstream } = started;
  const { tokenFile } = options;
  // Without a policy or token file, SIGHUP keeps its default (the process ends, as when its terminal closes).
  const reload =
    policyFile === undefined && tokenFile === undefined
      ? undefined
      : (): void => {
          if (policyFile !== undefined) {
            log("info", `SIGHUP: reading the policy file ${policyFile.path} again`);
            void policyFile.reload();
          }
          if (tokenFile !== undefined && upstream !== undefined) {
            log("info", `SIGHUP: sending the parent the token in ${tokenFile} again`);
            upstream.refresh().catch((error: unknown) => log("warn", `the parent did not take the token in ${tokenFile}: ${error instanceof Error ? error.message : String(error)}`));
          }
        };
  if (reload !== undefined) process.on("SIGHUP", reload);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log("warn", `${signal} again: exiting without finishing the shutdown`);
      process.exit(1);
    }
    stopping = true;
    log("info", `${signal}: shutting down`);
    const limit = setTimeout(() => {
      log("error", `shutdown did not finish within ${SHUTDOWN_LIMIT_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    void started.close().then(() => {
      log("info", "stopped");
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (reload !== undefined) process.off("SIGHUP", reload);
      process.exitCode = 0;
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
