import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { CarrierProtocolError } from "../../transports/carrier-protocol-error.js";
import { wrapMessagePort } from "../../transports/message-port-carrier.js";
import { record } from "./carrier-recorder.js";
import { describeCarrierConformance } from "./conformance.js";

describeCarrierConformance("message port", async () => {
  const { port1, port2 } = new MessageChannel();
  return { a: wrapMessagePort(port1, { peer: "port a" }), b: wrapMessagePort(port2, { peer: "port b" }), dispose: async () => {} };
});

const opened: MessagePort[] = [];
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

/** A carrier on one end of a fresh channel, and the other end raw, as a hostile peer holds it. */
function carrierAndRawPeer(maxMessageBytes?: number): { carrier: ReturnType<typeof wrapMessagePort>; raw: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  opened.push(port2);
  return { carrier: wrapMessagePort(port1, { peer: "hostile", ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) }), raw: port2 };
}

describe("message port carrier against a hostile peer", () => {
  const hostile: Array<[string, unknown, RegExp]> = [
    ["a string", "hello", /type string/],
    ["a number", 7, /type number/],
    ["null", null, /type object/],
    ["an object that is not its close message", { "hakuban-port-close": "x", more: 1 }, /type Object/],
    ["a close message with a reason that is not a string", { "hakuban-port-close": 3 }, /type Object/],
    ["a close message with an overlong reason", { "hakuban-port-close": "x".repeat(201) }, /type Object/],
    ["an ArrayBuffer", new ArrayBuffer(4), /type ArrayBuffer/],
    ["another typed array", new Uint16Array(2), /type Uint16Array/],
    ["bytes over shared memory", new Uint8Array(new SharedArrayBuffer(4)), /shared memory/],
  ];
  for (const [what, message, violation] of hostile) {
    it(`closes with a CarrierProtocolError when the peer sends ${what}, and tells the peer`, async () => {
      const { carrier, raw } = carrierAndRawPeer();
      const at = record(carrier);
      const heard: unknown[] = [];
      raw.on("message", (value) => heard.push(value));
      raw.postMessage(new Uint8Array([1, 2]));
      raw.postMessage(message);
      raw.postMessage(new Uint8Array([3]));
      await at.until(() => at.closes.length === 1);
      expect(at.messages).toEqual([new Uint8Array([1, 2])]);
      const error = at.closes[0]?.error;
      expect(error).toBeInstanceOf(CarrierProtocolError);
      expect((error as CarrierProtocolError).violation).toMatch(violation);
      expect(at.closes[0]?.byPeer).toBe(true);
      expect(carrier.state).toBe("closed");
      await expect.poll(() => heard).toEqual([{ "hakuban-port-close": expect.stringContaining("protocol violation") }]);
    });
  }

  it("closes when a message is over maxMessageBytes and takes one at the limit", async () => {
    const { carrier, raw } = carrierAndRawPeer(100);
    const at = record(carrier);
    raw.postMessage(new Uint8Array(100));
    raw.postMessage(new Uint8Array(101));
    await at.until(() => at.closes.length === 1);
    expect(at.messages.map((bytes) => bytes.byteLength)).toEqual([100]);
    expect((at.closes[0]?.error as CarrierProtocolError).violation).toBe("sent a message of 101 bytes, over maxMessageBytes (100)");
  });

  it("refuses a maxMessageBytes that is not a positive whole number", () => {
    const { port1 } = new MessageChannel();
    opened.push(port1);
    expect(() => wrapMessagePort(port1, { maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => wrapMessagePort(port1, { maxMessageBytes: 1.5 })).toThrow(RangeError);
  });

  it("takes the peer's close message as a close by the peer, with its reason", async () => {
    const { carrier, raw } = carrierAndRawPeer();
    const at = record(carrier);
    raw.postMessage({ "hakuban-port-close": "tab unloading" });
    await at.until(() => at.closes.length === 1);
    expect(at.closes).toEqual([{ reason: "tab unloading", byPeer: true }]);
  });
});

describe("message port carrier and the platform's close", () => {
  it("ends when the other port is closed without a close message (Node's close event)", async () => {
    const { carrier, raw } = carrierAndRawPeer();
    const at = record(carrier);
    raw.close();
    await at.until(() => at.closes.length === 1);
    expect(at.closes).toEqual([{ reason: "the port closed", byPeer: true }]);
  });

  it("ends when the worker whose port it is exits, and posts only whole buffers", async () => {
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       parentPort.on("message", (bytes) => { parentPort.postMessage(bytes); if (bytes.length === 3) process.exit(0); });`,
      { eval: true },
    );
    const carrier = wrapMessagePort(worker, { peer: "worker" });
    const at = record(carrier);
    const backing = new Uint8Array([9, 1, 2, 9]);
    carrier.send(backing.subarray(1, 3));
    carrier.send(new Uint8Array([4, 5, 6]));
    await at.until(() => at.closes.length === 1);
    expect(at.messages).toEqual([new Uint8Array([1, 2]), new Uint8Array([4, 5, 6])]);
    expect(at.messages[0]?.buffer.byteLength).toBe(2);
    expect(backing).toEqual(new Uint8Array([9, 1, 2, 9]));
    expect(at.closes).toEqual([{ reason: "the worker exited", byPeer: true }]);
  });
});
