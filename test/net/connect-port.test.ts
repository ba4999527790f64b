/**
 * connectPort with a port function: a function that fails, or gives no port in time, is a failed dial
 * retried with backoff; a port that comes after the dial was given up is closed; close() does not wait
 * for a function that never answers.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { expect, it } from "vitest";
import { connectPort, listenPorts } from "../../lib/index.js";
import { ConnectError } from "../../transports/connect-error.js";
import { cleanupAfterEach } from "../test-cleanup.js";

const WAIT = { timeout: 10_000, interval: 5 } as const;
const FAST = { initialDelayMs: 5, maxDelayMs: 20 } as const;
const { defer, node } = cleanupAfterEach();

it("takes a function that throws as a failed dial and asks again, linking once it gives a port", async () => {
  const parent = node("parent");
  const ports = listenPorts(parent);
  const child = node("child");
  let calls = 0;
  const upstream = connectPort(
    child,
    () => {
      if (++calls === 1) throw new Error("the hub is starting");
      const { port1, port2 } = new MessageChannel();
      ports.accept(port1);
      return port2;
    },
    FAST,
  );
  const errors: unknown[] = [];
  upstream.onStatus((status) => status === "disconnected" && errors.push(upstream.lastError));
  await expect.poll(() => upstream.status, WAIT).toBe("connected");
  expect(calls).toBe(2);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(ConnectError);
  expect((errors[0] as Error).message).toContain("the port function failed: the hub is starting");
});

it("gives up on a port that does not come within portTimeoutMs, and closes it when it comes later", async () => {
  const child = node("child");
  const told: unknown[] = [];
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  defer(() => timers.forEach(clearTimeout));
  const upstream = connectPort(
    child,
    () =>
      new Promise<MessagePort>((resolve) => {
        const { port1, port2 } = new MessageChannel();
        defer(() => port2.close());
        port2.on("message", (message) => told.push(message));
        timers.push(setTimeout(() => resolve(port1), 60));
      }),
    { ...FAST, portTimeoutMs: 20 },
  );
  await expect.poll(() => upstream.lastError?.message, WAIT).toContain("gave no port within 20 ms (portTimeoutMs)");
  expect(upstream.status).not.toBe("connected");
  await expect.poll(() => told, WAIT).toContainEqual({ "hakuban-port-close": "the dial was given up" });
  await upstream.close();
  expect(upstream.status).toBe("closed");
});

it("closes at once while its function has not answered", async () => {
  const child = node("child");
  // A portTimeoutMs beyond the test's own timeout: only the abort can end the dial.
  const upstream = connectPort(child, () => new Promise<MessagePort>(() => {}), { ...FAST, portTimeoutMs: 60_000 });
  await upstream.close();
  expect(upstream.status).toBe("closed");
});

it("refuses a portTimeoutMs that is not a finite number above 0", () => {
  const child = node("child");
  expect(() => connectPort(child, () => new MessageChannel().port1, { portTimeoutMs: 0 })).toThrow(RangeError);
});
