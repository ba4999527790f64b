import type { JsonValue } from "../descriptor/json-value.js";
import { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { NodeSnapshot } from "../monitor/node-snapshot.js";
import { type CliIo, EXIT_FAILURE } from "./cli-io.js";
import { DEFAULT_MONITOR_TAG, type TopCommand } from "./cli-options.js";
import { reportDenials } from "./denial-report.js";
import { descriptorText } from "./descriptor-text.js";
import { readNodeSnapshot } from "../monitor/read-node-snapshot.js";
import { ParentLink } from "./parent-link.js";
import { askRouterMonitorTag } from "./router-monitor-tag.js";
import { renderTopFrame } from "./top-frame.js";

/** Milliseconds between two frames. */
export const TOP_REFRESH_MS = 1000;

/** Moves a terminal's cursor home and clears the screen, so each frame is drawn over the last. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

/**
 * `hakuban top`: observes the monitor tag and draws a frame (renderTopFrame) each second, over the
 * last one on a terminal, one after the other (a blank line between) elsewhere. With `--once`, one
 * frame a second after the first monitor object arrived (so a tree's nodes have all reported), then
 * it exits. A state under the tag that is not a node snapshot is said once on stderr and not shown.
 * Without `--tag`, it asks the router for its monitor tag first (exit code 1 when the router publishes
 * none; DEFAULT_MONITOR_TAG, said on stderr, when URL is not a router's). Resolves with the exit code.
 */
export async function runTop(command: TopCommand, io: CliIo): Promise<number> {
  const tag = command.tag ?? (await routerTag(command.link.url, io));
  if (tag === undefined) return EXIT_FAILURE;
  const link = await ParentLink.open(command.link, io);
  const observe = link.node.tag(tag).observe<JsonValue>();
  reportDenials(observe, `the tag ${tag.key}`, io);
  const snapshots = new Map<string, NodeSnapshot>();
  const foreign = new Set<string>();
  const draw = (): void => {
    const frame = renderTopFrame([...snapshots.values()], {
      url: command.link.url,
      tag: tag.key,
      sort: command.sort,
      now: Date.now(),
      ...(io.terminal && io.columns !== undefined ? { width: io.columns } : {}),
    });
    io.out(io.terminal ? CLEAR_SCREEN + frame : `${frame}\n`);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** With --once: called at the first snapshot, it draws the one frame a refresh later. */
  let arrived: (() => void) | undefined;
  const done = command.once
    ? new Promise<void>((resolve) => {
        arrived = () => {
          arrived = undefined;
          timer = setTimeout(() => {
            draw();
            resolve();
          }, TOP_REFRESH_MS);
        };
      })
    : undefined;
  observe.changes$.subscribe(({ descriptor, state }) => {
    const snapshot = state === undefined ? undefined : readNodeSnapshot(state.data);
    if (snapshot !== undefined) {
      snapshots.set(descriptor.key, snapshot);
      arrived?.();
      return;
    }
    snapshots.delete(descriptor.key);
    if (state !== undefined && !foreign.has(descriptor.key)) {
      foreign.add(descriptor.key);
      io.err(`hakuban: ${descriptorText(descriptor.toJSON())} carries the monitor tag but its state is not a node snapshot; not shown\n`);
    }
  });
  if (!command.once) {
    draw();
    timer = setInterval(draw, TOP_REFRESH_MS);
  }
  const code = await link.end(done);
  clearInterval(timer);
  return code;
}

/** The monitor tag the router at `url` publishes under, DEFAULT_MONITOR_TAG when it cannot say, or undefined (said on stderr) when it publishes none. */
async function routerTag(url: string, io: CliIo): Promise<TagDescriptor | undefined> {
  const asked = await askRouterMonitorTag(url, io.signal);
  if ("failure" in asked) {
    io.err(`hakuban: could not ask ${url} for its monitor tag (${asked.failure}); observing the tag ${JSON.stringify(DEFAULT_MONITOR_TAG)} (give --tag to choose)\n`);
    return new TagDescriptor(DEFAULT_MONITOR_TAG);
  }
  if (asked.tag === null) {
    io.err(`hakuban: the router at ${url} publishes no monitor objects: start it with --monitor-tag TAG\n`);
    return undefined;
  }
  try {
    return new TagDescriptor(asked.tag);
  } catch (error) {
    io.err(`hakuban: the router at ${url} names a monitor tag that is not one (${error instanceof Error ? error.message : String(error)}); give --tag\n`);
    return undefined;
  }
}
