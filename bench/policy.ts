/**
 * Cost of policy decisions, which a parent makes on every Open, interest and announcement of a child
 * link: a 20-rule policy (the link's principal matching the last rule, which grants by tag, by pattern
 * and by claim, and denies by tag and by pattern) answering observe and expose for 10,000 descriptors,
 * against a policy that allows everything, in the same run; and the time a policy change costs a link
 * holding 10,000 objects (parse the new policy text, compile, take the link's grants, answer for every
 * object), against answering for them with grants already made.
 */
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { ObjectDescriptor } from "../lib/descriptor/object-descriptor.js";
import { grantsFor, type LinkGrants } from "../lib/trust/link-grants.js";
import { parsePolicy, parsePolicyText } from "../lib/trust/parse-policy.js";
import type { Principal } from "../lib/trust/principal.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { bestRates } from "./support/interleaved-rates.js";

const OBJECTS = 10_000;
const RULES = 20;
const ROUNDS = { roundMs: 400, rounds: 5 };

const PRINCIPAL: Principal = { id: "user-17", team: `team-${RULES - 1}`, role: "member" };

/** A rule for `team`: what it may observe and expose, what it may not, and a quota. `variant` makes a changed policy. */
function rule(team: string, variant: number): JsonValue {
  return {
    name: `${team} members`,
    principal: { team, role: "member" },
    observe: [
      { tag: "public" },
      { tag: { team: { $claim: "team" } } },
      { object: { owner: { $claim: "id" } } },
      { tag: "chat", object: { room: { open: true } } },
      { object: { kind: "announcement", audience: variant % 2 === 0 ? "all" : "members" } },
    ],
    expose: [{ object: { owner: { $claim: "id" } } }, { tag: { team: { $claim: "team" } }, object: { kind: "doc" } }],
    deny: { observe: [{ tag: "quarantine" }, { object: { secret: true } }], expose: [{ object: { locked: true } }] },
    limits: { objects: 10_000 + variant, tags: 100, bytesPerSecond: 1_000_000 },
  };
}

function policyText(variant: number): string {
  return JSON.stringify({ rules: Array.from({ length: RULES }, (_, i) => rule(`team-${i}`, variant)) });
}

/** 10,000 objects of many shapes: a fifth the principal's own, others its team's, public, chat rooms, secrets, quarantined. */
function descriptors(): ObjectDescriptor[] {
  const tagPool: JsonValue[] = ["public", "chat", { team: PRINCIPAL["team"]! }, { team: "team-3" }, "quarantine", { region: "eu" }];
  return Array.from({ length: OBJECTS }, (_, i) => {
    const tags = [tagPool[i % tagPool.length]!, ...(i % 7 === 0 ? [tagPool[(i * 5) % tagPool.length]!] : [])];
    const json: JsonValue = {
      id: i,
      owner: i % 5 === 0 ? PRINCIPAL.id : `user-${i % 300}`,
      kind: ["doc", "announcement", "message"][i % 3]!,
      room: { open: i % 2 === 0, name: `room-${i % 40}` },
      ...(i % 11 === 0 ? { secret: true } : {}),
      ...(i % 13 === 0 ? { locked: true } : {}),
      audience: i % 4 === 0 ? "all" : "members",
    };
    return new ObjectDescriptor(tags, json);
  });
}

/** Answers observe and expose for every object; returns how many were allowed (so nothing is optimized away). */
function answerAll(grants: LinkGrants, objects: readonly ObjectDescriptor[]): number {
  let allowed = 0;
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i]!;
    if (grants.observe(object).allowed) allowed++;
    if (grants.expose(object).allowed) allowed++;
  }
  return allowed;
}

const scenario: BenchScenario = {
  name: "policy",
  async run(progress) {
    const objects = descriptors();
    const policy = parsePolicy(JSON.parse(policyText(0)));
    const grants = grantsFor(policy, PRINCIPAL);
    const everything = grantsFor(parsePolicy({ rules: [{ observe: [{ any: true }], expose: [{ any: true }] }] }), PRINCIPAL);
    const allowed = answerAll(grants, objects);
    if (grants.rule !== `rules[${RULES - 1}] ("team-${RULES - 1} members")` || allowed === 0 || allowed === 2 * OBJECTS) {
      throw new Error(`the bench's policy does not decide as intended (rule ${grants.rule}, ${allowed} of ${2 * OBJECTS} allowed)`);
    }
    const decisions = 2 * OBJECTS;

    progress(`policy: ${decisions} decisions, ${RULES}-rule policy vs allow-everything`);
    const [rate, baselineRate] = bestRates(decisions, () => answerAll(grants, objects), () => answerAll(everything, objects), ROUNDS);

    progress(`policy: a policy change re-evaluating ${OBJECTS} objects`);
    const texts = [policyText(0), policyText(1)];
    let turn = 0;
    const change = (): number => answerAll(grantsFor(parsePolicyText(texts[turn++ % 2]!), PRINCIPAL), objects);
    const [changes, answers] = bestRates(1, change, () => answerAll(grants, objects), ROUNDS);
    const changeMs = 1 / (changes * 1000);
    const answerMs = 1 / (answers * 1000);

    const results: BenchResult[] = [
      {
        name: "policy/decisions",
        value: Math.round(rate * 1e6),
        unit: "decisions/s",
        baseline: { name: "allow-everything policy", value: Math.round(baselineRate * 1e6) },
        ratio: rate / baselineRate,
        goal: { of: "value", is: ">=", bound: 1e6, says: "≤ 1 µs per decision" },
        notes: `${RULES} rules, the last one deciding (5 observe, 2 expose, 3 deny selectors, claims); ${OBJECTS} descriptors, observe and expose each; ${allowed} of ${decisions} allowed`,
      },
      {
        name: "policy/change",
        value: Number(changeMs.toFixed(2)),
        unit: "ms",
        baseline: { name: "answers with grants made", value: Number(answerMs.toFixed(2)) },
        ratio: answerMs / changeMs,
        goal: { of: "value", is: "<", bound: 50, says: "a policy change does not stall the link" },
        notes: `parse ${texts[0]!.length}-character policy text, compile, grants for the link, observe and expose for ${OBJECTS} objects`,
      },
    ];
    return results;
  },
};

export default scenario;
