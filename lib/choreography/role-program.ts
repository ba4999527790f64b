/**
 * A role program: one role's compiled view of a protocol, as flat tables an endpoint steps through in
 * O(1) per message. Each state belongs to one lane and is a send step, a receive step, a fork (start
 * parallel lanes, then continue with `next` once they all ended) or the end of its lane.
 */
import type { Event } from "./global.js";
import type { ProtocolCatalog } from "./protocol-catalog.js";

/** State kinds (values of `RoleProgram.kinds`). */
export const SEND = 1;
/** See SEND. */
export const RECV = 2;
/** See SEND. */
export const FORK = 3;
/** See SEND. */
export const END = 4;

/** A fork: child lanes (ids) with their start states, and the parent lane's state after they all ended. */
export interface ForkInfo {
  readonly lanes: readonly number[];
  readonly starts: readonly number[];
  readonly next: number;
}

/** Static facts about one lane of the protocol. */
export interface LaneInfo {
  readonly id: number;
  /** The name given with `par({ name: ... })`, if any. */
  readonly name: string | undefined;
  /** The lane that forks this one (-1 for lane 0). */
  readonly parent: number;
  /** Label ids this role can receive in this lane (what `serve` handlers must cover). */
  readonly receives: readonly number[];
}

declare const eventsType: unique symbol;

/** One role's compiled program for a protocol (or for one session family of it). Built by `project`. */
export class RoleProgram<E extends Event = Event, R extends string = string> {
  declare readonly [eventsType]?: E;
  /** Number of labels of the whole protocol: the stride of `next`. */
  readonly labelCount: number;
  private readonly laneByName: ReadonlyMap<string, number>;

  constructor(
    /** The role this program runs. */
    readonly role: R,
    /** "main", or the family name. */
    readonly name: string,
    /** programHash of the whole protocol (the same for every role and family program of it). */
    readonly hash: string,
    /** Labels, wire ids and families of the whole protocol. */
    readonly catalog: ProtocolCatalog,
    /** The state lane 0 starts in. */
    readonly start: number,
    /** SEND, RECV, FORK or END per state. */
    readonly kinds: Uint8Array,
    /** The lane of each state. */
    readonly laneOf: Int32Array,
    /** 1 where the session may end cleanly (end of protocol, or the head of a loop nothing follows). */
    readonly final: Uint8Array,
    /** next[state * labelCount + label]: the state after that label, or -1 when not permitted. */
    readonly next: Int32Array,
    /** The global step each state stands for, for errors and the tap ring. */
    readonly paths: readonly string[],
    /** Fork details by state (FORK states only). */
    readonly forks: readonly (ForkInfo | undefined)[],
    /** Route/loop decisions: note by `state * labelCount + label` (undefined elsewhere), for the tap ring. */
    readonly decisions: readonly (string | undefined)[],
    /** Lanes by id. */
    readonly lanes: readonly LaneInfo[],
    /** The other roles this role exchanges messages with. */
    readonly peers: readonly string[],
    /** Programs of every session family of the protocol, for this role, by family name. */
    readonly families: ReadonlyMap<string, RoleProgram>,
  ) {
    this.labelCount = catalog.specs.length;
    const byName = new Map<string, number>();
    for (const lane of lanes) if (lane.name !== undefined) byName.set(lane.name, lane.id);
    this.laneByName = byName;
  }

  /** The lane id for a lane id or name, or -1. */
  laneId(lane: number | string): number {
    if (typeof lane === "string") return this.laneByName.get(lane) ?? -1;
    return Number.isInteger(lane) && lane >= 0 && lane < this.lanes.length ? lane : -1;
  }

  /** Human-readable lane name: `lane 2 "decisions"`. */
  laneName(lane: number): string {
    const name = this.lanes[lane]?.name;
    return name === undefined ? `lane ${lane}` : `lane ${lane} "${name}"`;
  }

  /** The labels permitted in `state`, e.g. `Assign | Release`. */
  permitted(state: number): string {
    const labels: string[] = [];
    const base = state * this.labelCount;
    for (let l = 0; l < this.labelCount; l++) if (this.next[base + l]! >= 0) labels.push(this.catalog.specs[l]!.label);
    return labels.length === 0 ? "nothing" : labels.join(" | ");
  }

  /** What `state` expects, e.g. `to send Assign | Release at step 2 > loop(Up)`. */
  describeState(state: number): string {
    switch (this.kinds[state]) {
      case SEND:
        return `to send ${this.permitted(state)} at ${this.paths[state]}`;
      case RECV:
        return `to receive ${this.permitted(state)} at ${this.paths[state]}`;
      case FORK:
        return `its parallel lanes to finish (${this.paths[state]})`;
      default:
        return "nothing more (the lane has ended)";
    }
  }

  /** A text dump of the state table, for debugging and docs. */
  toString(): string {
    const lines = [`role ${this.role} of ${this.name} (hash ${this.hash}), start ${this.start}`];
    for (let s = 0; s < this.kinds.length; s++) {
      const kind = ["?", "send", "recv", "fork", "end"][this.kinds[s]!];
      const fork = this.forks[s];
      const detail = fork
        ? `lanes ${fork.lanes.join(",")} then ${fork.next}`
        : this.permitted(s) === "nothing"
          ? ""
          : [...Array(this.labelCount).keys()]
              .filter((l) => this.next[s * this.labelCount + l]! >= 0)
              .map((l) => `${this.catalog.specs[l]!.label}->${this.next[s * this.labelCount + l]}`)
              .join(" ");
      lines.push(`  ${s} [lane ${this.laneOf[s]}] ${kind}${this.final[s] ? " final" : ""} ${detail}  (${this.paths[s]})`);
    }
    return lines.join("\n");
  }
}
