/**
 * The check of a listener's `allowedOrigins`: browsers send the page's origin with every WebSocket
 * upgrade, so a page of another site cannot open a link with its visitor's cookies (cross-site
 * WebSocket hijacking). Entries and headers are compared as URL origins (scheme, host and port, the
 * scheme's default port left out, lower case). An upgrade without an Origin header (a client that is
 * not a browser) passes; an Origin that is not a URL ("null" from a sandboxed page or a file) does not.
 * Undefined `allowed` lets every origin pass. Throws RangeError for an entry that is not an origin.
 */
export function originCheck(allowed: readonly string[] | undefined): (origin: string | undefined) => boolean {
  if (allowed === undefined) return () => true;
  const origins = new Set(allowed.map(originOfEntry));
  return (origin) => origin === undefined || origins.has(originOf(origin) ?? "");
}

/** The entry as an origin, or a RangeError saying how to write one. */
function originOfEntry(entry: string): string {
  const origin = originOf(entry);
  const url = origin === undefined ? undefined : new URL(entry);
  if (url === undefined || origin === undefined || url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new RangeError(
      `allowedOrigins: ${JSON.stringify(entry)} is not an origin; write scheme://host[:port] as browsers send it, e.g. "https://app.example.com" (http or https, no path, query or credentials)`,
    );
  }
  return origin;
}

/** The http: or https: origin a text names, lower case and without a default port; undefined for anything else. */
function originOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
}
