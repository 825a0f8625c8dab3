// The sorted set type: every operation the ZSET commands and the embedded Cache need, over Redis
// 7.0's two encodings (t_zset.c: zsetAdd, zsetConvert, zzlInsert...):
// - `listpack`: the key's arena record holds member, score pairs in order (zset-packed.ts), while
//   there are ≤ zset-max-listpack-entries members of ≤ zset-max-listpack-value bytes;
// - `skiplist`: a ZSetLarge (member table + scores + block order, zset-large.ts), and never back
//   (except when a STORE command writes a new small value, as zsetConvertToListpackIfNeeded).
// Commands never look at an encoding. Every change is recorded as a Delta (ZSetOp) of the final
// scores set or the members removed, so WAL replay is exact (ZINCRBY records the new score,
// ZPOPMIN the members it popped).

import { recordDelta, registerCodec } from "../compound/codecs.ts";
import { limits } from "../compound/limits.ts";
import { elemNext, elemStart, PACKED_HEADER, packedCount, packedTag } from "../compound/packed.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType, type Milliseconds } from "../types.ts";
import { SetResult, ZSetLarge } from "./zset-large.ts";
import {
  lastOccurrences, packedZCard, packedZCountBefore, packedZFind, packedZRankAt, packedZRewrite, packedZWalk, packedZWalkRefs, readScore, scoreAfter, scoreCopy, ZSET_SKIPLIST_TAG,
} from "./zset-packed.ts";

/** Delta operation codes of sorted sets (the tag byte of a Delta payload). */
export const ZSetOp = {
  /** member, score (8 bytes), ... were set (inserted or moved) */
  Put: 1,
  /** members were removed */
  Remove: 2,
  /** a new value of member, score pairs was stored whole (…STORE: the encoding chosen by its final size) */
  Store: 3,
} as const;

const EMPTY = new Uint8Array(0);
const KEEP = SetFlag.QUIET | SetFlag.KEEPTTL;

function largeOf(ks: Keyspace, slot: number): ZSetLarge | undefined {
  return ks.large(slot) as ZSetLarge | undefined;
}

/** Number of members. */
export function zsetCard(ks: Keyspace, slot: number): number {
  const t = largeOf(ks, slot);
  return t !== undefined ? t.size : packedZCard(ks.valueView(slot));
}

/** Score of `member`, or undefined. */
export function zsetScore(ks: Keyspace, slot: number, member: Uint8Array): number | undefined {
  const t = largeOf(ks, slot);
  if (t !== undefined) return t.scoreOf(member);
  const buf = ks.valueView(slot);
  const p = packedZFind(buf, member);
  return p < 0 ? undefined : scoreAfter(buf, p);
}

/** 0-based rank of `member` in ascending order, -1 when absent. */
export function zsetRank(ks: Keyspace, slot: number, member: Uint8Array): number {
  const t = largeOf(ks, slot);
  if (t !== undefined) return t.rankOf(member);
  const buf = ks.valueView(slot);
  const p = packedZFind(buf, member);
  return p < 0 ? -1 : packedZRankAt(buf, p);
}

/**
 * Number of members, in order, for which `before(member, score)` holds before it first fails
 * (`before` is monotone for score bounds; for lex bounds when scores are equal, as Redis asks).
 */
export function zsetCountBefore(ks: Keyspace, slot: number, before: (member: Uint8Array, score: number) => boolean): number {
  const t = largeOf(ks, slot);
  return t !== undefined ? t.countBefore(before) : packedZCountBefore(ks.valueView(slot), before);
}

/** zsetCountBefore for a predicate on the score alone. */
export function zsetCountBeforeScore(ks: Keyspace, slot: number, before: (score: number) => boolean): number {
  const t = largeOf(ks, slot);
  return t !== undefined ? t.countBeforeScore(before) : packedZCountBefore(ks.valueView(slot), (_m, s) => before(s));
}

/**
 * Visits members from rank `from` towards the highest (or the lowest when `reverse`) while `visit`
 * does not return false. Member views are valid until the next write.
 */
export function zsetWalk(ks: Keyspace, slot: number, from: number, reverse: boolean, visit: (member: Uint8Array, score: number) => boolean | void): void {
  const t = largeOf(ks, slot);
  if (t === undefined) return packedZWalk(ks.valueView(slot), from, reverse, visit);
  t.order.walk(from, reverse, (s, score) => visit(t.keyView(s), score));
}

/** zsetWalk without member views: (bytes, offset, length, score), valid until the next write. */
export function zsetWalkRefs(ks: Keyspace, slot: number, from: number, reverse: boolean, visit: (src: Uint8Array, off: number, len: number, score: number) => boolean | void): void {
  const t = largeOf(ks, slot);
  if (t === undefined) return packedZWalkRefs(ks.valueView(slot), from, reverse, visit);
  t.walkRefs(from, reverse, visit);
}

/** Member and score at `rank` (a copy of the member). */
export function zsetAt(ks: Keyspace, slot: number, rank: number): { member: Uint8Array; score: number } {
  const t = largeOf(ks, slot);
  if (t !== undefined) {
    const s = t.order.slotAt(rank);
    return { member: t.keyView(s).slice(), score: t.scoreAt(s) };
  }
  let out = { member: EMPTY, score: 0 };
  packedZWalk(ks.valueView(slot), rank, false, (m, score) => {
    out = { member: m.slice(), score };
    return false;
  });
  return out;
}

/** Every member and score in order (copies). */
export function zsetEntries(ks: Keyspace, slot: number): { members: Uint8Array[]; scores: number[] } {
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  zsetWalk(ks, slot, 0, false, (m, s) => {
    members.push(m.slice());
    scores.push(s);
  });
  return { members, scores };
}

/** "listpack" or "skiplist". */
export const zsetEncoding = (ks: Keyspace, slot: number): string => (largeOf(ks, slot) !== undefined ? "skiplist" : "listpack");

/** ZSCAN's step: a listpack is returned whole at cursor 0 (as Redis); returns the next cursor. */
export function zsetScan(ks: Keyspace, slot: number, cursor: number, count: number, visit: (member: Uint8Array, score: number) => void): number {
  const t = largeOf(ks, slot);
  if (t === undefined) {
    packedZWalk(ks.valueView(slot), 0, false, (m, s) => visit(m, s));
    return 0;
  }
  return t.scan(cursor, count, (s) => visit(t.keyView(s), t.scoreAt(s)));
}

/** Converts the key (packed, or missing when `slot` is -1) to a ZSetLarge; its slot or -Status. */
function toLarge(ks: Keyspace, key: Uint8Array, slot: number): number {
  const t = new ZSetLarge(Math.max(16, slot >= 0 ? zsetCard(ks, slot) : 0));
  if (slot >= 0) packedZWalk(ks.valueView(slot), 0, false, (m, s) => void t.set(m, s));
  const st = ks.set(key, EMPTY, 0, KEEP, ValueType.ZSet);
  if (st !== Status.Ok) return -st;
  const s = ks.peek(key);
  ks.attachLarge(s, t);
  return s;
}

/** True when members[i] is named earlier in the list (pairwise for short lists, no strings made). */
function namedBefore(members: readonly Uint8Array[], i: number, seen: Set<string> | undefined): boolean {
  const m = members[i]!;
  if (seen === undefined) {
    for (let j = 0; j < i; j++) if (sameMember(members[j]!, m)) return true;
    return false;
  }
  const k = Buffer.from(m.buffer, m.byteOffset, m.length).toString("latin1");
  if (seen.has(k)) return true;
  seen.add(k);
  return false;
}

function sameMember(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function recordPut(ks: Keyspace, slot: number, members: readonly Uint8Array[], scores: readonly number[], op: number = ZSetOp.Put): void {
  if (!ks.recording) return;
  const els: Uint8Array[] = [];
  for (let i = 0; i < members.length; i++) els.push(members[i]!, scoreCopy(scores[i]!));
  recordDelta(ks, slot, op, els);
}

/**
 * Sets each member to its score (inserted or moved; a repeated member ends with its last score),
 * creating the key when `slot` is -1. Returns the number of new members, or -Status when the
 * write does not fit.
 */
export function zsetPut(ks: Keyspace, key: Uint8Array, slot: number, members: readonly Uint8Array[], scores: readonly number[]): number {
  if (members.length === 0) return 0;
  let t = slot >= 0 ? largeOf(ks, slot) : undefined;
  if (t === undefined) {
    const buf = slot >= 0 ? ks.valueView(slot) : EMPTY;
    const had = slot >= 0 ? packedZCard(buf) : 0;
    // Members are added one by one, as Redis's zsetAdd: the value converts at the first new
    // member that would pass a limit; the ones before went through the listpack (and lost a -0).
    let added = 0;
    let convertAt = -1;
    const seen = members.length > 16 ? new Set<string>() : undefined;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (namedBefore(members, i, seen)) continue;
      if (slot >= 0 && packedZFind(buf, m) >= 0) continue;
      if (had + added + 1 > limits["zset-max-listpack-entries"] || m.length > limits["zset-max-listpack-value"]) {
        convertAt = i;
        break;
      }
      added++;
    }
    if (convertAt < 0) {
      if (added === 0 && unchangedPacked(buf, members, scores)) return 0; // nothing to write or journal
      const st = ks.set(key, packedZRewrite(buf, members, scores), 0, KEEP, ValueType.ZSet);
      if (st !== Status.Ok) return -st;
      recordPut(ks, ks.peek(key), members, scores);
      return added;
    }
    if (convertAt > 0) scores = scores.map((x, i) => (i < convertAt && x === 0 ? 0 : x));
    const s = toLarge(ks, key, slot);
    if (s < 0) return s;
    slot = s;
    t = largeOf(ks, slot)!;
  }
  let added = 0;
  const changed: number[] = [];
  for (let i = 0; i < members.length; i++) {
    const r = t.setScore(members[i]!, scores[i]!);
    if (r === SetResult.Added) added++;
    if (r !== SetResult.Unchanged) changed.push(i);
  }
  if (changed.length === 0) return 0;
  ks.recharge(slot);
  if (changed.length === members.length) recordPut(ks, slot, members, scores);
  else recordPut(ks, slot, changed.map((i) => members[i]!), changed.map((i) => scores[i]!));
  return added;
}

/** True when every member (a repeated one: its last score) already has its score in the listpack. */
function unchangedPacked(buf: Uint8Array, members: readonly Uint8Array[], scores: readonly number[]): boolean {
  if (buf.length === 0) return false;
  for (const i of members.length > 1 ? lastOccurrences(members) : [0]) {
    const p = packedZFind(buf, members[i]!);
    if (p < 0 || scoreAfter(buf, p) !== scores[i]) return false;
  }
  return true;
}

/** Removes members; returns how many were there. Deletes the key when none is left. */
export function zsetRemove(ks: Keyspace, key: Uint8Array, slot: number, members: readonly Uint8Array[]): number {
  const t = largeOf(ks, slot);
  const gone: Uint8Array[] = [];
  if (t !== undefined) {
    for (const m of members) if (t.delete(m)) gone.push(m);
    if (gone.length === 0) return 0;
    if (t.size === 0) {
      ks.delete(key);
      return gone.length;
    }
    ks.recharge(slot);
    recordDelta(ks, slot, ZSetOp.Remove, gone);
    return gone.length;
  }
  const buf = ks.valueView(slot);
  const seen = new Set<number>();
  for (const m of members) {
    const p = packedZFind(buf, m);
    if (p < 0 || seen.has(p)) continue;
    seen.add(p);
    gone.push(m);
  }
  if (gone.length === 0) return 0;
  if (gone.length === packedZCard(buf)) {
    ks.delete(key);
    return gone.length;
  }
  ks.set(key, packedZRewrite(buf, [], [], gone), 0, KEEP, ValueType.ZSet); // smaller: always fits
  if (ks.recording) recordDelta(ks, ks.peek(key), ZSetOp.Remove, gone);
  return gone.length;
}

/**
 * How a STORE command builds its value, as Redis 7.0 does (it decides which scores a listpack
 * saw, so where a -0 survives): `whole` builds a skiplist and makes it a listpack when it all
 * fits (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE); `sized` starts a skiplist when the count is past
 * zset-max-listpack-entries, else adds one by one (ZRANGESTORE by rank); `added` adds one by one
 * from a listpack, as ZADD (ZRANGESTORE by score or lex, whose count is not known up front).
 */
export type StoreMode = "whole" | "sized" | "added";

/**
 * Replaces `key` with a sorted set of distinct `members` → `scores` (…STORE), or deletes it when
 * empty. Returns the member count, or -Status.
 */
export function zsetReplace(ks: Keyspace, key: Uint8Array, members: readonly Uint8Array[], scores: readonly number[], mode: StoreMode = "whole"): number {
  ks.delete(key);
  if (members.length === 0) return 0;
  if (mode === "added" || (mode === "sized" && members.length <= limits["zset-max-listpack-entries"])) return zsetPut(ks, key, -1, members, scores);
  if (mode === "sized") return storeNew(ks, key, members, scores, false);
  return storeNew(ks, key, members, scores, true);
}

/**
 * Stores distinct `members` → `scores` at the missing `key` as a skiplist (exact scores, -0 kept),
 * made a listpack when `mayPack` and the whole fits.
 */
function storeNew(ks: Keyspace, key: Uint8Array, members: readonly Uint8Array[], scores: readonly number[], mayPack = true): number {
  let fits = mayPack && members.length <= limits["zset-max-listpack-entries"];
  for (let i = 0; i < members.length && fits; i++) if (members[i]!.length > limits["zset-max-listpack-value"]) fits = false;
  if (fits) return zsetPut(ks, key, -1, members, scores);
  const s = toLarge(ks, key, -1);
  if (s < 0) return s;
  const t = largeOf(ks, s)!;
  let added = 0;
  for (let i = 0; i < members.length; i++) if (t.set(members[i]!, scores[i]!)) added++;
  ks.recharge(s);
  recordPut(ks, s, members, scores, ZSetOp.Store);
  return added;
}

/** The pairs of a Put or Store delta: member, score element, ... */
function pairsOf(els: readonly Uint8Array[]): { members: Uint8Array[]; scores: number[] } {
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  for (let i = 0; i + 1 < els.length; i += 2) {
    members.push(els[i]!);
    scores.push(readScore(els[i + 1]!));
  }
  return { members, scores };
}

function loadZSet(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status {
  const n = packedCount(packed) >>> 1;
  let small = packedTag(packed) !== ZSET_SKIPLIST_TAG && n <= limits["zset-max-listpack-entries"];
  let p = PACKED_HEADER;
  for (let i = 0; i < n && small; i++) {
    if (elemNext(packed, p) - elemStart(packed, p) > limits["zset-max-listpack-value"]) small = false;
    p = elemNext(packed, elemNext(packed, p));
  }
  if (small && n > 0) return ks.set(key, packed, expireAt, 0, ValueType.ZSet);
  const t = new ZSetLarge(Math.max(16, n));
  packedZWalk(packed, 0, false, (m, s) => void t.set(m, s));
  let st = ks.set(key, packed, expireAt, 0, ValueType.ZSet);
  if (st !== Status.Ok) return st;
  st = ks.set(key, EMPTY, expireAt, SetFlag.QUIET, ValueType.ZSet);
  if (st !== Status.Ok) return st;
  ks.attachLarge(ks.peek(key), t);
  return Status.Ok;
}

function applyZSetDelta(ks: Keyspace, key: Uint8Array, op: number, els: Uint8Array[]): void {
  const slot = ks.peek(key);
  if (slot >= 0 && ks.typeOf(slot) !== ValueType.ZSet) return;
  if (op === ZSetOp.Put) {
    const { members, scores } = pairsOf(els);
    zsetPut(ks, key, slot, members, scores);
  } else if (op === ZSetOp.Remove && slot >= 0) zsetRemove(ks, key, slot, els);
  else if (op === ZSetOp.Store) {
    const { members, scores } = pairsOf(els);
    if (slot >= 0) ks.delete(key);
    storeNew(ks, key, members, scores, members.length <= limits["zset-max-listpack-entries"]);
  }
}

registerCodec(ValueType.ZSet, { load: loadZSet, applyDelta: applyZSetDelta, encoding: zsetEncoding });
