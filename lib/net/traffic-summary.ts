import type { SessionMuxStats } from "../../bindings/session-mux-stats.js";

/**
 * One connection's traffic in words, e.g. "12 messages (3.4 KB) in, 15 messages (5.0 KB) out", for
 * the debug line logged when a connection ends.
 */
export function describeTraffic(stats: SessionMuxStats): string {
  return `${count(stats.messagesIn)} (${bytes(stats.bytesIn)}) in, ${count(stats.messagesOut)} (${bytes(stats.bytesOut)}) out`;
}

function count(messages: number): string {
  return messages === 1 ? "1 message" : `${messages} messages`;
}

function bytes(amount: number): string {
  if (amount < 1000) return `${amount} B`;
  if (amount < 1_000_000) return `${(amount / 1000).toFixed(1)} KB`;
  return `${(amount / 1_000_000).toFixed(1)} MB`;
}
