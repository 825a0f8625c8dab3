// The hash type: every operation the HASH commands and the embedded Cache need, over its two
// encodings (Redis's t_hash.c: hashTypeSet, hashTypeGetValue, hashTypeConvert...):
// - packed (`listpack`): the key's arena record holds field, value, field, value... (packed.ts);
// - large (`hashtable`): an ElementTable of the key, past hash-max-listpack-entries fields or a
//   field or value longer than hash-max-listpack-value, or once a field has an expiry.
// Commands never look at an encoding; they call these functions with the key and the slot their
// typed lookup found. Every change is recorded as a Delta (HashOp) so the WAL replays it exactly.

import { ElementTable } from "../compound/element-table.ts";
import { recordDelta, registerCodec } from "../compound/codecs.ts";
import { limits } from "../compound/limits.ts";
import {
  elemEquals, elemNext, elemView, PACKED_HEADER, packedCount, packedElements, packedFind, packedTag, PackedTag, PackedWriter,
} from "../compound/packed.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType, type Milliseconds } from "../types.ts";
import { forgetVolatileHash, hashExpireFields, hashPersistFields, noteVolatileHash, reclaimField } from "./field-expiry.ts";

/** Delta operation codes of hashes (the tag byte of a Delta payload). */
export const HashOp = {
  /** field, value, field, value... were set */
  Set: 1,
  /** fields were removed */
  Delete: 2,
  /** field, expireAt (decimal ms; "0" = persist) pairs */
  Expire: 3,
} as const;

const EMPTY = new Uint8Array(0);
const writer = new PackedWriter();
const KEEP = SetFlag.QUIET | SetFlag.KEEPTTL;

export function tableOf(ks: Keyspace, slot: number): ElementTable | undefined {
  return ks.large(slot) as ElementTable | undefined;
}

/** True when a packed hash of `fields` fields may hold an element of `len` bytes. */
const fitsPacked = (fields: number, len: number): boolean =>
  fields <= limits["hash-max-listpack-entries"] && len <= limits["hash-max-listpack-value"];

/** Number of fields (fields past their expiry but not yet reclaimed included, as Redis's HLEN). */
export function hashLength(ks: Keyspace, slot: number): number {
  const t = tableOf(ks, slot);
  return t !== undefined ? t.size : packedCount(ks.valueView(slot)) >>> 1;
}

/** The value of `field` (a view valid until the next write), or undefined. Reclaims an expired field. */
export function hashGet(ks: Keyspace, key: Uint8Array, slot: number, field: Uint8Array): Uint8Array | undefined {
  const t = tableOf(ks, slot);
  if (t === undefined) {
    const buf = ks.valueView(slot);
    const p = packedFind(buf, field, 2);
    return p < 0 ? undefined : elemView(buf, elemNext(buf, p));
  }
  const s = t.slotOf(field);
  if (s < 0) return undefined;
  if (t.expiredAt(s, ks.now())) {
    reclaimField(ks, key, slot, t, s);
    return undefined;
  }
  return t.valueView(s);
}

/** Visits every live field and value (views valid during the call), in storage order. */
export function hashForEach(ks: Keyspace, slot: number, visit: (field: Uint8Array, value: Uint8Array) => void): void {
  const t = tableOf(ks, slot);
  if (t === undefined) {
    const buf = ks.valueView(slot);
    const n = packedCount(buf);
    let p = PACKED_HEADER;
    for (let i = 0; i < n; i += 2) {
      const q = elemNext(buf, p);
      visit(elemView(buf, p), elemView(buf, q));
      p = elemNext(buf, q);
    }
    return;
  }
  const now = ks.now();
  const limit = t.slotLimit;
  for (let s = 0; s < limit; s++) if (t.isLive(s) && !t.expiredAt(s, now)) visit(t.keyView(s), t.valueView(s));
}

/** Live fields and values as copies: [field, value][] (HRANDFIELD, SORT, the Cache). */
export function hashEntries(ks: Keyspace, slot: number): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = [];
  hashForEach(ks, slot, (f, v) => out.push([f.slice(), v.slice()]));
  return out;
}

/**
 * HSCAN's step: visits fields from `cursor`; returns the next cursor (0 = done). A packed hash is
 * returned whole at cursor 0, as Redis does for listpacks.
 */
export function hashScan(ks: Keyspace, slot: number, cursor: number, count: number, visit: (field: Uint8Array, value: Uint8Array) => void): number {
  const t = tableOf(ks, slot);
  if (t === undefined) {
    hashForEach(ks, slot, visit);
    return 0;
  }
  const now = ks.now();
  return t.scan(cursor, count, (s) => {
    if (!t.expiredAt(s, now)) visit(t.keyView(s), t.valueView(s));
  });
}

/**
 * Sets fields: `pairs` is field, value, field, value... With `onlyNew` (HSETNX) existing fields
 * keep their values. Creates the key when `slot` is -1. Returns the number of new fields, or a
 * negative Status (-Status.OutOfMemory) when the write does not fit.
 */
export function hashSet(ks: Keyspace, key: Uint8Array, slot: number, pairs: readonly Uint8Array[], onlyNew = false): number {
  let t = slot >= 0 ? tableOf(ks, slot) : undefined;
  if (t === undefined) {
    const buf = slot >= 0 ? ks.valueView(slot) : EMPTY;
    const have = slot >= 0 ? packedCount(buf) >>> 1 : 0;
    let longest = 0;
    for (const e of pairs) if (e.length > longest) longest = e.length;
    const max = limits["hash-max-listpack-entries"];
    if (fitsPacked(have + (pairs.length >>> 1), longest) || (fitsPacked(0, longest) && countAfter(buf, pairs) <= max)) {
      return setPacked(ks, key, slot, buf, pairs, onlyNew);
    }
    const converted = toTable(ks, key, slot, buf, pairs.length >>> 1);
    if (converted < 0) return converted;
    slot = converted;
    t = tableOf(ks, slot)!;
  }
  let added = 0;
  const written: Uint8Array[] | null = ks.recording && onlyNew ? [] : null;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const f = pairs[i]!;
    const s = t.slotOf(f);
    if (s >= 0 && t.expiredAt(s, ks.now())) t.removeAt(s);
    else if (s >= 0 && onlyNew) continue;
    written?.push(f, pairs[i + 1]!);
    if (t.put(f, pairs[i + 1]!)) added++;
  }
  ks.recharge(slot);
  recordDelta(ks, slot, HashOp.Set, written ?? pairs);
  return added;
}

/** Fields after setting `pairs` on the packed `buf` (new fields counted once). */
function countAfter(buf: Uint8Array, pairs: readonly Uint8Array[]): number {
  let n = packedCount(buf) >>> 1;
  const seen = new Set<string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const f = pairs[i]!;
    const name = Buffer.from(f.buffer, f.byteOffset, f.length).toString("latin1");
    if (seen.has(name) || packedFind(buf, f, 2) >= 0) continue;
    seen.add(name);
    n++;
  }
  return n;
}

function setPacked(ks: Keyspace, key: Uint8Array, slot: number, buf: Uint8Array, pairs: readonly Uint8Array[], onlyNew: boolean): number {
  // New values for existing fields replace them in place; new fields go at the end, in order.
  const n = slot >= 0 ? packedCount(buf) : 0;
  const updates: (Uint8Array | undefined)[] = new Array(n >>> 1);
  const fresh: Uint8Array[] = [];
  const written: Uint8Array[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const f = pairs[i]!;
    const v = pairs[i + 1]!;
    const at = slot >= 0 ? fieldIndex(buf, f) : -1;
    if (at >= 0) {
      if (onlyNew) continue;
      updates[at] = v;
    } else {
      let j = 0;
      for (; j < fresh.length; j += 2) if (bytesEqual(fresh[j]!, f)) break;
      if (j < fresh.length) {
        if (onlyNew) continue;
        fresh[j + 1] = v;
      } else fresh.push(f, v);
    }
    written.push(f, v);
  }
  if (written.length === 0) return 0;
  const w = writer.begin(PackedTag.List, buf.length);
  // Untouched pairs are copied in runs, one copy per run.
  let p = PACKED_HEADER;
  let run = p;
  let runCount = 0;
  for (let i = 0; i < n; i += 2) {
    const q = elemNext(buf, p);
    const next = elemNext(buf, q);
    const u = updates[i >>> 1];
    if (u === undefined) runCount += 2;
    else {
      w.copy(buf, run, q, runCount + 1).push(u);
      run = next;
      runCount = 0;
    }
    p = next;
  }
  w.copy(buf, run, p, runCount);
  for (const e of fresh) w.push(e);
  const st = ks.set(key, w.finish(), 0, KEEP, ValueType.Hash);
  if (st !== Status.Ok) return -st;
  if (ks.recording) recordDelta(ks, ks.peek(key), HashOp.Set, written);
  return fresh.length >>> 1;
}

/** Index (in pairs) of `field` in a packed hash, or -1. */
function fieldIndex(buf: Uint8Array, field: Uint8Array): number {
  const n = packedCount(buf);
  let p = PACKED_HEADER;
  for (let i = 0; i < n; i += 2) {
    if (elemEquals(buf, p, field)) return i >>> 1;
    p = elemNext(buf, elemNext(buf, p));
  }
  return -1;
}

/**
 * Converts the key to the large encoding (creating it when `slot` is -1); its new slot or -Status.
 * The table is sized for `more` fields on top of the packed ones, so the write that converts it
 * does not grow it step by step (each step leaves the smaller arrays as garbage).
 */
export function toTable(ks: Keyspace, key: Uint8Array, slot: number, buf: Uint8Array, more = 0): number {
  const els = slot >= 0 ? packedElements(buf) : [];
  const t = new ElementTable(true, Math.max(16, (els.length >>> 1) + more));
  for (let i = 0; i + 1 < els.length; i += 2) t.put(els[i]!, els[i + 1]!);
  const st = ks.set(key, EMPTY, 0, KEEP, ValueType.Hash);
  if (st !== Status.Ok) return -st;
  const s = ks.peek(key);
  ks.attachLarge(s, t);
  return s;
}

/** Removes fields; returns how many existed. Deletes the key when none is left. */
export function hashDelete(ks: Keyspace, key: Uint8Array, slot: number, fields: readonly Uint8Array[]): number {
  const t = tableOf(ks, slot);
  let removed = 0;
  const gone: Uint8Array[] = [];
  if (t !== undefined) {
    const now = ks.now();
    for (const f of fields) {
      const s = t.slotOf(f);
      if (s < 0) continue;
      if (!t.expiredAt(s, now)) removed++;
      t.removeAt(s);
      gone.push(f);
    }
    if (gone.length === 0) return 0;
    if (t.size === 0) return deleteEmpty(ks, key, removed);
    ks.recharge(slot);
    recordDelta(ks, slot, HashOp.Delete, gone);
    return removed;
  }
  const buf = ks.valueView(slot);
  const n = packedCount(buf);
  const drop = new Uint8Array(n >>> 1);
  for (const f of fields) {
    const i = fieldIndex(buf, f);
    if (i >= 0 && drop[i] === 0) {
      drop[i] = 1;
      removed++;
      gone.push(f);
    }
  }
  if (removed === 0) return 0;
  if (removed === n >>> 1) return deleteEmpty(ks, key, removed);
  const w = writer.begin(PackedTag.List, buf.length);
  let p = PACKED_HEADER;
  for (let i = 0; i < n; i += 2) {
    const next = elemNext(buf, elemNext(buf, p));
    if (drop[i >>> 1] === 0) w.copy(buf, p, next, 2);
    p = next;
  }
  ks.set(key, w.finish(), 0, KEEP, ValueType.Hash); // smaller: always fits
  if (ks.recording) recordDelta(ks, ks.peek(key), HashOp.Delete, gone);
  return removed;
}

export function deleteEmpty(ks: Keyspace, key: Uint8Array, removed: number): number {
  forgetVolatileHash(ks, key);
  ks.delete(key);
  return removed;
}

// Field expiry (Redis 7.4 HEXPIRE family) lives in field-expiry.ts; re-exported for callers.
export {
  FieldExpiry, hashExpireFields, hashFieldExpireTimes, hashPersistFields, reclaimExpiredFields, type ExpiryCondition,
} from "./field-expiry.ts";

// ---- codec: restore, replay, OBJECT ENCODING -------------------------------------------------

export const ZERO = new Uint8Array([48]);
const enc = new TextEncoder();
export const asciiInt = (n: number): Uint8Array => enc.encode(String(n));
const decodeInt = (b: Uint8Array): number => Number(new TextDecoder().decode(b));

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Stores a whole hash from its packed form (snapshots, COPY, RENAME). */
function loadHash(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status {
  const tag = packedTag(packed);
  const els = packedElements(packed);
  const stride = tag === PackedTag.HashWithExpiry ? 3 : 2;
  let longest = 0;
  for (const e of els) if (e.length > longest) longest = e.length;
  if (tag === PackedTag.List && fitsPacked(els.length >>> 1, longest)) return ks.set(key, packed, expireAt, 0, ValueType.Hash);
  const t = new ElementTable(true, Math.max(16, els.length / stride));
  const now = ks.now();
  for (let i = 0; i + 1 < els.length; i += stride) {
    const at = stride === 3 ? decodeInt(els[i + 2]!) : 0;
    if (at !== 0 && at <= now) continue;
    t.put(els[i]!, els[i + 1]!, at);
  }
  // The whole value is recorded once (a Set frame), then held by the table.
  let st = ks.set(key, packed, expireAt, 0, ValueType.Hash);
  if (st !== Status.Ok) return st;
  st = ks.set(key, EMPTY, expireAt, SetFlag.QUIET, ValueType.Hash);
  if (st !== Status.Ok) return st;
  ks.attachLarge(ks.peek(key), t);
  if (t.volatileCount > 0) noteVolatileHash(ks, key);
  return Status.Ok;
}

function applyHashDelta(ks: Keyspace, key: Uint8Array, op: number, els: Uint8Array[]): void {
  const slot = ks.peek(key);
  if (slot >= 0 && ks.typeOf(slot) !== ValueType.Hash) return;
  switch (op) {
    case HashOp.Set:
      hashSet(ks, key, slot, els);
      break;
    case HashOp.Delete:
      if (slot >= 0) hashDelete(ks, key, slot, els);
      break;
    case HashOp.Expire: {
      if (slot < 0) return;
      for (let i = 0; i + 1 < els.length; i += 2) {
        const at = decodeInt(els[i + 1]!);
        const s = ks.peek(key);
        if (s < 0) return;
        if (at === 0) hashPersistFields(ks, s, [els[i]!]);
        else hashExpireFields(ks, key, s, [els[i]!], at, "");
      }
    }
  }
}

registerCodec(ValueType.Hash, {
  load: loadHash,
  applyDelta: applyHashDelta,
  encoding: (ks, slot) => (ks.large(slot) !== undefined ? "hashtable" : "listpack"),
});
