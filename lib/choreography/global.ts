/**
 * The global description of a protocol: who sends which message to whom, in sequence, in parallel
 * lanes, in routes (a controller picks one arm by the label of the arm's first message) and in loops
 * (a controller repeats the body or exits). Builders only construct; `project` validates.
 */
import type { MessageSpec } from "./message.js";

/** One message exchange at the type level: the roles and the spec. Used to infer endpoint types. */
export interface Event<F extends string = string, T extends string = string, M extends MessageSpec = MessageSpec> {
  readonly from: F;
  readonly to: T;
  readonly message: M;
}

declare const eventsType: unique symbol;
const nodeBrand: unique symbol = Symbol("choreography.global");

/** `from` sends `message` to `to`. */
export interface SendNode {
  readonly kind: "send";
  readonly from: string;
  readonly to: string;
  readonly message: MessageSpec;
}
/** Steps one after another, in the same lane. */
export interface SeqNode {
  readonly kind: "seq";
  readonly steps: readonly GlobalNode[];
}
/** Independent lanes that run concurrently and join before what follows. */
export interface ParNode {
  readonly kind: "par";
  readonly lanes: readonly GlobalNode[];
  /** Optional lane names (same index as `lanes`), for `endpoint.lane(name)` and diagrams. */
  readonly names: readonly (string | undefined)[];
}
/** `controller` picks one arm; every arm starts with a message from it, distinguished by label. */
export interface RouteNode {
  readonly kind: "route";
  readonly controller: string;
  readonly arms: readonly GlobalNode[];
}
/**
 * `controller` repeats `body` zero or more times. Its next label tells the others what it chose: a label
 * that starts the body repeats; a label that starts what follows the loop (in the same lane) exits. A loop
 * with nothing after it in the whole protocol runs until the session is closed.
 */
export interface LoopNode {
  readonly kind: "loop";
  readonly controller: string;
  readonly body: GlobalNode;
}

/** The untyped global AST. */
export type GlobalNode = SendNode | SeqNode | ParNode | RouteNode | LoopNode;

/** A global protocol node that also carries, at the type level only, the events it contains. */
export type Global<E extends Event = Event> = GlobalNode & { readonly [eventsType]?: E };

/** The events of a global protocol (or of a union of them). */
export type EventsOf<G> = G extends { readonly [eventsType]?: infer E extends Event } ? E : never;
/** The role names a global protocol mentions. */
export type RolesOf<G> = EventsOf<G> extends infer E ? (E extends Event<infer F, infer T> ? F | T : never) : never;

function brand<N extends GlobalNode>(node: N): N {
  Object.defineProperty(node, nodeBrand, { value: true });
  return Object.freeze(node);
}

/** True for nodes built by this module's builders. */
export function isGlobal(value: unknown): value is GlobalNode {
  return typeof value === "object" && value !== null && (value as { [nodeBrand]?: boolean })[nodeBrand] === true;
}

function checkRole(role: unknown, what: string): string {
  if (typeof role !== "string" || role.length === 0) throw new TypeError(`${what} must be a non-empty role name, got ${String(role)}`);
  return role;
}

function checkNodes(nodes: readonly unknown[], what: string): readonly GlobalNode[] {
  nodes.forEach((n, i) => {
    if (!isGlobal(n)) throw new TypeError(`${what} ${i} is not a protocol step built with send/seq/par/route/loop`);
  });
  return nodes as readonly GlobalNode[];
}

/** `from` sends one `message` to `to`. */
export function send<F extends string, T extends string, M extends MessageSpec>(from: F, to: T, message: M): Global<Event<F, T, M>> {
  checkRole(from, "send: from");
  checkRole(to, "send: to");
  if (typeof message !== "object" || message === null || typeof message.label !== "string") {
    throw new TypeError(`send(${from}, ${to}): the third argument must be a message spec made with message()`);
  }
  return brand({ kind: "send", from, to, message });
}

/** Runs steps one after another. */
export function seq<G extends readonly Global[]>(...steps: G): Global<EventsOf<G[number]>> {
  return brand({ kind: "seq", steps: checkNodes(steps, "seq: step") });
}

/** Runs lanes concurrently (each lane gets its own wire lane); `par({ name: g, ... })` names them. */
export function par<G extends readonly Global[]>(...lanes: G): Global<EventsOf<G[number]>>;
export function par<G extends Readonly<Record<string, Global>>>(lanes: G): Global<EventsOf<G[keyof G]>>;
export function par(...args: unknown[]): Global {
  if (args.length === 1 && !isGlobal(args[0]) && typeof args[0] === "object" && args[0] !== null) {
    const entries = Object.entries(args[0] as Record<string, unknown>);
    return brand({
      kind: "par",
      lanes: checkNodes(entries.map(([, g]) => g), "par: lane"),
      names: entries.map(([name]) => name),
    });
  }
  return brand({ kind: "par", lanes: checkNodes(args, "par: lane"), names: args.map(() => undefined) });
}

/** `controller` chooses one arm; each arm must start with a message from `controller` with a distinct label. */
export function route<C extends string, G extends readonly Global[]>(controller: C, ...arms: G): Global<EventsOf<G[number]>> {
  return brand({ kind: "route", controller: checkRole(controller, "route: controller"), arms: checkNodes(arms, "route: arm") });
}

/** `controller` repeats `body` (zero or more times); see LoopNode for how the exit is signalled. */
export function loop<C extends string, G extends Global>(controller: C, body: G): Global<EventsOf<G>> {
  return brand({ kind: "loop", controller: checkRole(controller, "loop: controller"), body: checkNodes([body], "loop: body")[0]! });
}
