/**
 * Where `connect` and `listen` write one line per connection event. `severity` is "warn" for failures
 * (a dial that failed, a link that ended with an error, a refusal) and "info" for the other connection
 * events; the link drivers' own, more detailed lines come without one.
 */
export type ConnectionLog = (line: string, severity?: "info" | "warn") => void;
