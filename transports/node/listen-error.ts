import { CarrierError } from "../carrier-error.js";

/**
 * A listener could not start. `systemCode` says what the system refused and the message says what to
 * do about it: the address is in use (EADDRINUSE), not an address of this machine (EADDRNOTAVAIL),
 * a host name that does not resolve (ENOTFOUND), a privileged port (EACCES).
 */
export class ListenError extends CarrierError {
  readonly code = "LISTEN_FAILED";

  /** The address the listener tried to bind, "host:port". */
  readonly address: string;

  /** The system's error code, e.g. "EADDRINUSE"; undefined when the failure carried none. */
  readonly systemCode: string | undefined;

  /** `cause` is the error the bind failed with; its `code` becomes `systemCode`. */
  constructor(address: string, cause: unknown) {
    const systemCode = systemCodeOf(cause);
    const known = systemCode === undefined ? undefined : EXPLANATIONS[systemCode];
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      known === undefined
        ? `Could not listen on ${address}: ${detail}. Check the host and the port.`
        : `Could not listen on ${address}: ${known.what} (${systemCode}). ${known.advice}`,
      { cause },
    );
    this.address = address;
    this.systemCode = systemCode;
  }
}

/** What each common bind failure means, and what to do about it. */
const EXPLANATIONS: Readonly<Record<string, { readonly what: string; readonly advice: string }>> = {
  EADDRINUSE: {
    what: "the address is already in use",
    advice: "Another process (perhaps another router) listens there: stop it, or pick another port (0 lets the system choose).",
  },
  EADDRNOTAVAIL: {
    what: "the address is not available",
    advice: "The host is not an address of this machine: bind one of its own addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).",
  },
  ENOTFOUND: {
    what: "the host was not found",
    advice: "The host name does not resolve to an address: check its spelling, or bind an IP address such as 127.0.0.1 or 0.0.0.0.",
  },
  EAI_AGAIN: {
    what: "the host name could not be resolved now",
    advice: "Name resolution failed for the moment: check the DNS configuration, or bind an IP address such as 127.0.0.1 or 0.0.0.0.",
  },
  EACCES: {
    what: "permission denied",
    advice: "Ports below 1024 need privileges: pick a port from 1024 up.",
  },
};

function systemCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
