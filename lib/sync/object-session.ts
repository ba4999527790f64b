import { loop, message, par, route, schema, send, seq } from "../choreography/index.js";
import type { Version } from "../state/version.js";
import { wireStateSchema } from "./wire-state.js";
import { accessField, amountField, booleanField, emptySchema, fieldsOf, optionalEpochField, optionalVersionField, stringField } from "./wire-schema.js";

/**
 * The session of one object between a child (Down) and its parent (Up): two lanes, one each way.
 * The child tells its interest and, when its subtree exposes the object and the parent needs the
 * data, sends states up; the parent assigns and releases the child's subtree as exposer, asks for
 * the data, and sends states down. States go as bytes of the compact state wire (wire/state-codec.ts),
 * each against the state the receiver holds, with the paths interned for this session; a receiver that
 * cannot apply one asks for the full state (an acknowledgement with `resync`).
 * The child ends the session with Close, the parent answers Closed.
 */

/** Down → Up: the child's interest changed. */
export const Interest = message(
  "Interest",
  schema((value): { readonly observed: boolean; readonly capacity: number } => {
    const f = fieldsOf(value, "Interest");
    return { observed: booleanField(f, "observed", "Interest"), capacity: amountField(f, "capacity", "Interest") };
  }, "Interest"),
);

/** Acknowledges states: `v` is the version the receiver now holds; `resync` asks for a full state. */
export interface AckPayload {
  readonly v?: Version;
  readonly resync?: boolean;
}
const ackSchema = (name: string) =>
  schema((value): AckPayload => {
    const f = fieldsOf(value, name);
    const v = optionalVersionField(f, "v");
    const resync = f.resync === undefined ? undefined : booleanField(f, "resync", name);
    return { ...(v === undefined ? {} : { v }), ...(resync === undefined ? {} : { resync }) };
  }, name);

export const StateUp = message("StateUp", wireStateSchema);
export const AckUp = message("AckUp", ackSchema("AckUp"));
export const StateDown = message("StateDown", wireStateSchema);
export const AckDown = message("AckDown", ackSchema("AckDown"));

/**
 * Carries the epoch of the parent's election (see ObjectState.epoch; absent: 0) and a version of it the
 * parent knows: for Assign and Release the newest one (so the child's exposer orders after it), for Need
 * and Unneed the one the parent holds (the base of the child's diffs).
 */
export interface VersionPayload {
  readonly version?: Version;
  readonly epoch?: number;
}
const versionSchema = (name: string) =>
  schema((value): VersionPayload => {
    const f = fieldsOf(value, name);
    const version = optionalVersionField(f, "version");
    const epoch = optionalEpochField(f, "epoch", name);
    return { ...(version === undefined ? {} : { version }), ...(epoch === undefined ? {} : { epoch }) };
  }, name);

/** Up → Down: the child's subtree is the object's exposer, in a new election (`epoch`) or one that carries on. */
export const Assign = message("Assign", versionSchema("Assign"));
/** Up → Down: it no longer is. */
export const Release = message("Release", versionSchema("Release"));
/** Up → Down: send the object's states up (someone outside the child's subtree observes it); `version`: what the parent holds. */
export const Need = message("Need", versionSchema("Need"));
/** Up → Down: stop sending states up. */
export const Unneed = message("Unneed", versionSchema("Unneed"));

/** What Denied and Granted carry: the access concerned and, for Denied, why (naming the object and the missing grant). */
export interface AccessPayload {
  readonly access: "observe" | "expose";
  readonly reason?: string;
}
const accessSchema = (name: string, withReason: boolean) =>
  schema((value): AccessPayload => {
    const f = fieldsOf(value, name);
    const access = accessField(f, name);
    return withReason ? { access, reason: stringField(f, "reason", name, 4096) } : { access };
  }, name);
/** Up → Down: the parent's policy (or the link's quota) denies the child this access to the object. */
export const Denied = message("Denied", accessSchema("Denied", true));
/** Up → Down: an access denied before is now granted. */
export const Granted = message("Granted", accessSchema("Granted", false));

/** Down → Up: the child has no interest left; ends its lane. */
export const Close = message("Close", emptySchema("Close"));
/** Up → Down: answer to Close; ends the session. */
export const Closed = message("Closed", emptySchema("Closed"));

export const objectSession = par({
  up: seq(loop("Down", route("Down", send("Down", "Up", Interest), send("Down", "Up", StateUp), send("Down", "Up", AckUp))), send("Down", "Up", Close)),
  down: seq(
    loop(
      "Up",
      route(
        "Up",
        send("Up", "Down", Assign),
        send("Up", "Down", Release),
        send("Up", "Down", Need),
        send("Up", "Down", Unneed),
        send("Up", "Down", StateDown),
        send("Up", "Down", AckDown),
        send("Up", "Down", Denied),
        send("Up", "Down", Granted),
      ),
    ),
    send("Up", "Down", Closed),
  ),
});
