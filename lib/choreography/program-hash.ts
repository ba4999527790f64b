/**
 * programHash: a short, stable fingerprint of a protocol's canonical structure (roles, labels, shape,
 * lane names, families and what announces them; not schema code), for peers to compare in a handshake.
 */
import type { GlobalNode } from "./global.js";
import type { Family } from "./session-family.js";

/** Nested `seq`s flatten and one-step `seq`s vanish, so equivalent declarations share a form. */
function flatSteps(node: GlobalNode, into: GlobalNode[]): GlobalNode[] {
  if (node.kind === "seq") for (const s of node.steps) flatSteps(s, into);
  else into.push(node);
  return into;
}

function canonical(node: GlobalNode, families: Map<string, Family>): string {
  const q = JSON.stringify;
  switch (node.kind) {
    case "send": {
      const fam = node.message.opens;
      if (fam !== undefined && !families.has(fam.name)) families.set(fam.name, fam);
      return `S(${q(node.from)},${q(node.to)},${q(node.message.label)}${fam === undefined ? "" : `,opens=${q(fam.name)}`})`;
    }
    case "seq": {
      const steps = flatSteps(node, []);
      return steps.length === 1 ? canonical(steps[0]!, families) : `Q(${steps.map((s) => canonical(s, families)).join(",")})`;
    }
    case "par":
      return `P(${node.lanes.map((l, i) => `${node.names[i] === undefined ? "" : q(node.names[i]) + "="}${canonical(l, families)}`).join(",")})`;
    case "route":
      return `R(${q(node.controller)};${node.arms.map((a) => canonical(a, families)).join(",")})`;
    case "loop":
      return `L(${q(node.controller)};${canonical(node.body, families)})`;
  }
}

/** The canonical text the hash is computed from (exported for debugging mismatches). */
export function canonicalForm(global: GlobalNode): string {
  const families = new Map<string, Family>();
  let text = canonical(global, families);
  const done = new Set<string>();
  for (let more = true; more; ) {
    more = false;
    for (const [name, fam] of [...families].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (done.has(name)) continue;
      done.add(name);
      more = true;
      text += `;F(${JSON.stringify(name)}:${canonical(fam.global, families)})`;
    }
  }
  return text;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** 64-bit FNV-1a of the canonical form's UTF-8 bytes, as 16 lower-case hex digits. */
export function programHash(global: GlobalNode): string {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(canonicalForm(global))) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
  return h.toString(16).padStart(16, "0");
}
