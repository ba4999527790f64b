import { memberAt, memberCount } from "./member-list.js";
import type { ObjectEntry } from "./object-entry.js";
import type { Exposer } from "./participants.js";

/**
 * Exposer election: who of the candidates for an object gets it. Load is balanced by capacity (the
 * candidate whose load per capacity would stay lowest wins), and an existing assignment moves only when
 * the imbalance passes a threshold, so new candidates take over work gradually and nothing churns.
 */

/** How much more loaded (relatively) the current exposer must be before an object moves away from it. */
export const REBALANCE_THRESHOLD = 0.2;

/** Load per capacity `candidate` would have after taking one more object. */
function loadAfterOneMore(candidate: Exposer): number {
  return (candidate.assignedEntries.size + 1) / candidate.capacity;
}

/** The best candidate for `entry`, or undefined when nobody can expose it. */
export function electExposer(entry: ObjectEntry): Exposer | undefined {
  let best: Exposer | undefined;
  let bestScore = Infinity;
  const consider = (candidate: Exposer) => {
    if (candidate.mayExpose !== undefined && !candidate.mayExpose(entry)) return;
    const score = loadAfterOneMore(candidate);
    if (score < bestScore || (score === bestScore && best !== undefined && candidate.id < best.id)) {
      best = candidate;
      bestScore = score;
    }
  };
  const exposers = entry.exposers;
  for (let i = 0, n = memberCount(exposers); i < n; i++) consider(memberAt(exposers, i));
  for (const tag of entry.tags) for (const candidate of tag.exposers) consider(candidate);
  return best;
}

/** Whether an object assigned to `current` should move to `candidate` (imbalance past the threshold). */
export function shouldMove(current: Exposer, candidate: Exposer): boolean {
  if (current === candidate) return false;
  const currentLoad = current.assignedEntries.size / current.capacity;
  return currentLoad > loadAfterOneMore(candidate) * (1 + REBALANCE_THRESHOLD);
}
