// The set type: every operation the SET commands, SORT and the embedded Cache need, over Redis
// 7.0's two set encodings (t_set.c: setTypeCreate, setTypeAdd, setTypeConvert):
// - `intset`: the key's arena record holds canonical int64 decimals in ascending order
//   (intset.ts), while every member is an integer and there are ≤ set-max-intset-entries;
// - `hashtable`: an ElementTable of the key (pairs=false) otherwise, and never back.
// Redis 7.0 has no listpack encoding for sets (7.2 added it), so neither do we: OBJECT ENCODING
// answers exactly as redis-server 7.0.15. Every change is recorded as a Delta (SetOp) of the
// members actually added or removed, so WAL replay is exact (SPOP records what it popped).

import { ElementTable } from "../compound/element-table.ts";
import { recordDelta, registerCodec } from "../compound/codecs.ts";
import { limits } from "../compound/limits.ts";
import { elemNext, elemView, PACKED_HEADER, packedCount, packedElements } from "../compound/packed.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType, type Milliseconds } from "../types.ts";
import { canonicalInt, intsetValues, packIntset, searchSorted } from "./intset.ts";

/** Delta operation codes of sets (the tag byte of a Delta payload). */
export const SetOp = {
  /** members were added */
  Add: 1,
  /** members were removed */
  Remove: 2,
} as const;

const EMPTY = new Uint8Array(0);
const KEEP = SetFlag.QUIET | SetFlag.KEEPTTL;

function tableOf(ks: Keyspace, slot: number): ElementTable | undefined {
  return ks.large(slot) as ElementTable | undefined;
}

/** Number of members. */
export function setSize(ks: Keyspace, slot: number): number {
  const t = tableOf(ks, slot);
  return t !== undefined ? t.size : packedCount(ks.valueView(slot));
}

/** True when `member` is in the set. */
export function setHas(ks: Keyspace, slot: number, member: Uint8Array): boolean {
  const t = tableOf(ks, slot);
  if (t !== undefined) return t.slotOf(member) >= 0;
  const v = canonicalInt(member);
  return v !== undefined && searchSorted(intsetValues(ks.valueView(slot)), v) >= 0;
}

/** Visits every member (views valid during the call): intsets ascending, tables in slot order. */
export function setForEach(ks: Keyspace, slot: number, visit: (member: Uint8Array) => void): void {
  const t = tableOf(ks, slot);
  if (t === undefined) {
    const buf = ks.valueView(slot);
    const n = packedCount(buf);
    let p = PACKED_HEADER;
    for (let i = 0; i < n; i++) {
      visit(elemView(buf, p));
      p = elemNext(buf, p);
    }
    return;
  }
  const limit = t.slotLimit;
  for (let s = 0; s < limit; s++) if (t.isLive(s)) visit(t.keyView(s));
}

/** Every member as a copy. */
export function setMembers(ks: Keyspace, slot: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  setForEach(ks, slot, (m) => out.push(m.slice()));
  return out;
}

/** SSCAN's step: an intset is returned whole at cursor 0 (as Redis); returns the next cursor. */
export function setScan(ks: Keyspace, slot: number, cursor: number, count: number, visit: (member: Uint8Array) => void): number {
  const t = tableOf(ks, slot);
  if (t === undefined) {
    setForEach(ks, slot, visit);
    return 0;
  }
  return t.scan(cursor, count, (s) => visit(t.keyView(s)));
}

/** "intset" or "hashtable". */
export const setEncoding = (ks: Keyspace, slot: number): string => (tableOf(ks, slot) !== undefined ? "hashtable" : "intset");

/**
 * Converts the key to a table (creating it when `slot` is -1), sized for `more` members on top of
 * the intset's (the write converting it then does not grow it step by step); its slot or -Status.
 */
function toTable(ks: Keyspace, key: Uint8Array, slot: number, more: number): number {
  const els = slot >= 0 ? packedElements(ks.valueView(slot)) : [];
  const t = new ElementTable(false, Math.max(16, els.length + more));
  for (const e of els) t.put(e);
  const st = ks.set(key, EMPTY, 0, KEEP, ValueType.Set);
  if (st !== Status.Ok) return -st;
  const s = ks.peek(key);
  ks.attachLarge(s, t);
  return s;
}

/**
 * Adds members, creating the key when `slot` is -1 (an intset when the first member is an
 * integer, as setTypeCreate). Returns the number added, or -Status when the write does not fit.
 */
export function setAdd(ks: Keyspace, key: Uint8Array, slot: number, members: readonly Uint8Array[]): number {
  if (members.length === 0) return 0;
  let t = slot >= 0 ? tableOf(ks, slot) : undefined;
  if (t === undefined && (slot >= 0 || canonicalInt(members[0]!) !== undefined)) {
    const values = slot >= 0 ? intsetValues(ks.valueView(slot)) : [];
    const added: Uint8Array[] = [];
    let allInts = true;
    for (const m of members) {
      const v = canonicalInt(m);
      if (v === undefined) {
        allInts = false;
        break;
      }
      const at = searchSorted(values, v);
      if (at >= 0) continue;
      values.splice(-at - 1, 0, v);
      added.push(m);
    }
    if (allInts && values.length <= limits["set-max-intset-entries"]) {
      if (added.length === 0) return 0;
      const st = ks.set(key, packIntset(values), 0, KEEP, ValueType.Set);
      if (st !== Status.Ok) return -st;
      if (ks.recording) recordDelta(ks, ks.peek(key), SetOp.Add, added);
      return added.length;
    }
  }
  if (t === undefined) {
    const s = toTable(ks, key, slot, members.length);
    if (s < 0) return s;
    slot = s;
    t = tableOf(ks, slot)!;
  }
  const added: Uint8Array[] = [];
  for (const m of members) if (t.put(m)) added.push(m);
  ks.recharge(slot);
  if (added.length > 0) recordDelta(ks, slot, SetOp.Add, added);
  return added.length;
}

/** Removes members; returns how many were there. Deletes the key when none is left. */
export function setRemove(ks: Keyspace, key: Uint8Array, slot: number, members: readonly Uint8Array[]): number {
  const t = tableOf(ks, slot);
  const gone: Uint8Array[] = [];
  if (t !== undefined) {
    for (const m of members) if (t.remove(m)) gone.push(m);
    if (gone.length === 0) return 0;
    if (t.size === 0) {
      ks.delete(key);
      return gone.length;
    }
    ks.recharge(slot);
    recordDelta(ks, slot, SetOp.Remove, gone);
    return gone.length;
  }
  const values = intsetValues(ks.valueView(slot));
  for (const m of members) {
    const v = canonicalInt(m);
    if (v === undefined) continue;
    const at = searchSorted(values, v);
    if (at < 0) continue;
    values.splice(at, 1);
    gone.push(m);
  }
  if (gone.length === 0) return 0;
  if (values.length === 0) {
    ks.delete(key);
    return gone.length;
  }
  ks.set(key, packIntset(values), 0, KEEP, ValueType.Set); // smaller: always fits
  if (ks.recording) recordDelta(ks, ks.peek(key), SetOp.Remove, gone);
  return gone.length;
}

/** Up to `count` distinct random members (copies), without removing them. */
export function setRandomDistinct(ks: Keyspace, slot: number, count: number): Uint8Array[] {
  const all = setMembers(ks, slot);
  if (count >= all.length) return all;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (all.length - i));
    const x = all[i]!;
    all[i] = all[j]!;
    all[j] = x;
  }
  return all.slice(0, count);
}

/** `count` random members, repeats allowed (SRANDMEMBER with a negative count). */
export function setRandomWithRepeats(ks: Keyspace, slot: number, count: number): Uint8Array[] {
  const t = tableOf(ks, slot);
  const out: Uint8Array[] = new Array(count);
  if (t !== undefined) {
    for (let i = 0; i < count; i++) out[i] = t.keyView(t.randomSlot()).slice();
    return out;
  }
  const all = packedElements(ks.valueView(slot));
  for (let i = 0; i < count; i++) out[i] = all[Math.floor(Math.random() * all.length)]!.slice();
  return out;
}

/** SPOP: removes and returns up to `count` random members, recording exactly those removed. */
export function setPop(ks: Keyspace, key: Uint8Array, slot: number, count: number): Uint8Array[] {
  const picked = setRandomDistinct(ks, slot, count);
  setRemove(ks, key, slot, picked);
  return picked;
}

/** Replaces `key` with a set of `members` (deduplicated), or deletes it when empty (…STORE). */
export function setReplace(ks: Keyspace, key: Uint8Array, members: readonly Uint8Array[]): number {
  ks.delete(key);
  if (members.length === 0) return 0;
  const n = setAdd(ks, key, -1, members);
  return n;
}

function loadSet(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status {
  const els = packedElements(packed);
  const allInts = els.length <= limits["set-max-intset-entries"] && els.every((e) => canonicalInt(e) !== undefined);
  if (allInts && els.length > 0) {
    const values = els.map((e) => canonicalInt(e)!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ks.set(key, packIntset(values), expireAt, 0, ValueType.Set);
  }
  const t = new ElementTable(false, Math.max(16, els.length));
  for (const e of els) t.put(e);
  let st = ks.set(key, packed, expireAt, 0, ValueType.Set);
  if (st !== Status.Ok) return st;
  st = ks.set(key, EMPTY, expireAt, SetFlag.QUIET, ValueType.Set);
  if (st !== Status.Ok) return st;
  ks.attachLarge(ks.peek(key), t);
  return Status.Ok;
}

function applySetDelta(ks: Keyspace, key: Uint8Array, op: number, els: Uint8Array[]): void {
  const slot = ks.peek(key);
  if (slot >= 0 && ks.typeOf(slot) !== ValueType.Set) return;
  if (op === SetOp.Add) setAdd(ks, key, slot, els);
  else if (op === SetOp.Remove && slot >= 0) setRemove(ks, key, slot, els);
}

registerCodec(ValueType.Set, { load: loadSet, applyDelta: applySetDelta, encoding: setEncoding });
