/**
 * Trust figures of a router process (bench/support/router-process.ts) whose links authenticate with
 * HS256 JWTs and are held to a 20-rule policy, with clients in this process.
 *
 * - Router memory per link with a principal and its grants: 200 links, each observing 10 of 100
 *   objects, on a router with `authenticate` and the policy (each link's principal is a JWT's claims,
 *   its grants taken from the policy), against the same 200 links on a router without authentication
 *   or policy, started in the same run. Heap and RSS after a full GC, minus the same before the links,
 *   ÷ 200. Ratio: without ÷ with; goal ≥ 0.8× (a principal and its grants add at most a quarter to a
 *   link).
 * - Re-evaluating 10,000 live object sessions on a policy change: 10 children observing 1,000 objects
 *   each (exposed by one more client), `listener.setPolicy()` with a policy denying them, timed until
 *   every child's 10,000 contracts heard the denial; then the former policy, timed until every denial
 *   was lifted. Baseline, same run: the time those children took to open the 10,000 observers until
 *   each received its state. Ratio: open ÷ re-evaluation; goal ≥ 1× (a policy change costs a live
 *   link no more than opening what it holds). Median of three rounds, each on fresh children.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT } from "jose";
import type { JsonValue, LocalNode, ObjectObserve } from "../lib/index.js";
import { libraryEntry, loadHakuban, type HakubanModule } from "./support/library-entry.js";
import { startRouterProcess, type RouterMemory, type RouterProcess } from "./support/router-process.js";
import type { BenchResult, BenchScenario } from "./result.js";

const SECRET = "the bench router's secret, thirty-two bytes or more";
const TEAMS = 20;
const LINKS = 200;
const LINK_OBJECTS = 100;
const PER_LINK = 10;
const CHILDREN = 10;
const PER_CHILD = 1_000;
const SESSIONS = CHILDREN * PER_CHILD;
const ROUNDS = 3;
/** Time the links are left idle before the router's memory is read. */
const IDLE_MS = 1_000;
const TAG = "live";

/** A 20-rule policy: the exposer's rule first, then one per team, granting observe of TAG unless `revoked`. */
function policy(revoked: boolean): unknown {
  return {
    rules: [
      { name: "exposer", principal: { role: "exposer" }, expose: [{ tag: TAG }] },
      ...Array.from({ length: TEAMS - 1 }, (_, n) => ({
        name: `team ${n}`,
        principal: { team: `team-${n}`, role: "member" },
        observe: [{ tag: "public" }, { tag: { team: { $claim: "team" } } }, { tag: TAG, object: { kind: "reading" } }],
        expose: [{ object: { owner: { $claim: "sub" } } }],
        deny: { observe: [{ tag: "quarantine" }, { object: { secret: true } }, ...(revoked ? [{ tag: TAG }] : [])] },
      })),
    ],
  };
}

function token(sub: string, claims: Record<string, string>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
}

/** The object an observer of link or child `i` opens as its `k`th. */
function descriptorOf(k: number): { kind: string; id: number } {
  return { kind: "reading", id: k };
}

/** The claims of member `i`'s token: a team of the policy's rules, so every link is decided by one of them. */
function member(i: number): Record<string, string> {
  return { team: `team-${i % (TEAMS - 1)}`, role: "member" };
}

/** Connects a node to the router (with a token of `claims` when given) and waits until it is linked. */
async function linkedNode(hakuban: HakubanModule, name: string, url: string, claims: Record<string, string> | undefined): Promise<LocalNode> {
  const node = new hakuban.LocalNode({ name });
  // The denials are counted on the contracts; the node's errors repeat them.
  node.onError(() => {});
  const upstream = hakuban.connect(node, url, claims === undefined ? {} : { token: await token(name, claims) });
  await new Promise<void>((resolve, reject) => {
    const subscription = upstream.status$.subscribe((status) => {
      if (status === "connected") resolve();
      else if (status === "closed") reject(upstream.lastError ?? new Error(`${name} could not link to the bench router`));
      else return;
      queueMicrotask(() => subscription.unsubscribe());
    });
  });
  return node;
}

/** Waits until the router holds `objects` objects. */
async function routerHolds(router: RouterProcess, objects: number): Promise<void> {
  while ((await router.stats()).objects < objects) await sleep(20);
}

/** Per-link growth of the router's memory while LINKS links observe PER_LINK objects each. */
async function memoryPerLink(hakuban: HakubanModule, router: RouterProcess, authenticated: boolean): Promise<{ heap: number; rss: number }> {
  const before: RouterMemory = await router.memory();
  const nodes = await Promise.all(Array.from({ length: LINKS }, (_, i) => linkedNode(hakuban, `link-${i}`, router.url, authenticated ? member(i) : undefined)));
  try {
    nodes.forEach((node, i) => {
      for (let k = 0; k < PER_LINK; k++) node.object([TAG], descriptorOf((7 * i + 13 * k) % LINK_OBJECTS)).observe();
    });
    await routerHolds(router, LINK_OBJECTS);
    await sleep(IDLE_MS);
    const after = await router.memory();
    return { heap: (after.heapUsed - before.heapUsed) / LINKS, rss: (after.rss - before.rss) / LINKS };
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
}

/** Resolves once `count` calls of the returned `tick` have been made. */
function countdown(count: number): { readonly done: Promise<void>; tick(): void } {
  let left = count;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    done,
    tick() {
      if (--left === 0) resolve();
    },
  };
}

/** One round: open SESSIONS observers on fresh children, revoke them, grant them again; milliseconds of each. */
async function policyRound(hakuban: HakubanModule, router: RouterProcess, round: number): Promise<{ open: number; revoke: number; regrant: number; setPolicyMs: number }> {
  const children = await Promise.all(Array.from({ length: CHILDREN }, (_, c) => linkedNode(hakuban, `child-${round}-${c}`, router.url, member(c))));
  try {
    const observers: ObjectObserve<JsonValue>[] = [];
    const received = countdown(SESSIONS);
    const started = performance.now();
    children.forEach((child, c) => {
      for (let k = 0; k < PER_CHILD; k++) {
        const observer = child.object([TAG], descriptorOf(c * PER_CHILD + k)).observe();
        const off = observer.onChange(() => {
          off();
          received.tick();
        });
        observers.push(observer);
      }
    });
    await received.done;
    const open = performance.now() - started;

    const denied = countdown(SESSIONS);
    const lifted = countdown(SESSIONS);
    for (const observer of observers) observer.onDenial((denial) => (denial === undefined ? lifted : denied).tick());
    const revoking = performance.now();
    const setPolicyMs = await router.setPolicy(policy(true));
    await denied.done;
    const revoke = performance.now() - revoking;
    const granting = performance.now();
    await router.setPolicy(policy(false));
    await lifted.done;
    const regrant = performance.now() - granting;
    return { open, revoke, regrant, setPolicyMs };
  } finally {
    await Promise.all(children.map((child) => child.close()));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const scenario: BenchScenario = {
  name: "trust: memory per authenticated link, re-evaluating 10,000 objects on a policy change",
  async run(progress) {
    const hakuban = await loadHakuban(await libraryEntry());
    const routers: RouterProcess[] = [];
    const nodes: LocalNode[] = [];
    try {
      const trusted = await startRouterProcess({ jwtSecret: SECRET, policy: policy(false) });
      routers.push(trusted);
      const plain = await startRouterProcess();
      routers.push(plain);

      progress(`${LINKS} links observing ${PER_LINK} objects each: with a principal and grants, then without authentication`);
      const withTrust = await memoryPerLink(hakuban, trusted, true);
      const without = await memoryPerLink(hakuban, plain, false);

      progress(`${CHILDREN} children × ${PER_CHILD} observers: open, revoke by setPolicy, grant again (${ROUNDS} rounds)`);
      const exposer = await linkedNode(hakuban, "exposer", trusted.url, { role: "exposer" });
      nodes.push(exposer);
      for (let id = 0; id < SESSIONS; id++) exposer.object([TAG], descriptorOf(id)).expose<number>().set(id);
      const rounds: Array<Awaited<ReturnType<typeof policyRound>>> = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push(await policyRound(hakuban, trusted, round));
      const open = median(rounds.map((r) => r.open));
      const revoke = median(rounds.map((r) => r.revoke));
      const regrant = median(rounds.map((r) => r.regrant));
      const setPolicyMs = median(rounds.map((r) => r.setPolicyMs));

      const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
      const results: BenchResult[] = [
        {
          name: "trust/router heap per link with a principal and grants",
          value: Math.round(withTrust.heap),
          unit: "B",
          baseline: { name: "a link without authentication", value: Math.round(without.heap) },
          ratio: without.heap / withTrust.heap,
          goal: { of: "ratio", is: ">=", bound: 0.8, says: "a principal and its grants add at most a quarter to a link" },
          notes: `${LINKS} links observing ${PER_LINK} of ${LINK_OBJECTS} objects each, after a full GC: ${kib(withTrust.heap - without.heap)} more per link; RSS per link ${kib(withTrust.rss)} with, ${kib(without.rss)} without; ${TEAMS}-rule policy`,
        },
        {
          name: `trust/setPolicy revoking ${SESSIONS} live object sessions`,
          value: Number(revoke.toFixed(1)),
          unit: "ms",
          baseline: { name: `opening the ${SESSIONS} observers`, value: Number(open.toFixed(1)) },
          ratio: open / revoke,
          goal: { of: "ratio", is: ">=", bound: 1, says: "no slower than opening them" },
          notes: `${CHILDREN} child links × ${PER_CHILD} objects, until every contract heard its denial; setPolicy itself ${setPolicyMs.toFixed(1)} ms in the router; median of ${ROUNDS} rounds`,
        },
        {
          name: `trust/setPolicy granting ${SESSIONS} live object sessions again`,
          value: Number(regrant.toFixed(1)),
          unit: "ms",
          baseline: { name: `opening the ${SESSIONS} observers`, value: Number(open.toFixed(1)) },
          ratio: open / regrant,
          goal: { of: "ratio", is: ">=", bound: 1, says: "no slower than opening them" },
          notes: `until every contract's denial was lifted; median of ${ROUNDS} rounds`,
        },
      ];
      return results;
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await Promise.all(routers.map((router) => router.stop()));
    }
  },
};
export default scenario;
