// Decoders of Redis's compact encodings as they appear inside RDB string blobs: ziplist
// (redis/src/ziplist.c), listpack (listpack.c), intset (intset.c) and zipmap (zipmap.c). Each
// returns the elements as byte strings (integers as their decimal text, as Redis replies them)
// and throws RdbError, with `base` + the offset inside the blob, on anything malformed.
import { RdbError } from "./rdb-types.ts";

const enc = new TextEncoder();
const int = (v: number | bigint): Uint8Array => enc.encode(String(v));

function fail(what: string, message: string, base: number, at: number): never {
  throw new RdbError(`${what}: ${message}`, base + at);
}

function le(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
  return v;
}

function leSigned(b: Uint8Array, p: number, n: number): number | bigint {
  if (n === 8) return new DataView(b.buffer, b.byteOffset + p, 8).getBigInt64(0, true);
  const v = le(b, p, n);
  const top = 2 ** (8 * n - 1);
  return v >= top ? v - 2 * top : v;
}

/** A ziplist's entries. */
export function decodeZiplist(b: Uint8Array, base = 0): Uint8Array[] {
  const W = "ziplist";
  if (b.length < 11) fail(W, "shorter than its header", base, 0);
  if (le(b, 0, 4) !== b.length) fail(W, `zlbytes ${le(b, 0, 4)} != blob length ${b.length}`, base, 0);
  const out: Uint8Array[] = [];
  let p = 10;
  const end = b.length - 1;
  if (b[end] !== 0xff) fail(W, "missing end byte", base, end);
  while (p < end) {
    // prevlen
    if (b[p] === 0xfe) p += 5;
    else p += 1;
    if (p >= end) fail(W, "entry header past the end", base, p);
    const e = b[p]!;
    const kind = e >> 6;
    let len = -1;
    if (kind === 0) {
      len = e & 63;
      p += 1;
    } else if (kind === 1) {
      if (p + 2 > end) fail(W, "entry header past the end", base, p);
      len = ((e & 63) << 8) | b[p + 1]!;
      p += 2;
    } else if (kind === 2) {
      if (e !== 0x80 || p + 5 > end) fail(W, "bad string header", base, p);
      len = (b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!;
      len >>>= 0;
      p += 5;
    }
    if (len >= 0) {
      if (p + len > end) fail(W, "string past the end", base, p);
      out.push(b.subarray(p, p + len));
      p += len;
      continue;
    }
    p += 1;
    let n = 0;
    if (e === 0xc0) n = 2;
    else if (e === 0xd0) n = 4;
    else if (e === 0xe0) n = 8;
    else if (e === 0xf0) n = 3;
    else if (e === 0xfe) n = 1;
    else if (e >= 0xf1 && e <= 0xfd) {
      out.push(int((e & 15) - 1));
      continue;
    } else fail(W, `unknown entry encoding 0x${e.toString(16)}`, base, p - 1);
    if (p + n > end) fail(W, "integer past the end", base, p);
    out.push(int(leSigned(b, p, n)));
    p += n;
  }
  const declared = le(b, 8, 2);
  if (declared !== 0xffff && declared !== out.length) fail(W, `zllen ${declared} != ${out.length} entries`, base, 8);
  return out;
}

/** Bytes of a listpack entry's back length for an entry of `n` bytes. */
const backlenBytes = (n: number): number => (n <= 127 ? 1 : n < 16383 ? 2 : n < 2097151 ? 3 : n < 268435455 ? 4 : 5);

/** A listpack's entries. */
export function decodeListpack(b: Uint8Array, base = 0): Uint8Array[] {
  const W = "listpack";
  if (b.length < 7) fail(W, "shorter than its header", base, 0);
  if (le(b, 0, 4) !== b.length) fail(W, `total bytes ${le(b, 0, 4)} != blob length ${b.length}`, base, 0);
  const end = b.length - 1;
  if (b[end] !== 0xff) fail(W, "missing end byte", base, end);
  const out: Uint8Array[] = [];
  let p = 6;
  while (p < end) {
    const start = p;
    const e = b[p]!;
    let value: Uint8Array;
    if (e < 0x80) {
      value = int(e);
      p += 1;
    } else if (e >> 6 === 2) {
      const n = e & 63;
      value = b.subarray(p + 1, p + 1 + n);
      p += 1 + n;
    } else if (e >> 5 === 6) {
      if (p + 2 > end) fail(W, "entry past the end", base, p);
      const u = ((e & 31) << 8) | b[p + 1]!;
      value = int(u >= 4096 ? u - 8192 : u);
      p += 2;
    } else if (e >> 4 === 14) {
      if (p + 2 > end) fail(W, "entry past the end", base, p);
      const n = ((e & 15) << 8) | b[p + 1]!;
      value = b.subarray(p + 2, p + 2 + n);
      p += 2 + n;
    } else if (e === 0xf0) {
      if (p + 5 > end) fail(W, "entry past the end", base, p);
      const n = le(b, p + 1, 4);
      value = b.subarray(p + 5, p + 5 + n);
      p += 5 + n;
    } else if (e >= 0xf1 && e <= 0xf4) {
      const n = e === 0xf1 ? 2 : e === 0xf2 ? 3 : e === 0xf3 ? 4 : 8;
      if (p + 1 + n > end) fail(W, "integer past the end", base, p);
      value = int(leSigned(b, p + 1, n));
      p += 1 + n;
    } else return fail(W, `unknown entry encoding 0x${e.toString(16)}`, base, p);
    if (p > end) fail(W, "entry past the end", base, start);
    p += backlenBytes(p - start);
    if (p > end) fail(W, "back length past the end", base, start);
    out.push(value);
  }
  const declared = le(b, 4, 2);
  if (declared !== 0xffff && declared !== out.length) fail(W, `element count ${declared} != ${out.length} entries`, base, 4);
  return out;
}

/** An intset's members, in its (ascending) order. */
export function decodeIntset(b: Uint8Array, base = 0): Uint8Array[] {
  const W = "intset";
  if (b.length < 8) fail(W, "shorter than its header", base, 0);
  const width = le(b, 0, 4);
  if (width !== 2 && width !== 4 && width !== 8) fail(W, `bad encoding ${width}`, base, 0);
  const n = le(b, 4, 4);
  if (8 + n * width !== b.length) fail(W, `length ${n} × ${width} does not match the blob`, base, 4);
  const out: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = int(leSigned(b, 8 + i * width, width));
  return out;
}

/** A zipmap's fields and values, alternating. */
export function decodeZipmap(b: Uint8Array, base = 0): Uint8Array[] {
  const W = "zipmap";
  if (b.length < 2) fail(W, "shorter than its header", base, 0);
  const out: Uint8Array[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= b.length) fail(W, "length past the end", base, p);
    const f = b[p]!;
    if (f < 254) {
      p += 1;
      return f;
    }
    if (f === 254) {
      if (p + 5 > b.length) fail(W, "length past the end", base, p);
      const v = le(b, p + 1, 4);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (p + klen > b.length) fail(W, "field past the end", base, p);
    out.push(b.subarray(p, p + klen));
    p += klen;
    const vlen = readLen();
    if (vlen < 0) fail(W, "field without a value", base, p);
    if (p >= b.length) fail(W, "free byte past the end", base, p);
    const free = b[p++]!;
    if (p + vlen + free > b.length) fail(W, "value past the end", base, p);
    out.push(b.subarray(p, p + vlen));
    p += vlen + free;
  }
  if (p !== b.length - 1) fail(W, "bytes after the end marker", base, p);
  return out;
}
