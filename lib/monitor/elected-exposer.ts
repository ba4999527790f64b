import type { ExposerPlace } from "../exchange/participants.js";
import type { ElectedExposer } from "./node-snapshot.js";

const CONTRACT: ElectedExposer = Object.freeze({ kind: "contract" });
const UPSTREAM: ElectedExposer = Object.freeze({ kind: "upstream" });

/**
 * Who an exposer is, as a snapshot says it: a contract of this node (no place), a child link (its id,
 * 0 while the link is not registered with the monitor, and its peer's name), or the upstream.
 */
export function electedExposer(place: ExposerPlace | undefined): ElectedExposer {
  if (place === undefined) return CONTRACT;
  if (place.kind === "upstream") return UPSTREAM;
  return { kind: "link", link: place.link.id ?? 0, name: place.link.name ?? null };
}

/** An exposer in a line a person reads: `a contract here`, `"kitchen" (link 3)`, `link 3`, `the upstream`. */
export function describeExposer(exposer: ElectedExposer): string {
  switch (exposer.kind) {
    case "contract":
      return "a contract here";
    case "upstream":
      return "the upstream";
    case "link":
      return exposer.name === null ? `link ${exposer.link}` : `${JSON.stringify(exposer.name)} (link ${exposer.link})`;
  }
}
