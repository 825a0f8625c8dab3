// The packed encoding of small sorted sets (Redis's `listpack`): the key's arena record holds
//   tag 0 | count | member, score, member, score ...
// in (score, member bytes) order. A score element is exact and read without parsing: 0-3 bytes
// are a little-endian two's complement integer (0 bytes: zero), 4 bytes a float32 that holds the
// value exactly, 8 bytes a float64. `count` counts elements, so a zset of n members has 2n. It is also the
// serialized form of every sorted set (snapshots, DUMP, COPY). Edits write a new value with
// PackedWriter (O(n), n ≤ zset-max-listpack-entries).

import { elemNext, elemStart, PACKED_HEADER, packedCount, PackedWriter } from "../compound/packed.ts";
import { compareBytes } from "./zset-score.ts";

/**
 * Tag byte of a sorted set serialized from the skiplist encoding: loading it keeps that encoding,
 * so COPY, RENAME, MOVE and the cross-worker scratch path keep a skiplist a skiplist, as Redis
 * does (a listpack's own record has tag 0).
 */
export const ZSET_SKIPLIST_TAG = 1;

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const scoreOut = new Uint8Array(8);
const INT3 = 1 << 23;

/** A score element's bytes (a view of a shared buffer: push it before the next call). */
export function scoreBytes(score: number): Uint8Array {
  if (Number.isInteger(score) && score >= -INT3 && score < INT3 && !Object.is(score, -0)) {
    let n = 0;
    if (score !== 0) n = score >= -128 && score < 128 ? 1 : score >= -32768 && score < 32768 ? 2 : 3;
    for (let i = 0; i < n; i++) scoreOut[i] = (score >> (8 * i)) & 255;
    return scoreOut.subarray(0, n);
  }
  if (Math.fround(score) === score) {
    f32[0] = score;
    scoreOut.set(f32Bytes);
    return scoreOut.subarray(0, 4);
  }
  f64[0] = score;
  scoreOut.set(f64Bytes);
  return scoreOut.subarray(0, 8);
}

/** An independent copy of a score element (Delta elements). */
export const scoreCopy = (score: number): Uint8Array => scoreBytes(score).slice();

/** The value of a score element of `len` bytes at `off` (`b` whole when it is the element). */
export function readScore(b: Uint8Array, off = 0, len = b.length - off): number {
  if (len === 8) {
    for (let i = 0; i < 8; i++) f64Bytes[i] = b[off + i]!;
    return f64[0]!;
  }
  if (len === 4) {
    for (let i = 0; i < 4; i++) f32Bytes[i] = b[off + i]!;
    return f32[0]!;
  }
  if (len === 0) return 0;
  let v = 0;
  for (let i = len - 1; i >= 0; i--) v = v * 256 + b[off + i]!;
  const top = 2 ** (8 * len - 1);
  return v >= top ? v - 2 * top : v;
}

/** The score element at offset `q` (its length fits in the one-byte prefix). */
const scoreAt = (buf: Uint8Array, q: number): number => readScore(buf, q + 1, buf[q]!);

/** Members in a packed zset. */
export const packedZCard = (buf: Uint8Array): number => packedCount(buf) >>> 1;

/** Score of the score element following the member at `p`. */
export function scoreAfter(buf: Uint8Array, p: number): number {
  const q = elemNext(buf, p);
  return scoreAt(buf, q);
}

/** Offset of `member`'s element, or -1. */
export function packedZFind(buf: Uint8Array, member: Uint8Array): number {
  const n = packedZCard(buf);
  let p = PACKED_HEADER;
  for (let i = 0; i < n; i++) {
    const len = buf[p]! < 128 ? buf[p]! : -1;
    if (len === member.length || len < 0) {
      const s = elemStart(buf, p);
      const end = elemNext(buf, p);
      if (end - s === member.length) {
        let eq = true;
        for (let k = 0; k < member.length; k++) {
          if (buf[s + k] !== member[k]) {
            eq = false;
            break;
          }
        }
        if (eq) return p;
      }
    }
    p = elemNext(buf, elemNext(buf, p));
  }
  return -1;
}

/** Rank of the member at offset `at`. */
export function packedZRankAt(buf: Uint8Array, at: number): number {
  let p = PACKED_HEADER;
  let r = 0;
  while (p < at) {
    p = elemNext(buf, elemNext(buf, p));
    r++;
  }
  return r;
}

/** Visits members from rank `from` forward or backward while `visit` does not return false. */
export function packedZWalk(buf: Uint8Array, from: number, reverse: boolean, visit: (member: Uint8Array, score: number) => boolean | void): void {
  const n = packedZCard(buf);
  if (from < 0 || from >= n) return;
  if (reverse) {
    // Collect offsets up to `from`, then go back (n ≤ a few hundred).
    const offs: number[] = [];
    let p = PACKED_HEADER;
    for (let i = 0; i <= from; i++) {
      offs.push(p);
      p = elemNext(buf, elemNext(buf, p));
    }
    for (let i = from; i >= 0; i--) {
      const q = offs[i]!;
      const s = elemStart(buf, q);
      const next = elemNext(buf, q);
      if (visit(buf.subarray(s, next), scoreAt(buf, next)) === false) return;
    }
    return;
  }
  let p = PACKED_HEADER;
  for (let i = 0; i < from; i++) p = elemNext(buf, elemNext(buf, p));
  for (let i = from; i < n; i++) {
    const s = elemStart(buf, p);
    const q = elemNext(buf, p);
    if (visit(buf.subarray(s, q), scoreAt(buf, q)) === false) return;
    p = elemNext(buf, q);
  }
}

/** packedZWalk without views: visits (buf, offset, length, score) of each member. */
export function packedZWalkRefs(buf: Uint8Array, from: number, reverse: boolean, visit: (src: Uint8Array, off: number, len: number, score: number) => boolean | void): void {
  const n = packedZCard(buf);
  if (from < 0 || from >= n) return;
  let p = PACKED_HEADER;
  if (reverse) {
    const offs: number[] = [];
    for (let i = 0; i <= from; i++) {
      offs.push(p);
      p = elemNext(buf, elemNext(buf, p));
    }
    for (let i = from; i >= 0; i--) {
      const q = offs[i]!;
      const s = elemStart(buf, q);
      const next = elemNext(buf, q);
      if (visit(buf, s, next - s, scoreAt(buf, next)) === false) return;
    }
    return;
  }
  for (let i = 0; i < from; i++) p = elemNext(buf, elemNext(buf, p));
  for (let i = from; i < n; i++) {
    const s = elemStart(buf, p);
    const q = elemNext(buf, p);
    if (visit(buf, s, q - s, scoreAt(buf, q)) === false) return;
    p = elemNext(buf, q);
  }
}

/** Members (in order) for which `before` holds before the first for which it does not (a linear scan, as Redis's listpack walk). */
export function packedZCountBefore(buf: Uint8Array, before: (member: Uint8Array, score: number) => boolean): number {
  let r = 0;
  let stop = false;
  packedZWalk(buf, 0, false, (m, s) => {
    if (!before(m, s)) {
      stop = true;
      return false;
    }
    r++;
  });
  return stop ? r : packedZCard(buf);
}

/** True when (s1, m1) sorts before (s2, m2). */
export function entryBefore(s1: number, m1: Uint8Array, s2: number, m2: Uint8Array): boolean {
  return s1 < s2 || (s1 === s2 && compareBytes(m1, m2) < 0);
}

const writer = new PackedWriter();

/** A score as a listpack keeps it: Redis stores the text, and -0 prints as "0" there. */
const listpackScore = (s: number): number => (s === 0 ? 0 : s);

/**
 * A new packed value: `buf` with `members` set to `scores` (inserted or moved; a repeated member
 * takes its last score) and `removed` taken out. Returns a view valid until the next call.
 */
export function packedZRewrite(buf: Uint8Array, members: readonly Uint8Array[], scores: readonly number[], removed: readonly Uint8Array[] = []): Uint8Array {
  let ins: number[];
  if (members.length + removed.length > 1) {
    ins = lastOccurrences(members);
    if (removed.length > 0) ins = ins.filter((i) => !removed.some((r) => sameBytes(r, members[i]!)));
  } else ins = members.length === 1 ? [0] : [];
  if (ins.length > 1) ins.sort((a, b) => (entryBefore(scores[a]!, members[a]!, scores[b]!, members[b]!) ? -1 : 1));
  const drop: number[] = [];
  for (const m of members) {
    const at = packedZFind(buf, m);
    if (at >= 0) drop.push(at);
  }
  for (const m of removed) {
    const at = packedZFind(buf, m);
    if (at >= 0) drop.push(at);
  }
  if (drop.length > 1) drop.sort((a, b) => a - b);
  const w = writer.begin(0, buf.length + members.length * 16);
  const n = packedZCard(buf);
  let p = PACKED_HEADER;
  let k = 0;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const q = elemNext(buf, p);
    const end = elemNext(buf, q);
    while (d < drop.length && drop[d]! < p) d++;
    if (d < drop.length && drop[d] === p) {
      p = end;
      continue;
    }
    if (k < ins.length) {
      const member = buf.subarray(elemStart(buf, p), q);
      const score = scoreAt(buf, q);
      while (k < ins.length && entryBefore(scores[ins[k]!]!, members[ins[k]!]!, score, member)) {
        w.push(members[ins[k]!]!).push(scoreBytes(listpackScore(scores[ins[k]!]!)));
        k++;
      }
    }
    w.copy(buf, p, end, 2);
    p = end;
  }
  for (; k < ins.length; k++) w.push(members[ins[k]!]!).push(scoreBytes(listpackScore(scores[ins[k]!]!)));
  return w.finish();
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Indexes of the last occurrence of each distinct member (in first-occurrence order). Small
 * lists compare bytes pairwise (no strings made: a ZADD of a few members allocates nothing).
 */
export function lastOccurrences(members: readonly Uint8Array[]): number[] {
  const n = members.length;
  if (n <= 16) {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (k < out.length && !sameBytes(members[out[k]!]!, members[i]!)) k++;
      if (k < out.length) out[k] = i;
      else out.push(i);
    }
    return out;
  }
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) last.set(latin1(members[i]!), i);
  return [...last.values()];
}
