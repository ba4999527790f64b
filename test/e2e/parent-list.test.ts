import { describe, expect, it } from "vitest";
import { LocalNode, connect, listen, type Listener } from "../../lib/node-entry.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { first, status } from "./helpers.js";

const { node } = cleanupAfterEach();

/**
 * A parent node listening on a free loopback port, exposing "x" with `data` at `version`. The parents
 * here are separate trees (not roots of one cluster), whose elections both start at epoch 1: the
 * versions tell their states apart.
 */
async function parent(name: string, data: string, version: number): Promise<{ node: LocalNode; listener: Listener }> {
  const made = node(name);
  made.object(["p"], "x").expose<string>().set(data, { version: [version] });
  return { node: made, listener: await listen(made, { host: "127.0.0.1", port: 0 }) };
}

const fastRedial = { initialDelayMs: 5, maxDelayMs: 20 };

describe("connect with a list of parents", () => {
  it("dials past a parent that does not answer, and moves on to the next when the current one is lost", async () => {
    const gone = await parent("gone", "never", 1);
    const deadUrl = gone.listener.url;
    await gone.node.close();
    const one = await parent("one", "from one", 1);
    const two = await parent("two", "from two", 2);
    const child = node("child");
    const upstream = connect(child, [deadUrl, one.listener.url, two.listener.url], fastRedial);
    await status(upstream, "connected");
    expect(upstream.url).toBe(one.listener.url);
    const observe = child.object(["p"], "x").observe<string>();
    await first(observe.state$, (state) => state?.data === "from one");
    const seen: Array<string | undefined> = [];
    observe.onChange((state) => seen.push(state?.data));
    await one.node.close();
    await first(observe.state$, (state) => state?.data === "from two" && state.synchronized);
    expect(upstream.url).toBe(two.listener.url);
    expect(seen).not.toContain(undefined);
  });

  it("refuses an empty list at once", () => {
    expect(() => connect(node("child"), [])).toThrow(TypeError);
  });
});
