/**
 * What a command reads and writes, so it runs in a test as it does in a terminal: the entry gives it
 * the process's streams and an AbortSignal that SIGINT and SIGTERM abort.
 */
export interface CliIo {
  /** Writes text on stdout (the command's output: JSON lines, top's frames). */
  readonly out: (text: string) => void;
  /** Writes text on stderr (status and errors). */
  readonly err: (text: string) => void;
  /** The lines of stdin, without their line ends (expose reads them). */
  readonly lines: () => AsyncIterable<string>;
  /** Whether stdout is a terminal (top redraws in place there). */
  readonly terminal: boolean;
  /** The terminal's width in columns now, when stdout is one (top cuts its lines to it). */
  readonly columns?: number | undefined;
  /** Aborted when the command should stop (SIGINT, SIGTERM): it leaves cleanly and exits 0. */
  readonly signal: AbortSignal;
}

/** Exit code: stopped by a signal, or done. */
export const EXIT_OK = 0;
/** Exit code: the parent refused the link, could not be reached or was lost with --no-retry, or a file could not be read. */
export const EXIT_FAILURE = 1;
/** Exit code: the command line could not be understood. */
export const EXIT_USAGE = 2;
