/**
 * project(global, role): validates a protocol for every role and compiles the requested role's program
 * (and its session families' programs). Rejections throw a ProjectionError naming the step.
 */
import type { EventsOf, Global, GlobalNode, RolesOf, SendNode } from "./global.js";
import { walk, buildCatalog, type ProtocolCatalog } from "./protocol-catalog.js";
import { programHash } from "./program-hash.js";
import { ProjectionError } from "./projection-error.js";
import { END, FORK, RECV, RoleProgram, SEND, type ForkInfo, type LaneInfo } from "./role-program.js";

/** Compiler-only state kind: a route or loop head, merged from its alternatives once they are known. */
const CHOICE = 5;

/** A step occurrence: a node at one place of the protocol, with its path and lane. */
interface Occurrence {
  readonly node: GlobalNode;
  readonly path: string;
  readonly lane: number;
  readonly children: readonly Occurrence[];
  /** Lane ids of a par's lanes. */
  readonly laneIds: readonly number[];
}

interface LaneDecl {
  readonly name: string | undefined;
  readonly parent: number;
}

interface Choice {
  readonly route: boolean;
  readonly controller: string;
  readonly path: string;
  /** Alternatives: route arms in order, or [body, exit] for a loop. */
  readonly alternatives: readonly number[];
}

function describe(node: GlobalNode): string {
  switch (node.kind) {
    case "send":
      return `${node.from}->${node.to} ${node.message.label}`;
    case "route":
      return `route(${node.controller})`;
    case "loop":
      return `loop(${node.controller})`;
    default:
      return node.kind;
  }
}

function join(prefix: string, segment: string): string {
  return prefix === "" ? segment : `${prefix} > ${segment}`;
}

/** Numbers lanes in pre-order and names every step occurrence. */
function annotate(root: GlobalNode): { root: Occurrence; lanes: LaneDecl[] } {
  const lanes: LaneDecl[] = [{ name: undefined, parent: -1 }];
  const names = new Set<string>();
  const visit = (node: GlobalNode, prefix: string, lane: number): Occurrence => {
    const path = node.kind === "seq" ? prefix : join(prefix, describe(node));
    switch (node.kind) {
      case "send":
        return { node, path, lane, children: [], laneIds: [] };
      case "seq":
        return {
          node,
          path,
          lane,
          children: node.steps.map((s, i) => visit(s, join(prefix, `step ${i + 1}`), lane)),
          laneIds: [],
        };
      case "par": {
        const laneIds = node.lanes.map((_, i) => {
          const name = node.names[i];
          if (name !== undefined) {
            if (names.has(name)) throw new ProjectionError(path, `lane name "${name}" is used twice; lane names must be unique in a protocol`);
            names.add(name);
          }
          lanes.push({ name, parent: lane });
          return lanes.length - 1;
        });
        const children = node.lanes.map((l, i) => {
          const name = node.names[i];
          return visit(l, join(path, name === undefined ? `lane ${laneIds[i]}` : `lane ${laneIds[i]} "${name}"`), laneIds[i]!);
        });
        return { node, path, lane, children, laneIds };
      }
      case "route":
        return { node, path, lane, children: node.arms.map((a, i) => visit(a, join(path, `arm ${i + 1}`), lane)), laneIds: [] };
      case "loop":
        return { node, path, lane, children: [visit(node.body, path, lane)], laneIds: [] };
    }
  };
  return { root: visit(root, "", 0), lanes };
}

/** What a step can begin with, within its own lane. */
interface Firsts {
  /** Messages that can come first (with the path of the send). */
  readonly sends: readonly Occurrence[];
  /** True if the step can finish without any message. */
  readonly nullable: boolean;
  /** True if it can begin with a par (so its first messages are in other lanes). */
  readonly forks: boolean;
}

function firsts(occ: Occurrence): Firsts {
  const node = occ.node;
  switch (node.kind) {
    case "send":
      return { sends: [occ], nullable: false, forks: false };
    case "seq": {
      const sends: Occurrence[] = [];
      let forks = false;
      for (const child of occ.children) {
        const f = firsts(child);
        sends.push(...f.sends);
        forks ||= f.forks;
        if (!f.nullable) return { sends, nullable: false, forks };
      }
      return { sends, nullable: true, forks };
    }
    case "par":
      return { sends: [], nullable: false, forks: true };
    case "route": {
      const all = occ.children.map(firsts);
      return { sends: all.flatMap((f) => f.sends), nullable: all.some((f) => f.nullable), forks: all.some((f) => f.forks) };
    }
    case "loop":
      return { ...firsts(occ.children[0]!), nullable: true };
  }
}

function labelsIn(node: GlobalNode): Set<string> {
  const labels = new Set<string>();
  walk(node, (n) => {
    if (n.kind === "send") labels.add(n.message.label);
  });
  return labels;
}

function rolesIn(node: GlobalNode): string[] {
  const roles = new Set<string>();
  walk(node, (n) => {
    if (n.kind === "send") roles.add(n.from).add(n.to);
    else if (n.kind === "route" || n.kind === "loop") roles.add(n.controller);
  });
  return [...roles];
}

function sendOf(occ: Occurrence): SendNode {
  return occ.node as SendNode;
}

/** Role-independent rules: no self-sends, guarded routes and loops, lanes with disjoint labels. */
function checkShape(occ: Occurrence): void {
  const node = occ.node;
  switch (node.kind) {
    case "send":
      if (node.from === node.to) throw new ProjectionError(occ.path, `${node.from} sends to itself; a message goes from one role to another`);
      break;
    case "par": {
      if (node.lanes.length === 0) throw new ProjectionError(occ.path, "par has no lanes");
      const owner = new Map<string, number>();
      node.lanes.forEach((lane, i) => {
        for (const label of labelsIn(lane)) {
          const other = owner.get(label);
          if (other !== undefined) {
            throw new ProjectionError(
              occ.path,
              `label "${label}" is used in parallel lanes ${occ.laneIds[other]} and ${occ.laneIds[i]}; labels must be unique across parallel lanes so every message belongs to exactly one lane`,
            );
          }
          owner.set(label, i);
        }
      });
      break;
    }
    case "route": {
      if (node.arms.length === 0) throw new ProjectionError(occ.path, "route has no arms");
      const armOf = new Map<string, number>();
      occ.children.forEach((arm, i) => {
        const f = firsts(arm);
        if (f.forks) throw new ProjectionError(arm.path, `arm ${i + 1} begins with a par; every arm must begin with a message from ${node.controller} in the route's own lane`);
        if (f.nullable) throw new ProjectionError(arm.path, `arm ${i + 1} can begin without a message; every arm must begin with a message from ${node.controller} so the other roles can tell which arm was taken`);
        for (const first of f.sends) {
          const s = sendOf(first);
          if (s.from !== node.controller) {
            throw new ProjectionError(
              first.path,
              `arms of ${describe(node)} start with different senders: arm ${i + 1} starts with ${s.message.label} from ${s.from}, but every arm must start with a message from the controller ${node.controller}`,
            );
          }
          const other = armOf.get(s.message.label);
          if (other !== undefined && other !== i) {
            throw new ProjectionError(occ.path, `${s.to} cannot tell which arm was taken: label "${s.message.label}" starts arm ${other + 1} and arm ${i + 1}`);
          }
          armOf.set(s.message.label, i);
        }
      });
      break;
    }
    case "loop": {
      const f = firsts(occ.children[0]!);
      if (f.forks) throw new ProjectionError(occ.path, `unguarded loop: its body begins with a par; it must begin with a message from ${node.controller} in the loop's lane`);
      if (f.nullable) {
        throw new ProjectionError(occ.path, `unguarded loop: its body can repeat without a message, so the other roles cannot tell that ${node.controller} started a new round`);
      }
      for (const first of f.sends) {
        const s = sendOf(first);
        if (s.from !== node.controller) {
          throw new ProjectionError(
            first.path,
            `unguarded loop: ${describe(node)} is controlled by ${node.controller} but its body can start with ${s.message.label} from ${s.from}; the controller must send first`,
          );
        }
      }
      break;
    }
    case "seq":
      break;
  }
  for (const child of occ.children) checkShape(child);
}

/** Compiles one role's state tables for one protocol (the main one or a family). */
class RoleCompiler {
  private readonly kinds: number[] = [];
  private readonly lanesOf: number[] = [];
  private readonly finals: boolean[] = [];
  private readonly paths: string[] = [];
  private readonly trans: (Map<number, number> | undefined)[] = [];
  private readonly notes = new Map<number, Map<number, string>>();
  private readonly forks = new Map<number, ForkInfo>();
  private readonly choices = new Map<number, Choice>();
  private readonly resolved = new Map<number, number>();
  private readonly resolving = new Set<number>();
  private readonly involved = new Map<GlobalNode, boolean>();

  constructor(
    private readonly role: string,
    private readonly catalog: ProtocolCatalog,
  ) {}

  private add(kind: number, lane: number, path: string, final = false): number {
    this.kinds.push(kind);
    this.lanesOf.push(lane);
    this.finals.push(final);
    this.paths.push(path);
    this.trans.push(kind === SEND || kind === RECV ? new Map() : undefined);
    return this.kinds.length - 1;
  }

  private involves(node: GlobalNode): boolean {
    let known = this.involved.get(node);
    if (known === undefined) {
      known = false;
      walk(node, (n) => {
        if (n.kind === "send" && (n.from === this.role || n.to === this.role)) known = true;
      });
      this.involved.set(node, known);
    }
    return known;
  }

  private compile(occ: Occurrence, k: number): number {
    const node = occ.node;
    if (!this.involves(node)) return k;
    switch (node.kind) {
      case "send": {
        const s = this.add(node.from === this.role ? SEND : RECV, occ.lane, occ.path);
        this.trans[s]!.set(this.catalog.ids.get(node.message.label)!, k);
        return s;
      }
      case "seq":
        for (let i = occ.children.length - 1; i >= 0; i--) k = this.compile(occ.children[i]!, k);
        return k;
      case "par": {
        const finalEnd = this.kinds[k] === END && this.finals[k] === true;
        const lanes: number[] = [];
        const starts: number[] = [];
        occ.children.forEach((child, i) => {
          const laneId = occ.laneIds[i]!;
          const end = this.add(END, laneId, join(occ.path, `end of lane ${laneId}`), finalEnd);
          const start = this.compile(child, end);
          if (start !== end) {
            lanes.push(laneId);
            starts.push(start);
          }
        });
        if (lanes.length === 0) return k;
        const f = this.add(FORK, occ.lane, occ.path);
        this.forks.set(f, { lanes, starts, next: k });
        return f;
      }
      case "route": {
        const c = this.add(CHOICE, occ.lane, occ.path);
        this.choices.set(c, { route: true, controller: node.controller, path: occ.path, alternatives: occ.children.map((arm) => this.compile(arm, k)) });
        return c;
      }
      case "loop": {
        const h = this.add(CHOICE, occ.lane, occ.path);
        const body = this.compile(occ.children[0]!, h);
        this.choices.set(h, { route: false, controller: node.controller, path: occ.path, alternatives: [body, k] });
        return h;
      }
    }
  }

  private fail(choice: Choice, why: string): never {
    throw new ProjectionError(choice.path, why);
  }

  private firstLabel(state: number): string {
    const [label] = this.trans[state]?.keys() ?? [];
    return label === undefined ? "?" : this.catalog.specs[label]!.label;
  }

  /** Merges a CHOICE's alternatives into one concrete state; checks that `role` can make or tell the decision. */
  private resolve(c: number): number {
    const done = this.resolved.get(c);
    if (done !== undefined) return done;
    const choice = this.choices.get(c)!;
    if (this.resolving.has(c)) this.fail(choice, `unguarded loop: ${this.role} can come back to this step without any message`);
    this.resolving.add(c);
    const isController = this.role === choice.controller;
    const own = isController ? SEND : RECV;
    const trans = new Map<number, number>();
    const notes = new Map<number, string>();
    const from = new Map<number, number>();
    let final = false;
    choice.alternatives.forEach((alt, i) => {
      const s = this.concrete(alt);
      const kind = this.kinds[s];
      const exit = !choice.route && i === 1;
      if (kind === END) {
        if (this.finals[s]) {
          final = true;
          return;
        }
        this.fail(
          choice,
          exit
            ? `the loop is the last step of ${this.laneLabel(s)}, but the protocol continues after the par, so the other side cannot tell when ${choice.controller} stops; add a message from ${choice.controller} after the loop in this lane`
            : `${this.role} cannot tell which arm was taken: arm ${i + 1} ends the lane without a message to ${this.role}`,
        );
      }
      if (kind === FORK) {
        this.fail(
          choice,
          exit
            ? `the loop is followed by a par; ${choice.controller} must end the loop with a message in the loop's own lane before the par`
            : `arm ${i + 1} begins with a par for ${this.role}; it must begin with a message`,
        );
      }
      if (kind !== own) {
        this.fail(
          choice,
          isController
            ? exit
              ? `after the loop ${this.role} first receives ${this.firstLabel(s)}, but only the controller ${choice.controller} can end the loop: the step after a loop must be a message from ${choice.controller} in the same lane`
              : `${this.role} controls the route but arm ${i + 1} begins with it receiving ${this.firstLabel(s)}`
            : choice.route
              ? `${this.role} cannot tell which arm was taken: in arm ${i + 1} it sends ${this.firstLabel(s)} before receiving anything from ${choice.controller}`
              : `${this.role} cannot tell when the loop ends: ${exit ? "after" : "in"} the loop it sends ${this.firstLabel(s)} before receiving anything from ${choice.controller}`,
        );
      }
      final ||= this.finals[s] === true;
      const inherited = this.notes.get(s);
      for (const [label, target] of this.trans[s]!) {
        const seen = from.get(label);
        if (seen !== undefined && trans.get(label) !== target) {
          const name = this.catalog.specs[label]!.label;
          this.fail(
            choice,
            choice.route
              ? `${this.role} cannot tell which arm was taken: label "${name}" can start arm ${seen + 1} and arm ${i + 1}`
              : `label "${name}" both repeats and ends the loop, so the other side cannot tell which one ${choice.controller} chose`,
          );
        }
        from.set(label, i);
        trans.set(label, target);
        const note = choice.route ? `arm ${i + 1} of ${choice.path}` : exit ? `exit ${choice.path}` : inherited?.get(label);
        if (note !== undefined) notes.set(label, note);
      }
    });
    const s = this.add(own, this.lanesOf[c]!, choice.path, final);
    this.trans[s] = trans;
    if (notes.size > 0) this.notes.set(s, notes);
    this.resolved.set(c, s);
    this.resolving.delete(c);
    return s;
  }

  private laneLabel(state: number): string {
    return `lane ${this.lanesOf[state]}`;
  }

  private concrete(s: number): number {
    return this.kinds[s] === CHOICE ? this.resolve(s) : s;
  }

  /** Compiles and flattens `root`; reachable states only, renumbered from 0. */
  build(root: Occurrence, laneDecls: readonly LaneDecl[], name: string, hash: string, families: Map<string, RoleProgram>): RoleProgram {
    const end = this.add(END, 0, "end of protocol", true);
    const entry = this.concrete(this.compile(root, end));
    // Resolve every choice (also those only reachable through others), then renumber reachable states.
    const order: number[] = [];
    const index = new Map<number, number>();
    const reach = (s: number): number => {
      s = this.concrete(s);
      let i = index.get(s);
      if (i === undefined) {
        i = order.length;
        index.set(s, i);
        order.push(s);
      }
      return i;
    };
    reach(entry);
    const L = this.catalog.specs.length;
    const next: number[] = [];
    const forks: (ForkInfo | undefined)[] = [];
    const decisions: (string | undefined)[] = [];
    for (let i = 0; i < order.length; i++) {
      const s = order[i]!;
      for (let l = 0; l < L; l++) {
        next.push(-1);
        decisions.push(undefined);
      }
      for (const [label, target] of this.trans[s] ?? []) next[i * L + label] = reach(target);
      for (const [label, note] of this.notes.get(s) ?? []) decisions[i * L + label] = note;
      const fork = this.forks.get(s);
      forks.push(fork && { lanes: fork.lanes, starts: fork.starts.map(reach), next: reach(fork.next) });
    }
    const kinds = Uint8Array.from(order, (s) => this.kinds[s]!);
    const laneOf = Int32Array.from(order, (s) => this.lanesOf[s]!);
    const lanes: LaneInfo[] = laneDecls.map((decl, id) => {
      const receives = new Set<number>();
      order.forEach((s, i) => {
        if (kinds[i] === RECV && laneOf[i] === id) for (const label of this.trans[s]!.keys()) receives.add(label);
      });
      return { id, name: decl.name, parent: decl.parent, receives: [...receives].sort((a, b) => a - b) };
    });
    const peers = new Set<string>();
    walk(root.node, (n) => {
      if (n.kind === "send" && n.from === this.role) peers.add(n.to);
      if (n.kind === "send" && n.to === this.role) peers.add(n.from);
    });
    return new RoleProgram(
      this.role,
      name,
      hash,
      this.catalog,
      0,
      kinds,
      laneOf,
      Uint8Array.from(order, (s) => (this.finals[s] ? 1 : 0)),
      Int32Array.from(next),
      order.map((s) => this.paths[s]!),
      forks,
      decisions,
      lanes,
      [...peers],
      families,
    );
  }
}

/**
 * Validates `global` (and every session family it announces) for every role, and returns `role`'s
 * program. Throws ProjectionError naming the step when the protocol is not safe to run.
 */
export function project<G extends Global, R extends string>(global: G, role: R & RolesOf<G>): RoleProgram<EventsOf<G>, R> {
  const roleName: string = role;
  const catalog = buildCatalog(global);
  const hash = programHash(global);
  const families = new Map<string, RoleProgram>();
  const compileAll = (root: GlobalNode, name: string): RoleProgram => {
    const { root: occ, lanes } = annotate(root);
    checkShape(occ);
    const roles = rolesIn(root);
    const where = name === "main" ? "the protocol" : `session family "${name}"`;
    if (!roles.includes(roleName)) throw new ProjectionError("", `role "${roleName}" does not appear in ${where}; its roles are ${roles.join(", ")}`);
    let mine: RoleProgram | undefined;
    for (const r of roles) {
      const program = new RoleCompiler(r, catalog).build(occ, lanes, name, hash, families);
      if (r === roleName) mine = program;
    }
    return mine!;
  };
  const main = compileAll(global, "main");
  for (const [name, fam] of catalog.families) families.set(name, compileAll(fam.global, name));
  return main as RoleProgram<EventsOf<G>, R>;
}
