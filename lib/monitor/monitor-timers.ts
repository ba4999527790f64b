/** The interval timer a monitor refreshes its object with; injectable, so tests drive refreshes themselves. */
export interface MonitorTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * The runtime's timers. In Node the timer is unref'd: a node publishing its monitor object does not keep
 * its process alive (browsers have no such notion).
 */
export const RUNTIME_TIMERS: MonitorTimers = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearInterval(handle) {
    clearInterval(handle as ReturnType<typeof setInterval>);
  },
};
