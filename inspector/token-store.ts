/** The key the token is kept under in sessionStorage (for this tab only, gone when it closes). */
const STORAGE_KEY = "hakuban-inspector-token";

/**
 * The token the page links with: one given in the URL's fragment (`#token=…`) is taken, kept in
 * sessionStorage and removed from the address bar (so it is not shared with the URL); otherwise the
 * kept one, if any.
 */
export function readToken(): string | undefined {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromFragment !== null && fromFragment !== "") {
    saveToken(fromFragment);
    history.replaceState(null, "", location.pathname + location.search);
    return fromFragment;
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Keeps `token` for this tab. */
export function saveToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}
