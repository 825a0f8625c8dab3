// A growing byte buffer for RDB output: lengths, strings (integer-encoded or LZF as Redis writes
// them), doubles, fixed-width numbers. `cut()` hands out what is written so far (a chunk), so a
// large file streams in pieces instead of one giant concatenation.
import { lzfCompress } from "./lzf.ts";

const dec = new TextDecoder();
const INT_TEXT = /^-?[1-9][0-9]{0,9}$|^0$/;

export class RdbOutput {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  p = 0;

  /** Compress strings longer than 20 bytes with LZF when it saves space (rdbcompression yes). */
  compress = true;

  private ensure(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.p + n));
    next.set(this.buf.subarray(0, this.p));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written since the last cut (a copy), and a fresh start. */
  cut(): Uint8Array {
    const out = this.buf.slice(0, this.p);
    this.p = 0;
    return out;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.p++] = v;
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.p);
    this.p += b.length;
    return this;
  }

  u16LE(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.p, v, true);
    this.p += 2;
    return this;
  }

  u32LE(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.p, v, true);
    this.p += 4;
    return this;
  }

  i64LE(v: number | bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.p, BigInt(v), true);
    this.p += 8;
    return this;
  }

  f64LE(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.p, v, true);
    this.p += 8;
    return this;
  }

  /** rdbSaveLen. */
  len(n: number): this {
    this.ensure(9);
    if (n < 64) this.buf[this.p++] = n;
    else if (n < 16384) {
      this.buf[this.p++] = 0x40 | (n >> 8);
      this.buf[this.p++] = n & 255;
    } else if (n <= 0xffffffff) {
      this.buf[this.p++] = 0x80;
      this.view.setUint32(this.p, n, false);
      this.p += 4;
    } else {
      this.buf[this.p++] = 0x81;
      this.view.setBigUint64(this.p, BigInt(n), false);
      this.p += 8;
    }
    return this;
  }

  /** A 64-bit length (stream IDs, counters; -1 written as 2^64-1, as Redis's rdbSaveLen does). */
  lenBig(n: bigint): this {
    if (n <= 0xffffffffn) return this.len(Number(n));
    this.ensure(9);
    this.buf[this.p++] = 0x81;
    this.view.setBigUint64(this.p, n, false);
    this.p += 8;
    return this;
  }

  /** rdbSaveRawString: an integer encoding when the text is one that fits 32 bits, else LZF or plain. */
  string(b: Uint8Array): this {
    if (b.length > 0 && b.length <= 11 && INT_TEXT.test(dec.decode(b))) {
      const v = Number(dec.decode(b));
      if (v >= -128 && v <= 127) return this.u8(0xc0).u8(v & 255);
      if (v >= -32768 && v <= 32767) {
        this.u8(0xc1).ensure(2);
        this.view.setInt16(this.p, v, true);
        this.p += 2;
        return this;
      }
      if (v >= -2147483648 && v <= 2147483647) {
        this.u8(0xc2).ensure(4);
        this.view.setInt32(this.p, v, true);
        this.p += 4;
        return this;
      }
    }
    if (this.compress && b.length > 20) {
      const c = lzfCompress(b);
      if (c !== undefined) return this.u8(0xc3).len(c.length).len(b.length).raw(c);
    }
    return this.len(b.length).raw(b);
  }

  text(s: string): this {
    return this.string(new TextEncoder().encode(s));
  }
}
