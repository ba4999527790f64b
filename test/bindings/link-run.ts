/**
 * One scripted conversation of the fixtures' link protocol between a Down and an Up endpoint, for
 * fuzz tests that damage the connection underneath: Hello/Welcome, `interests` Interests against one
 * Assign on the parallel lanes, then Bye. Every task records how it ended, so a test can check that
 * nothing failed with an untyped error and nothing was left pending. Each side can also be played
 * alone, against a peer the test scripts byte by byte.
 */
import { createEndpoint, project, type Endpoint, type EventsOf } from "../../lib/choreography/index.js";
import type { SessionMux } from "../../lib/choreography/wire.js";
import { link } from "../choreography/fixtures.js";

/** A live endpoint of the link protocol playing role R. */
export type LinkEndpoint<R extends "Down" | "Up"> = Endpoint<EventsOf<typeof link>, R>;

/** The link protocol's Down role program. */
export const linkDown = project(link, "Down");
/** The link protocol's Up role program. */
export const linkUp = project(link, "Up");

/** Tasks of one conversation: how the failed ones ended and which are still waiting. */
export class LinkTasks {
  /** What the tasks that failed were rejected with, in order. */
  readonly errors: unknown[] = [];
  /** Names of the tasks still waiting. */
  readonly pending = new Set<string>();

  /** Runs `body` as task `name`; the returned promise never rejects. */
  run(name: string, body: () => Promise<void>): Promise<void> {
    this.pending.add(name);
    return body().then(
      () => {
        this.pending.delete(name);
      },
      (error: unknown) => {
        this.pending.delete(name);
        this.errors.push(error);
      },
    );
  }
}

/** A link conversation in progress. */
export interface LinkRun {
  readonly down: LinkEndpoint<"Down">;
  readonly up: LinkEndpoint<"Up">;
  readonly tasks: LinkTasks;
}

/** Starts the conversation: Down on session 0 of `downMux`, Up on session 0 of `upMux`. */
export function startLinkRun(downMux: SessionMux, upMux: SessionMux, interests: number): LinkRun {
  const tasks = new LinkTasks();
  const down = createEndpoint(linkDown, downMux);
  const up = createEndpoint(linkUp, upMux);
  playDown(down, interests, tasks);
  playUp(up, tasks);
  return { down, up, tasks };
}

/** Plays Down: Hello, then `interests` Interests while taking decisions, then Bye. */
export function playDown(down: LinkEndpoint<"Down">, interests: number, tasks: LinkTasks): void {
  void tasks.run("down", async () => {
    down.send("Hello", { version: 1 });
    const answer = await down.offer();
    answer.recv();
    const sending = tasks.run("down interests", async () => {
      const lane = down.lane("interests");
      for (let index = 0; index < interests; index++) lane.send("Interest", { key: `k${index}` });
      lane.send("InterestsDone", { count: interests });
    });
    const receiving = tasks.run("down decisions", async () => {
      for (;;) {
        const branch = await down.lane("decisions").offer();
        branch.recv();
        if (branch.label === "DecisionsDone") return;
      }
    });
    await Promise.all([sending, receiving]);
    down.send("Bye", { reason: "done" });
  });
}

/** Plays Up: Welcome, takes every Interest while sending one Assign, then waits for Bye. */
export function playUp(up: LinkEndpoint<"Up">, tasks: LinkTasks): void {
  void tasks.run("up", async () => {
    await up.recv("Hello");
    up.send("Welcome", { node: "root" });
    const receiving = tasks.run("up interests", async () => {
      for (;;) {
        const branch = await up.lane("interests").offer();
        branch.recv();
        if (branch.label === "InterestsDone") return;
      }
    });
    const sending = tasks.run("up decisions", async () => {
      const lane = up.lane("decisions");
      lane.send("Assign", { key: "k0" });
      lane.send("DecisionsDone", { count: 1 });
    });
    await Promise.all([receiving, sending]);
    await up.recv("Bye");
  });
}
