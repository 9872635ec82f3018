/**
 * A minimal Avro binary writer (Avro 1.x specification, "Binary Encoding"): zig-zag varint
 * `int`/`long`, length-prefixed `string`/`bytes`, little-endian `double`. The DTS encoder writes
 * the `Record` fields in schema order with it; the tests check every byte against `avsc`.
 * One module-level writer is reused across calls (encoding is synchronous), so a message costs
 * one copy of its bytes.
 */
export class AvroWriter {
  private buffer: Buffer;
  private position = 0;

  constructor(initialSize = 4096) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.position = 0;
  }

  /** A copy of the bytes written since the last reset. */
  toBuffer(): Buffer {
    return Buffer.from(this.written());
  }

  /** The bytes written since the last reset, in place: valid until the next write or reset. */
  written(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  private ensure(extra: number): void {
    const needed = this.position + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }

  /** Writes an already encoded fragment (precomputed per table). */
  writeRaw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buffer, this.position);
    this.position += bytes.length;
  }

  /** Avro `int`, and union branch indexes, enum ordinals, block counts. */
  writeInt(n: number): void {
    this.ensure(5);
    let z = ((n << 1) ^ (n >> 31)) >>> 0;
    while (z > 0x7f) {
      this.buffer[this.position++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    this.buffer[this.position++] = z;
  }

  /** Avro `long` for any safe integer (ids, epoch seconds and milliseconds). */
  writeLong(n: number): void {
    if (n >= -0x40000000 && n < 0x40000000) {
      this.writeInt(n);
      return;
    }
    this.ensure(10);
    // Zig-zag in floating point: exact for |n| < 2^52, which covers every value we write.
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 0x80) {
      this.buffer[this.position++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buffer[this.position++] = z;
  }

  writeDouble(x: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(x, this.position);
    this.position += 8;
  }

  writeString(s: string): void {
    // Short ASCII strings (numbers, charset names, positions) are copied char by char: cheaper
    // than the two native calls of the general path. Any other character falls back to it.
    const n = s.length;
    if (n < 128) {
      this.ensure(n + 1);
      const start = this.position;
      const buffer = this.buffer;
      buffer[start] = n << 1; // zig-zag length, one byte for n < 64
      let i = 0;
      if (n < 64) {
        for (; i < n; i++) {
          const c = s.charCodeAt(i);
          if (c > 0x7f) break;
          buffer[start + 1 + i] = c;
        }
        if (i === n) {
          this.position = start + 1 + n;
          return;
        }
      }
    }
    const length = Buffer.byteLength(s, 'utf8');
    this.writeInt(length);
    this.ensure(length);
    this.buffer.write(s, this.position, length, 'utf8');
    this.position += length;
  }

  writeBytes(bytes: Buffer): void {
    this.writeInt(bytes.length);
    this.writeRaw(bytes);
  }
}
