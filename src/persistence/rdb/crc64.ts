// Redis's CRC-64 (redis/src/crc64.c: "Jones" polynomial 0xad93d23594c935a9, reflected in and out,
// init 0, no final xor; crc64("123456789") = 0xe9c6d914c4b8d9ca), the checksum of RDB files and
// DUMP payloads. Table driven, one byte at a time, on two 32-bit halves (no BigInt in the loop).

const REFLECTED_POLY = 0x95ac9329ac4bc9b5n;
const tableLo = new Uint32Array(256);
const tableHi = new Uint32Array(256);

for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ REFLECTED_POLY : c >> 1n;
  tableLo[i] = Number(c & 0xffffffffn);
  tableHi[i] = Number(c >> 32n);
}

/** A running CRC-64 (update with chunks, read `value`). */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(b: Uint8Array, from = 0, to = b.length): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      const idx = (lo ^ b[i]!) & 255;
      lo = ((lo >>> 8) | (hi << 24)) ^ tableLo[idx]!;
      hi = (hi >>> 8) ^ tableHi[idx]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The value as 8 little-endian bytes (how RDB files and DUMP payloads store it). */
  bytesLE(): Uint8Array {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.lo, true);
    v.setUint32(4, this.hi, true);
    return out;
  }
}

export function crc64(b: Uint8Array, from = 0, to = b.length): bigint {
  return new Crc64().update(b, from, to).value;
}
