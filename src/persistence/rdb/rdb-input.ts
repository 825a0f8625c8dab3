// A cursor over RDB bytes: lengths (rdbLoadLen), strings (plain, integer-encoded, LZF), doubles
// and the fixed-width numbers the format uses. Every read checks bounds and throws RdbError
// with the offset, so a truncated file fails where it ends.
import { parseScore } from "../../engine/zset/zset-score.ts";
import { lzfDecompress } from "./lzf.ts";
import { RdbError, RdbTruncated } from "./rdb-types.ts";

const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

const enc = new TextEncoder();
const dec = new TextDecoder();

export class RdbInput {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, at = this.pos): never {
    throw new RdbError(message, at);
  }

  need(n: number): void {
    if (n < 0) this.fail(`negative length ${n}`);
    if (this.pos + n > this.end) throw new RdbTruncated(`truncated: ${n} more bytes needed, ${this.end - this.pos} left`, this.pos);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32LE(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64LE(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f64LE(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32LE(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** rdbLoadLenByRef: a length, or (encoded = true) a string encoding number. */
  lenOrEncoding(): { len: number; encoded: boolean } {
    const at = this.pos;
    const b = this.u8();
    const kind = b >> 6;
    if (kind === 0) return { len: b & 63, encoded: false };
    if (kind === 1) return { len: ((b & 63) << 8) | this.u8(), encoded: false };
    if (kind === 3) return { len: b & 63, encoded: true };
    if (b === 0x80) {
      this.need(4);
      const v = this.view.getUint32(this.pos, false);
      this.pos += 4;
      return { len: v, encoded: false };
    }
    if (b === 0x81) {
      this.need(8);
      const v = this.view.getBigUint64(this.pos, false);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} too large`, at);
      return { len: Number(v), encoded: false };
    }
    return this.fail(`unknown length encoding 0x${b.toString(16)}`, at);
  }

  /** A length of up to 64 bits as a bigint (stream IDs and counters). */
  lenBig(): bigint {
    const at = this.pos;
    if (this.bytes[this.pos] === 0x81) {
      this.pos++;
      this.need(8);
      const v = this.view.getBigUint64(this.pos, false);
      this.pos += 8;
      return v;
    }
    const r = this.lenOrEncoding();
    if (r.encoded) this.fail("string encoding where a length was expected", at);
    return BigInt(r.len);
  }

  /** A plain length (an encoded one is corrupt here). */
  len(): number {
    const at = this.pos;
    const r = this.lenOrEncoding();
    if (r.encoded) this.fail("string encoding where a length was expected", at);
    return r.len;
  }

  /** A length that counts items still to read: each takes at least one byte. */
  count(minBytesEach = 1): number {
    const at = this.pos;
    const n = this.len();
    if (n * minBytesEach > this.end - this.pos) throw new RdbTruncated(`count ${n} exceeds the bytes left`, at);
    return n;
  }

  /** The string's bytes in an array of their own (a copy only when stored plainly). */
  ownString(): Uint8Array {
    const at = this.pos;
    const b = this.u8();
    this.pos = at;
    // Plain lengths are the top two bits 00, 01 or 10; 11 is an encoding (integer, LZF): fresh bytes.
    return (b & 0xc0) === 0xc0 ? this.string() : this.string().slice();
  }

  /** rdbGenericLoadStringObject: the string's bytes (a view when stored plainly). */
  string(): Uint8Array {
    const at = this.pos;
    const r = this.lenOrEncoding();
    if (!r.encoded) return this.take(r.len);
    switch (r.len) {
      case ENC_INT8: {
        const v = this.take(1);
        return enc.encode(String((v[0]! << 24) >> 24));
      }
      case ENC_INT16: {
        this.need(2);
        const v = this.view.getInt16(this.pos, true);
        this.pos += 2;
        return enc.encode(String(v));
      }
      case ENC_INT32: {
        this.need(4);
        const v = this.view.getInt32(this.pos, true);
        this.pos += 4;
        return enc.encode(String(v));
      }
      case ENC_LZF: {
        const clen = this.len();
        const ulen = this.len();
        const start = this.pos;
        this.need(clen);
        this.pos += clen;
        if (ulen > 512 * 1024 * 1024) this.fail(`LZF length ${ulen} too large`, at);
        const out = lzfDecompress(this.bytes, start, start + clen, ulen);
        if (out === undefined) this.fail("invalid LZF compressed string", at);
        return out;
      }
    }
    return this.fail(`unknown string encoding ${r.len}`, at);
  }

  text(): string {
    return dec.decode(this.string());
  }

  /** rdbLoadDoubleValue: the old text-encoded double (ZSET, v1 scores). */
  textDouble(): number {
    const at = this.pos;
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const text = dec.decode(this.take(n));
    const v = text === "nan" ? NaN : parseScore(text);
    if (v === undefined) this.fail(`invalid double "${text}"`, at);
    return v;
  }
}
