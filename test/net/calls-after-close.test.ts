import { afterEach, describe, expect, it } from "vitest";
import { LocalNode, NodeClosedError, UpstreamExistsError, connect, listen } from "../../lib/node-entry.js";
import { first, status } from "../e2e/helpers.js";

// What connect, listen and their close() do when called after something was closed, over real sockets.

const nodes: LocalNode[] = [];
function node(name: string): LocalNode {
  const created = new LocalNode({ name });
  nodes.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
});

describe("calls after close", () => {
  it("listen on a closed node rejects with NodeClosedError before binding", async () => {
    const closed = node("closed");
    await closed.close();
    await expect(listen(closed, { port: 0 })).rejects.toThrow(NodeClosedError);
    await expect(listen(closed, { port: 0 })).rejects.toThrow(/listen\(\) was called on a closed LocalNode; create a new LocalNode/);
  });

  it("connect on a closed node throws NodeClosedError", async () => {
    const closed = node("closed");
    await closed.close();
    expect(() => connect(closed, "ws://127.0.0.1:3901")).toThrow(/connect\(\) was called on a closed LocalNode/);
  });

  it("listener.close() twice gives the same promise; the port is free once it resolved", async () => {
    const parent = node("parent");
    const listener = await listen(parent, { port: 0 });
    await status(connect(node("child"), listener.url), "connected");
    expect(listener.links).toBe(1);
    const closing = listener.close();
    expect(listener.close()).toBe(closing);
    await closing;
    expect(listener.close()).toBe(closing);
    expect(listener.links).toBe(0);
    const again = await listen(parent, { port: listener.port });
    await again.close();
  });

  it("connect works again once the previous upstream's close() resolved, and not while it is closing", async () => {
    const parent = node("parent");
    const listener = await listen(parent, { port: 0 });
    parent.object(["again"], null).expose<string>().set("still here");
    const child = node("child");

    const firstUpstream = connect(child, listener.url);
    await status(firstUpstream, "connected");
    const closing = firstUpstream.close();
    expect(() => connect(child, listener.url)).toThrow(UpstreamExistsError);
    await closing;

    const secondUpstream = connect(child, listener.url);
    await status(secondUpstream, "connected");
    const state = await first(child.object(["again"], null).observe<string>().state$, (s) => s?.synchronized === true);
    expect(state?.data).toBe("still here");
    expect(firstUpstream.status).toBe("closed");
  });
});
