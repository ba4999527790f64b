/**
 * The catalog of a protocol: every message label (with its stable numeric wire id) and every session
 * family reachable from the main global, shared by all role programs of that protocol.
 */
import type { Family } from "./session-family.js";
import type { GlobalNode } from "./global.js";
import type { MessageSpec } from "./message.js";
import { ProjectionError } from "./projection-error.js";

/**
 * Labels of a whole protocol (main + families) with their wire ids. The labels of the opening exchange
 * (the sends of the main global outside every loop and parallel lane, e.g. a handshake) take the first
 * ids in declaration order; every other label follows in alphabetical order. So the opening exchange
 * keeps its ids when other messages are added or renamed, and two versions of a protocol can always
 * understand each other's handshake (a refusal reaches an older or newer peer), as long as new opening
 * messages are declared after the existing ones.
 */
export interface ProtocolCatalog {
  /** Specs by wire label id. */
  readonly specs: readonly MessageSpec[];
  /** Wire label id by label. */
  readonly ids: ReadonlyMap<string, number>;
  /** Every family reachable from the main protocol, by name. */
  readonly families: ReadonlyMap<string, Family>;
}

/** Calls `visit` for every node of `node` (pre-order, children in declaration order). */
export function walk(node: GlobalNode, visit: (node: GlobalNode) => void): void {
  visit(node);
  switch (node.kind) {
    case "send":
      return;
    case "seq":
      for (const s of node.steps) walk(s, visit);
      return;
    case "par":
      for (const l of node.lanes) walk(l, visit);
      return;
    case "route":
      for (const a of node.arms) walk(a, visit);
      return;
    case "loop":
      walk(node.body, visit);
      return;
  }
}

/** Collects labels and families; rejects a label bound to two different specs and two families with one name. */
export function buildCatalog(main: GlobalNode): ProtocolCatalog {
  const byLabel = new Map<string, MessageSpec>();
  const families = new Map<string, Family>();
  const pending: GlobalNode[] = [main];
  while (pending.length > 0) {
    walk(pending.pop()!, (node) => {
      if (node.kind !== "send") return;
      const spec = node.message;
      const known = byLabel.get(spec.label);
      if (known !== undefined && known !== spec) {
        throw new ProjectionError(
          "",
          `label "${spec.label}" is declared by two different message specs; declare it once with message() and reuse it, or rename one`,
        );
      }
      byLabel.set(spec.label, spec);
      const fam = spec.opens;
      if (fam === undefined) return;
      const seen = families.get(fam.name);
      if (seen === undefined) {
        families.set(fam.name, fam);
        pending.push(fam.global);
      } else if (seen.global !== fam.global) {
        throw new ProjectionError("", `two different session families are named "${fam.name}"; family names must be unique`);
      }
    });
  }
  const opening = openingLabels(main);
  const labels = [...opening, ...[...byLabel.keys()].filter((label) => !opening.includes(label)).sort()];
  return {
    specs: labels.map((l) => byLabel.get(l)!),
    ids: new Map(labels.map((l, i) => [l, i])),
    families,
  };
}

/** The labels sent in `node` outside every loop and parallel lane, in declaration order (each once). */
function openingLabels(node: GlobalNode, into: string[] = []): string[] {
  switch (node.kind) {
    case "send":
      if (!into.includes(node.message.label)) into.push(node.message.label);
      break;
    case "seq":
      for (const step of node.steps) openingLabels(step, into);
      break;
    case "route":
      for (const arm of node.arms) openingLabels(arm, into);
      break;
    case "par":
    case "loop":
      break;
  }
  return into;
}
