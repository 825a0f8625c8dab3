// Hash field expiry (Redis 7.4 HEXPIRE family): setting, reading and clearing per-field expiries,
// and active expiry — the keys whose hashes hold fields with an expiry are remembered per
// keyspace, and the server's periodic tick reclaims their expired fields with a budget, as it
// reclaims expired keys. Reads reclaim lazily (hash-type.ts).

import type { ElementTable } from "../compound/element-table.ts";
import { recordDelta } from "../compound/codecs.ts";
import { packedFind } from "../compound/packed.ts";
import type { Keyspace } from "../keyspace.ts";
import { ValueType, type Milliseconds } from "../types.ts";
import { asciiInt, deleteEmpty, HashOp, tableOf, toTable, ZERO } from "./hash-type.ts";

const volatile = new WeakMap<Keyspace, Map<string, Uint8Array>>();

const keyName = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");

export function noteVolatileHash(ks: Keyspace, key: Uint8Array): void {
  let m = volatile.get(ks);
  if (m === undefined) volatile.set(ks, (m = new Map()));
  const name = keyName(key);
  if (!m.has(name)) m.set(name, key.slice());
}

export function forgetVolatileHash(ks: Keyspace, key: Uint8Array): void {
  volatile.get(ks)?.delete(keyName(key));
}

/** Hashes with field expiries known for `ks` (tests, INFO). */
export function volatileHashCount(ks: Keyspace): number {
  return volatile.get(ks)?.size ?? 0;
}

/**
 * Reclaims up to `budget` expired fields across the volatile hashes of `ks`; returns how many.
 * `reclaim(ks, key, max)` answers the fields removed, -1 when the key no longer has volatile
 * fields, or -(n + 1) when it removed n and none is left.
 */
export function sweepHashFields(ks: Keyspace, budget: number, reclaim: (ks: Keyspace, key: Uint8Array, max: number) => number): number {
  const m = volatile.get(ks);
  if (m === undefined || m.size === 0) return 0;
  let removed = 0;
  for (const [name, key] of m) {
    if (removed >= budget) break;
    const r = reclaim(ks, key, budget - removed);
    if (r === -1) m.delete(name);
    else if (r < -1) {
      removed += -r - 1;
      m.delete(name);
    } else removed += r;
  }
  return removed;
}

/** HEXPIRE's per-field answers. */
export const FieldExpiry = { NoField: -2, ConditionNotMet: 0, Set: 1, Deleted: 2 } as const;
/** NX XX GT LT of HEXPIRE. */
export type ExpiryCondition = "" | "nx" | "xx" | "gt" | "lt";

/**
 * Sets the absolute expiry `at` of each field (a time not in the future deletes the field).
 * Returns one FieldExpiry code per field. The hash takes the large encoding first.
 */
export function hashExpireFields(ks: Keyspace, key: Uint8Array, slot: number, fields: readonly Uint8Array[], at: Milliseconds, cond: ExpiryCondition): number[] {
  let t = tableOf(ks, slot);
  if (t === undefined) {
    const s = toTable(ks, key, slot, ks.valueView(slot));
    if (s < 0) return fields.map(() => FieldExpiry.NoField);
    slot = s;
    t = tableOf(ks, slot)!;
  }
  const now = ks.now();
  const codes: number[] = [];
  const changed: Uint8Array[] = [];
  const deleted: Uint8Array[] = [];
  for (const f of fields) {
    const s = t.slotOf(f);
    if (s < 0 || t.expiredAt(s, now)) {
      codes.push(FieldExpiry.NoField);
      continue;
    }
    const cur = t.elementExpireAt(s);
    const ok =
      cond === "" ||
      (cond === "nx" && cur === 0) ||
      (cond === "xx" && cur !== 0) ||
      (cond === "gt" && cur !== 0 && at > cur) ||
      (cond === "lt" && (cur === 0 || at < cur));
    if (!ok) {
      codes.push(FieldExpiry.ConditionNotMet);
      continue;
    }
    if (at <= now) {
      t.removeAt(s);
      deleted.push(f);
      codes.push(FieldExpiry.Deleted);
      continue;
    }
    t.setElementExpiry(s, at);
    changed.push(f, asciiInt(at));
    codes.push(FieldExpiry.Set);
  }
  if (t.size === 0) {
    deleteEmpty(ks, key, 0);
    return codes;
  }
  if (deleted.length > 0) recordDelta(ks, slot, HashOp.Delete, deleted);
  if (changed.length > 0) {
    recordDelta(ks, slot, HashOp.Expire, changed);
    noteVolatileHash(ks, key);
  }
  ks.recharge(slot);
  return codes;
}

/** Absolute expiry of each field: -2 no such field, -1 no expiry, else ms since the epoch. */
export function hashFieldExpireTimes(ks: Keyspace, slot: number, fields: readonly Uint8Array[]): number[] {
  const t = tableOf(ks, slot);
  const now = ks.now();
  return fields.map((f) => {
    if (t === undefined) return packedFind(ks.valueView(slot), f, 2) >= 0 ? -1 : -2;
    const s = t.slotOf(f);
    if (s < 0 || t.expiredAt(s, now)) return -2;
    const at = t.elementExpireAt(s);
    return at === 0 ? -1 : at;
  });
}

/** HPERSIST: -2 no such field, -1 no expiry, 1 expiry removed. */
export function hashPersistFields(ks: Keyspace, slot: number, fields: readonly Uint8Array[]): number[] {
  const t = tableOf(ks, slot);
  const now = ks.now();
  const changed: Uint8Array[] = [];
  const codes = fields.map((f) => {
    if (t === undefined) return packedFind(ks.valueView(slot), f, 2) >= 0 ? -1 : -2;
    const s = t.slotOf(f);
    if (s < 0 || t.expiredAt(s, now)) return -2;
    if (t.elementExpireAt(s) === 0) return -1;
    t.setElementExpiry(s, 0);
    changed.push(f, ZERO);
    return 1;
  });
  if (t !== undefined && changed.length > 0) {
    recordDelta(ks, slot, HashOp.Expire, changed);
    ks.recharge(slot);
  }
  return codes;
}

/** Removes one expired field found by a read, recording it as HDEL (as Redis propagates it). */
export function reclaimField(ks: Keyspace, key: Uint8Array, slot: number, t: ElementTable, s: number): void {
  const field = t.keyView(s).slice();
  t.removeAt(s);
  if (t.size === 0) {
    deleteEmpty(ks, key, 0);
    return;
  }
  recordDelta(ks, slot, HashOp.Delete, [field]);
  ks.recharge(slot);
}

/**
 * Active expiry of fields for one hash: removes up to `max` expired fields; returns how many.
 * Deletes the key when none is left. Used by field-expiry.ts's sweep.
 */
export function reclaimExpiredFields(ks: Keyspace, key: Uint8Array, max: number): number {
  const slot = ks.peek(key);
  if (slot < 0 || ks.typeOf(slot) !== ValueType.Hash) return -1;
  const t = tableOf(ks, slot);
  if (t === undefined || t.volatileCount === 0) return -1;
  const gone = t.removeExpired(ks.now(), max);
  if (gone.length === 0) return 0;
  if (t.size === 0) deleteEmpty(ks, key, 0);
  else {
    recordDelta(ks, slot, HashOp.Delete, gone);
    ks.recharge(slot);
  }
  return t.volatileCount === 0 ? -gone.length - 1 : gone.length;
}

