// Helpers shared by the networked examples: run for a bounded time, or until Ctrl-C / SIGTERM.

/** Resolves after `ms` milliseconds (never, when Infinity) or as soon as `signal` aborts. */
export function untilStopped(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** An AbortSignal that aborts on Ctrl-C or SIGTERM, so a standalone example can shut down cleanly. */
export function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return controller.signal;
}
