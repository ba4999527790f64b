// Runs the examples the README shows, compiled to JavaScript into ./examples, against the installed
// package; prints what each one printed as one JSON object.
import { LocalNode, listen } from "hakuban";
import { runExposer } from "./examples/exposer.js";
import { networking } from "./examples/networking.js";
import { runObserver } from "./examples/observer.js";
import { quickStart } from "./examples/quick-start.js";
import { runTagDashboard } from "./examples/tag-dashboard.js";
import { runThreeLevelTree } from "./examples/three-level-tree.js";
import { trust } from "./examples/trust.js";
import { monitor } from "./examples/monitor.js";
import { msgpackExample } from "./examples/msgpack-codec.js";

const quiet = () => {};
const collect = async (run) => {
  const lines = [];
  await run((line) => lines.push(line));
  return lines;
};

const printed = {
  quickStart: await collect(quickStart),
  networking: await collect(networking),
  trust: await collect(trust),
  monitor: await collect(monitor),
  msgpackCodec: await collect(msgpackExample),
  threeLevelTree: await runThreeLevelTree({ log: quiet }),
  tagDashboard: await runTagDashboard({ log: quiet }),
};

const router = new LocalNode({ name: "router" });
const { url } = await listen(router, { port: 0 });
const stop = new AbortController();
const exposer = runExposer({ url, name: "exposer-1", intervalMs: 20, signal: stop.signal, log: quiet });
printed.observer = await runObserver({ url, name: "observer-1", updates: 2, log: quiet });
stop.abort();
printed.exposer = await exposer;
await router.close();

console.log(JSON.stringify(printed));
