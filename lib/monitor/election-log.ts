import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { ElectionWatcher, Exposer } from "../exchange/participants.js";
import { describeExposer, electedExposer } from "./elected-exposer.js";
import type { EventRing } from "./event-ring.js";
import type { ElectedExposer, MonitorEvent } from "./node-snapshot.js";

/**
 * What the exchange tells of its elections, counted and kept in the monitor's event ring. An election
 * costs a small record here; its text is written only when a snapshot shows it, so a node that elects
 * for thousands of objects at once does not format thousands of lines for the hundred it keeps.
 */
export class ElectionLog implements ElectionWatcher {
  /** Exposers elected for an object that had none. */
  elections = 0;
  /** Objects moved from one exposer to another. */
  handovers = 0;

  constructor(
    private readonly events: EventRing<MonitorEvent | ElectionRecord>,
    private readonly clock: () => number,
  ) {}

  elected(entry: ObjectEntry, exposer: Exposer): void {
    this.elections++;
    // The exchange tells after counting the object in the exposer's load: the load it was elected at is one less.
    const why = exposer.place?.kind === "upstream" ? "" : `: capacity ${exposer.capacity}, load ${exposer.assignedEntries.size - 1}`;
    this.events.push(new ElectionRecord(this.clock(), "elected", entry.descriptor, electedExposer(exposer.place), why));
  }

  handedOver(entry: ObjectEntry, from: Exposer, to: Exposer): void {
    this.handovers++;
    const former = electedExposer(from.place);
    const record = new ElectionRecord(this.clock(), "handover", entry.descriptor, electedExposer(to.place), `, from ${describeExposer(former)}`);
    if (former.kind === "link") record.formerLink = former.link;
    this.events.push(record);
  }

  released(entry: ObjectEntry, from: Exposer): void {
    const why = entry.observed ? ": no candidate left" : ": no longer observed";
    this.events.push(new ElectionRecord(this.clock(), "released", entry.descriptor, electedExposer(from.place), why));
  }
}

/** One election as the ring keeps it, until a snapshot shows it as a MonitorEvent. */
export class ElectionRecord {
  /** For a handover from a link, that link's id (the event names it when the new exposer is not a link). */
  formerLink: number | undefined = undefined;

  constructor(
    readonly at: number,
    readonly kind: "elected" | "handover" | "released",
    readonly descriptor: ObjectDescriptor,
    /** The exposer concerned: the one elected, the one handed over to, the one that released. */
    readonly exposer: ElectedExposer,
    /** The end of the line: why, from whom, or with what load. */
    readonly why: string,
  ) {}

  /** The record as the snapshot's event. */
  toEvent(): MonitorEvent {
    const { at, kind, descriptor, exposer, why } = this;
    const object = descriptor.toString();
    const who = describeExposer(exposer);
    const text =
      kind === "elected"
        ? `${who} elected for ${object}${why}`
        : kind === "handover"
          ? `${object} handed over to ${who}${why}`
          : `${who} released ${object}${why}`;
    const link = exposer.kind === "link" ? exposer.link : this.formerLink;
    const event = { at, kind, text, descriptor: descriptor.toJSON() };
    return link === undefined ? event : { ...event, link };
  }
}
