import { BehaviorSubject, combineLatest, combineLatestWith, config, from, map, merge, of, switchMap } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalNode, type NodeError } from "../../lib/index.js";

// What the node contains of application code's exceptions on its RxJS surfaces, and what follows RxJS'
// own rules. RxJS sends what nobody handles to `config.onUnhandledError` (by default rethrown
// asynchronously, which ends a Node process): the trap below records it instead, so each case can say
// where an exception went. test/events/crash.test.ts checks the same in a real process, without the trap.

let unhandled: unknown[] = [];
beforeEach(() => {
  unhandled = [];
  config.onUnhandledError = (error) => unhandled.push(error);
});
afterEach(() => {
  config.onUnhandledError = null;
});

/** Resolves after RxJS reported anything it was going to report (it does so from a timer set earlier). */
function afterRxjsReports(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A node with one exposed and observed object, and the errors the node reported. */
function setup() {
  const node = new LocalNode();
  const errors: NodeError[] = [];
  node.onError((error) => errors.push(error));
  const expose = node.object([], "x").expose<number>();
  const observe = node.object([], "x").observe<number>();
  expose.set(1);
  return { node, errors, expose, observe, messages: () => errors.map((e) => (e.error as Error).message) };
}

const boom = (message: string) => () => {
  throw new Error(message);
};

describe("contained: subscribers at the end of a .pipe() chain on our observables", () => {
  it("an exception in a piped subscriber is reported to node.errors$, and it keeps receiving", async () => {
    const { errors, expose, observe, messages } = setup();
    const seen: number[] = [];
    observe.state$.pipe(map((state) => state?.data)).subscribe((data) => {
      seen.push(data!);
      throw new Error(`piped ${data}`);
    });
    expose.set(2);
    await afterRxjsReports();
    expect(seen).toEqual([1, 2]);
    expect(messages()).toEqual(["piped 1", "piped 2"]);
    expect(errors[0]!.context).toMatch(/observe .*subscriber/);
    expect(unhandled).toEqual([]);
  });

  it("an exception in a piped observer's complete or error handler is reported too", async () => {
    const { observe, messages } = setup();
    observe.state$.pipe(map(boom("in map"))).subscribe({ error: boom("in error handler") });
    observe.state$.pipe(map((state) => state)).subscribe({ complete: boom("in complete handler") });
    observe.terminate();
    await afterRxjsReports();
    expect(messages()).toEqual(["in error handler", "in complete handler"]);
    expect(unhandled).toEqual([]);
  });

  it("an exception in an operator callback ends that chain (RxJS), and reaches node.errors$ when the subscriber has no error handler", async () => {
    const { expose, observe, messages } = setup();
    const other: number[] = [];
    observe.state$.subscribe((state) => other.push(state!.data));
    const seen: number[] = [];
    const subscription = observe.state$.pipe(map((state) => (state!.data === 2 ? boom("in map")() : state!.data))).subscribe((data) => seen.push(data));
    observe.state$.pipe(map(boom("no handler at all"))).subscribe();
    expose.set(2);
    expose.set(3);
    await afterRxjsReports();
    expect(seen).toEqual([1]); // the error ended the chain
    expect(subscription.closed).toBe(true);
    expect(other).toEqual([1, 2, 3]); // the contract and its other subscribers go on
    expect(messages()).toEqual(["no handler at all", "in map"]);
    expect(unhandled).toEqual([]);
  });

  it("a subscriber's own error handler gets the error, as RxJS does", async () => {
    const { observe, errors } = setup();
    const handled: unknown[] = [];
    observe.state$.pipe(map(boom("handled"))).subscribe({ error: (error) => handled.push(error) });
    await afterRxjsReports();
    expect(handled.map((e) => (e as Error).message)).toEqual(["handled"]);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it("a chain started on ours stays contained when foreign observables join it inside", async () => {
    const { observe, messages } = setup();
    const foreign = new BehaviorSubject("f");
    observe.state$.pipe(combineLatestWith(foreign)).subscribe(boom("combineLatestWith"));
    observe.state$.pipe(switchMap(() => of("inner"))).subscribe(boom("switchMap"));
    from(observe.state$).subscribe(boom("from(ours) is ours"));
    await afterRxjsReports();
    expect(messages()).toEqual(["combineLatestWith", "switchMap", "from(ours) is ours"]);
    expect(unhandled).toEqual([]);
  });

  it("every surface's observable is guarded: changes$, assigned$, assignments$", async () => {
    const node = new LocalNode();
    const errors: NodeError[] = [];
    node.onError((error) => errors.push(error));
    const tagExpose = node.tag("t").expose<number>();
    const objectExpose = node.object(["t"], "y").expose<number>();
    const tagObserve = node.tag("t").observe<number>();
    objectExpose.set(1);
    tagObserve.changes$.pipe(map((change) => change)).subscribe(boom("changes$"));
    objectExpose.assigned$.pipe(map(boom("assigned$"))).subscribe();
    tagExpose.assignments$.pipe(map((assignment) => assignment)).subscribe({ complete: boom("assignments$") });
    tagExpose.terminate();
    await afterRxjsReports();
    expect(errors.map((e) => (e.error as Error).message).sort()).toEqual(["assigned$", "assignments$", "changes$"]);
    expect(unhandled).toEqual([]);
  });
});

describe("RxJS rules: chains whose outer observable is not ours", () => {
  it("combineLatest, merge, and a foreign observable switching to ours follow config.onUnhandledError", async () => {
    const { observe, errors } = setup();
    combineLatest([observe.state$, of(0)]).subscribe(boom("combineLatest"));
    merge(observe.state$, of(0)).pipe(map(boom("merge, in map"))).subscribe();
    of(0).pipe(switchMap(() => observe.state$)).subscribe(boom("foreign outer"));
    await afterRxjsReports();
    expect(unhandled.map((e) => (e as Error).message)).toEqual(["combineLatest", "merge, in map", "foreign outer"]);
    expect(errors).toEqual([]);
  });
});
