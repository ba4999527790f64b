/**
 * Writes the compact state wire's primitives into one growing scratch buffer, then copies the message
 * out (`finish`): a message never shares a buffer with another, so a cached message keeps only its own
 * bytes alive. One writer serves every encoding in turn (encoding is synchronous).
 */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  pos = 0;

  /** Starts a new message. */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written since `reset`. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.pos);
  }

  /** Makes room for `bytes` more bytes. */
  room(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.pos + bytes));
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.pos++] = value;
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** A non-negative safe integer as LEB128 (at most 8 bytes). */
  uint(value: number): void {
    this.room(8);
    const buffer = this.buffer;
    let pos = this.pos;
    // Above 31 bits by arithmetic, then with the integer operations V8 keeps in registers.
    while (value > 0x7fff_ffff) {
      buffer[pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    while (value >= 0x80) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
    this.pos = pos;
  }

  /**
   * A safe integer of either sign: the first byte holds the sign (bit 0), the magnitude's low 6 bits and
   * a continuation bit (bit 7); the rest of the magnitude follows as LEB128. Small values of either sign
   * take one byte, and no magnitude is doubled past the safe integers (as zigzag would).
   */
  int(value: number): void {
    const magnitude = value < 0 ? -value : value;
    const rest = Math.floor(magnitude / 64);
    this.byte(((magnitude % 64) << 1) | (value < 0 ? 1 : 0) | (rest > 0 ? 0x80 : 0));
    if (rest > 0) this.uint(rest);
  }

  float(value: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * `text` as UTF-8 after a length header: `header(length)` is called with the byte length before the
   * bytes are written (ASCII, the common case, is written directly; anything else through TextEncoder).
   */
  text(text: string, header: (writer: ByteWriter, length: number) => void): void {
    const length = text.length;
    let ascii = true;
    for (let i = 0; i < length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
    if (ascii) {
      header(this, length);
      this.room(length);
      const buffer = this.buffer;
      const start = this.pos;
      for (let i = 0; i < length; i++) buffer[start + i] = text.charCodeAt(i);
      this.pos = start + length;
      return;
    }
    const encoded = textEncoder.encode(text);
    header(this, encoded.length);
    this.bytes(encoded);
  }
}

const textEncoder = new TextEncoder();
