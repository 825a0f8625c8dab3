// The packed format of a small collection (Redis's listpack in spirit): one byte string holding
//
//   tag u8 | count u32 LE | element*      element = length (1 byte < 128, else 4 bytes with the
//                                                   top bit set, as arena records) | bytes
//
// Hashes store field, value, field, value...; sets and lists their members in order. It is the
// value record of the key in the keyspace arena, so a small collection costs no JS object at all.
// It is also the serialized form of every collection (snapshots, COPY): a large collection
// serializes to the same layout with all of its elements.
//
// Edits build the new value in a shared scratch buffer (`PackedWriter`) and hand it to
// `Keyspace.set`, which copies it into the arena: O(n) per write for n ≤ the listpack thresholds,
// as Redis's listpack is.

import { lenBytes, readLen, writeLen } from "../arena.ts";

/** Tags: the first byte of a packed value says how its elements are laid out. */
export const PackedTag = {
  /** length-prefixed byte strings */
  List: 0,
  /** integers (sets of integers: Redis's intset) as length-prefixed decimal ASCII, kept sorted */
  IntSet: 1,
  /** a hash whose fields carry expiries: field, value, expireAt (decimal ms, "0" = none) */
  HashWithExpiry: 2,
} as const;
export type PackedTag = (typeof PackedTag)[keyof typeof PackedTag];

export const PACKED_HEADER = 5;

export const packedTag = (buf: Uint8Array): number => (buf.length === 0 ? PackedTag.List : buf[0]!);

export function packedCount(buf: Uint8Array): number {
  if (buf.length < PACKED_HEADER) return 0;
  return (buf[1]! | (buf[2]! << 8) | (buf[3]! << 16) | (buf[4]! << 24)) >>> 0;
}

/** Offset of the first element. */
export const packedFirst = (): number => PACKED_HEADER;

/** Length of the element at `p`. */
export const elemLength = (buf: Uint8Array, p: number): number => readLen(buf, p);

/** Offset of the element's bytes. */
export const elemStart = (buf: Uint8Array, p: number): number => p + lenBytes(buf, p);

/** Offset of the element after the one at `p`. */
export const elemNext = (buf: Uint8Array, p: number): number => p + lenBytes(buf, p) + readLen(buf, p);

/** A view of the element at `p` (valid while `buf` is). */
export function elemView(buf: Uint8Array, p: number): Uint8Array {
  const s = p + lenBytes(buf, p);
  return buf.subarray(s, s + readLen(buf, p));
}

/** True when the element at `p` equals `b`. */
export function elemEquals(buf: Uint8Array, p: number, b: Uint8Array): boolean {
  const n = readLen(buf, p);
  if (n !== b.length) return false;
  const s = p + (n < 128 ? 1 : 4);
  for (let i = 0; i < n; i++) if (buf[s + i] !== b[i]) return false;
  return true;
}

/**
 * Offset of the first element equal to `b` among elements 0, stride, 2·stride... (stride 2 finds
 * hash fields), or -1.
 */
export function packedFind(buf: Uint8Array, b: Uint8Array, stride = 1): number {
  const count = packedCount(buf);
  let p = PACKED_HEADER;
  for (let i = 0; i < count; i++) {
    if (i % stride === 0 && elemEquals(buf, p, b)) return p;
    p = elemNext(buf, p);
  }
  return -1;
}

/** Every element as a view (valid while `buf` is). */
export function packedElements(buf: Uint8Array): Uint8Array[] {
  const count = packedCount(buf);
  const out: Uint8Array[] = new Array(count);
  let p = PACKED_HEADER;
  for (let i = 0; i < count; i++) {
    out[i] = elemView(buf, p);
    p = elemNext(buf, p);
  }
  return out;
}

/** Where elements are written without a copy of their own (a reply writer: `bulkFrom`). */
export interface ElementSink {
  bulkFrom(src: Uint8Array, off: number, n: number): void;
}

/**
 * Writes `count` elements of `buf` to `sink`, from the one at offset `p`; returns the offset after
 * the last one written.
 */
export function packedWriteElements(buf: Uint8Array, p: number, count: number, sink: ElementSink): number {
  for (let k = 0; k < count; k++) {
    const len = readLen(buf, p);
    const s = p + (len < 128 ? 1 : 4);
    sink.bulkFrom(buf, s, len);
    p = s + len;
  }
  return p;
}

/** Bytes an element of `n` bytes takes. */
export const elemBytes = (n: number): number => (n < 128 ? 1 : 4) + n;

/**
 * Builds one packed value in a reused buffer. `finish()` returns a view valid until the next
 * `begin()` — long enough to pass to `Keyspace.set`, which copies.
 */
export class PackedWriter {
  private buf = new Uint8Array(4096);
  private p = 0;
  private n = 0;

  begin(tag: PackedTag, reserve = 0): this {
    if (reserve + PACKED_HEADER > this.buf.length) this.buf = new Uint8Array(reserve + PACKED_HEADER);
    this.buf[0] = tag;
    this.p = PACKED_HEADER;
    this.n = 0;
    return this;
  }

  push(b: Uint8Array): this {
    this.ensure(b.length + 4);
    const buf = this.buf;
    let p = writeLen(buf, this.p, b.length);
    if (b.length < 64) for (let i = 0; i < b.length; i++) buf[p + i] = b[i]!;
    else buf.set(b, p);
    this.p = p + b.length;
    this.n++;
    return this;
  }

  /** Copies `count` whole elements: bytes [from, to) of another packed value. */
  copy(src: Uint8Array, from: number, to: number, count: number): this {
    if (to <= from) return this;
    const len = to - from;
    this.ensure(len);
    const buf = this.buf;
    const at = this.p;
    // A byte loop beats set(subarray()) (a view allocation and a native call) for short runs.
    if (len < 64) for (let i = 0; i < len; i++) buf[at + i] = src[from + i]!;
    else buf.set(src.subarray(from, to), at);
    this.p = at + len;
    this.n += count;
    return this;
  }

  get count(): number {
    return this.n;
  }

  finish(): Uint8Array {
    const b = this.buf;
    const n = this.n;
    b[1] = n & 255;
    b[2] = (n >>> 8) & 255;
    b[3] = (n >>> 16) & 255;
    b[4] = (n >>> 24) & 255;
    return b.subarray(0, this.p);
  }

  private ensure(extra: number): void {
    if (this.p + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.p + extra));
    next.set(this.buf.subarray(0, this.p));
    this.buf = next;
  }
}

/** An independent packed value of `elements` (tests, conversions). */
export function packElements(elements: readonly Uint8Array[], tag: PackedTag = PackedTag.List): Uint8Array {
  const w = new PackedWriter().begin(tag);
  for (const e of elements) w.push(e);
  return w.finish().slice();
}
