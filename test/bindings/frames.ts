import { type FrameHeader, frameHeaderSize, readFrameHeader, writeFrameHeader } from "../../bindings/frame-header.js";

/** One frame as tests write and read it. */
export interface TestFrame {
  readonly flags?: number;
  readonly session: number;
  readonly lane?: number;
  readonly label?: number;
  readonly payload?: Uint8Array | string;
}

/** Encodes frames into one carrier message, the way a peer would. */
export function message(...frames: TestFrame[]): Uint8Array {
  const parts = frames.map((frame) => {
    const payload =
      typeof frame.payload === "string" ? new TextEncoder().encode(frame.payload) : (frame.payload ?? new Uint8Array(0));
    const header: FrameHeader = {
      flags: frame.flags ?? 0,
      session: frame.session,
      lane: frame.lane ?? 0,
      label: frame.label ?? 0,
      length: payload.length,
    };
    const bytes = new Uint8Array(frameHeaderSize(header) + payload.length);
    bytes.set(payload, writeFrameHeader(bytes, 0, header));
    return bytes;
  });
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** Decodes a carrier message into its frames (payloads as text). */
export function frames(bytes: Uint8Array): Array<Required<Omit<TestFrame, "payload">> & { payload: string }> {
  const cursor = { bytes, pos: 0 };
  const out: Array<Required<Omit<TestFrame, "payload">> & { payload: string }> = [];
  while (cursor.pos < bytes.length) {
    const header = readFrameHeader(cursor, { flags: 0, session: 0, lane: 0, label: 0, length: 0 });
    const payload = new TextDecoder().decode(bytes.subarray(cursor.pos, cursor.pos + header.length));
    cursor.pos += header.length;
    out.push({ flags: header.flags, session: header.session, lane: header.lane, label: header.label, payload });
  }
  return out;
}
