/**
 * Where `connect` and `listen` write one line per connection event; both always pass a `severity`:
 * "warn" for failures (a dial that failed, a server that is not a hakuban listener, a link that ended
 * with an error, a refusal), "info" for the connection events (listening, a child linked or gone,
 * the upstream's status), "debug" for the detail behind them (sockets accepted, the link drivers' own
 * lines such as who welcomed whom and why a parent left, the traffic of each ended connection, the
 * status churn of repeated redials).
 */
export type ConnectionLog = (line: string, severity?: "debug" | "info" | "warn") => void;
