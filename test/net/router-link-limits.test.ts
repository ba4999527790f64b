import { afterEach, expect, it } from "vitest";
import { LocalNode, connect } from "../../lib/node-entry.js";
import { parseRouterArgs, ROUTER_USAGE } from "../../lib/router/router-options.js";
import { RouterOptionsError } from "../../lib/router/router-options-error.js";
import { type Router, startRouter } from "../../lib/router/router.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const bind = ["--bind", "ws://127.0.0.1:0"];

it("reads the link limits into linkLimits, only the ones given", () => {
  const argv = [
    ...bind,
    "--max-objects=500",
    "--max-tags",
    "20",
    "--max-descriptor-length",
    "100000",
    "--opens-per-second",
    "50",
    "--queue-bytes",
    "65536",
    "--max-queue-bytes",
    "1048576",
    "--max-congested",
    "2000",
  ];
  expect(parseRouterArgs(argv)).toMatchObject({
    options: {
      linkLimits: {
        maxObjects: 500,
        maxTags: 20,
        maxDescriptorLength: 100_000,
        opensPerSecond: 50,
        queueBytes: 65_536,
        maxQueueBytes: 1_048_576,
        maxCongestedMs: 2_000,
      },
    },
  });
  expect(parseRouterArgs([...bind, "--max-objects", "7"])).toMatchObject({ options: { linkLimits: { maxObjects: 7 } } });
  const run = parseRouterArgs(bind);
  expect(run.kind === "run" && "linkLimits" in run.options).toBe(false);
  expect(ROUTER_USAGE).toMatch(/--max-objects N +most object sessions one child may have open \(default 200000\)/);
  expect(ROUTER_USAGE).toMatch(/--max-congested MS +close a child's link over --queue-bytes for MS milliseconds \(default 30000\)/);
});

it.each([
  [["--max-objects", "0"], /--max-objects must be a whole number from 1 up; got "0"/],
  [["--opens-per-second", "fast"], /--opens-per-second must be a whole number from 1 up; got "fast"/],
  [["--queue-bytes", "1048576", "--max-queue-bytes", "1048576"], /--max-queue-bytes and --queue-bytes: .*maxQueueBytes \(1048576\) must be above queueBytes \(1048576\)/],
  [["--queue-bytes", "67108864"], /maxQueueBytes \(67108864\) must be above queueBytes \(67108864\)/],
])("refuses %j", (args, message) => {
  expect(() => parseRouterArgs([...bind, ...args])).toThrow(RouterOptionsError);
  expect(() => parseRouterArgs([...bind, ...args])).toThrow(message);
});

it("holds its children to the link limits it was started with", async () => {
  const command = parseRouterArgs([...bind, "--max-objects", "1"]);
  if (command.kind !== "run") throw new Error("not a run command");
  const lines: string[] = [];
  const router: Router = await startRouter(command.options, (level, line) => lines.push(`${level} ${line}`));
  cleanup.push(() => router.close());
  const child = new LocalNode({ name: "child" });
  cleanup.push(() => child.close());
  connect(child, router.listener.url);
  child.object([], "first").observe();
  child.object([], "second").observe();
  await expect.poll(() => lines.find((line) => line.includes("over maxObjects"))).toMatch(/^warn child "child" \(ws:\/\/127\.0\.0\.1:\d+\) over maxObjects \(1\): refused the Open of /);
});
