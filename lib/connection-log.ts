/**
 * Where `connect` and `listen` write one line per connection event. `severity` is "warn" for failures
 * (a dial that failed, a link that ended with an error, a refusal) and "info" otherwise; lines from the
 * link drivers come without one.
 */
export type ConnectionLog = (line: string, severity?: "info" | "warn") => void;
