/**
 * Where `connect` and `listen` write one line per connection event. `severity` is "warn" for failures
 * (a dial that failed, a link that ended with an error, a refusal), "info" for the other connection
 * events, "debug" for the status churn of repeated redials; the link drivers' own lines come without one.
 */
export type ConnectionLog = (line: string, severity?: "debug" | "info" | "warn") => void;
