/** What a WebSocket URL is for: a port must be real to dial it, while 0 asks a listener to pick one. */
export type WebSocketUrlUse = "dial" | "listen";

/** How a well-formed WebSocket URL looks, for error messages. */
const WELL_FORMED: Readonly<Record<WebSocketUrlUse, string>> = {
  dial: "Write it as ws://HOST:PORT[/PATH] (wss:// for TLS), e.g. ws://127.0.0.1:3001",
  listen: "Write it as ws://HOST:PORT[/PATH], e.g. ws://127.0.0.1:3001 (port 0 picks a free one)",
};

/**
 * Parses `text` as a ws: or wss: URL, or throws a TypeError saying what is wrong with it (no scheme,
 * another scheme, a port that is not a number or out of range, a fragment...) and what a valid URL
 * looks like. `connect` checks its URL with it so a typo fails at once instead of redialing forever.
 */
export function parseWebSocketUrl(text: string, use: WebSocketUrlUse = "dial"): URL {
  const problem = problemOf(text, use);
  if (typeof problem === "string") throw new TypeError(`"${text}" is not a valid WebSocket URL: ${problem}. ${WELL_FORMED[use]}.`);
  return problem;
}

/** The parsed URL, or what is wrong with the text. */
function problemOf(text: string, use: WebSocketUrlUse): URL | string {
  if (text.trim() === "") return "it is empty";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const missingColon = /^(wss?)\/\//i.exec(text)?.[1];
    if (missingColon !== undefined) return `the scheme needs a colon: "${missingColon}://", not "${missingColon}//"`;
    return "it does not start with ws:// or wss://";
  }
  if (scheme !== "ws" && scheme !== "wss") {
    const instead = scheme === "http" ? " (use ws:// for a plain connection)" : scheme === "https" ? " (use wss:// for TLS)" : "";
    return `its scheme is ${scheme}://, and a WebSocket URL starts with ws:// or wss://${instead}`;
  }
  const authority = text.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? "";
  const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1);
  const portText = hostAndPort.startsWith("[") ? /\]:(.*)$/.exec(hostAndPort)?.[1] : /:([^:]*)$/.exec(hostAndPort)?.[1];
  const host = portText === undefined ? hostAndPort : hostAndPort.slice(0, -(portText.length + 1));
  if (host === "" || host === "[]") return "it has no host";
  if (portText !== undefined && portText !== "") {
    if (!/^\d+$/.test(portText)) return `its port "${portText}" is not a number`;
    const port = Number(portText);
    if (port > 65_535) return `its port ${port} is out of range (ports go up to 65535)`;
    if (port === 0 && use === "dial") return "port 0 cannot be dialed (0 only asks a listener to pick a free port)";
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    // URL throws a TypeError for what it cannot parse (by name: it may come from another realm).
    if ((error as { name?: unknown } | null)?.name !== "TypeError") throw error;
    return `its host "${host}" is not a valid host name or address`;
  }
  if (url.href.includes("#")) return `it has a fragment ("${url.hash || "#"}"), and WebSocket URLs cannot have one`;
  return url;
}
