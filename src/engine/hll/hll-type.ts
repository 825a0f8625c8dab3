// HyperLogLog on string values: PFADD, PFCOUNT and PFMERGE over the keyspace (pfaddCommand,
// pfcountCommand, pfmergeCommand of Redis's hyperloglog.c), shared by the server's commands and
// the embedded Cache. Callers have checked that each slot holds a string; these functions check
// that the string is an HLL. Results are counts, or one of the negative HllResult codes.
import { limits } from "../compound/limits.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType } from "../types.ts";
import {
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  cacheValid,
  denseGet,
  denseSet,
  emptySparse,
  invalidateCache,
  isDense,
  isValidHll,
  isXZero,
  isZero,
  patternOf,
  readCachedCard,
  valLen,
  valValue,
  writeCachedCard,
  xzeroLen,
  zeroLen,
} from "./hll-format.ts";
import { hllCount, mergeInto, rawCount } from "./hll-count.ts";
import { HllBuffer } from "./hll-sparse.ts";

export const HllResult = {
  /** The string is not an HLL ("WRONGTYPE Key is not a valid HyperLogLog string value."). */
  NotHll: -1,
  /** The HLL's registers are corrupt ("INVALIDOBJ Corrupted HLL object detected"). */
  Corrupt: -2,
  /** The new value does not fit in memory (-OOM). */
  OutOfMemory: -3,
} as const;

export const ERR_NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
export const ERR_CORRUPT_HLL = "INVALIDOBJ Corrupted HLL object detected";

/** Writes the edited value back to `key` (keeping the TTL of an existing key). */
function store(ks: Keyspace, key: Uint8Array, slot: number, v: Uint8Array): number {
  const st = ks.set(key, v, 0, slot < 0 ? 0 : SetFlag.KEEPTTL, ValueType.String);
  return st === Status.Ok ? 0 : HllResult.OutOfMemory;
}

/** Raises the register `ele` hashes to; 1 changed, 0 not, -1 corrupt. */
function addOne(h: HllBuffer, ele: Uint8Array): number {
  const p = patternOf(ele);
  return h.dense ? h.denseRaise(p.index, p.count) : h.sparseRaise(p.index, p.count, limits["hll-sparse-max-bytes"]);
}

/**
 * PFADD into a dense value: its length never changes, so the registers are raised where the value
 * is and the record is rewritten in place (no copy of the 12 KB value per command).
 */
function denseAddInPlace(ks: Keyspace, key: Uint8Array, slot: number, v: Uint8Array, elements: readonly Uint8Array[]): number {
  let updated = 0;
  for (const ele of elements) {
    const p = patternOf(ele);
    if (denseGet(v, HLL_HDR_SIZE, p.index) >= p.count) continue;
    denseSet(v, HLL_HDR_SIZE, p.index, p.count);
    updated++;
  }
  if (updated === 0) return 0;
  invalidateCache(v);
  return store(ks, key, slot, v) < 0 ? HllResult.OutOfMemory : 1;
}

/** PFADD: 1 when some register changed (or the key was created), 0 when none did. */
export function pfAdd(ks: Keyspace, key: Uint8Array, slot: number, elements: readonly Uint8Array[]): number {
  let h: HllBuffer;
  let updated = 0;
  if (slot < 0) {
    h = new HllBuffer(emptySparse());
    updated++;
  } else {
    const v = ks.valueView(slot);
    if (!isValidHll(v)) return HllResult.NotHll;
    if (isDense(v)) return denseAddInPlace(ks, key, slot, v, elements);
    h = new HllBuffer(v);
  }
  for (const ele of elements) {
    const r = addOne(h, ele);
    if (r < 0) {
      // Redis keeps the registers already raised (it edits in place) and answers the error.
      if (updated > 0) store(ks, key, slot, h.value());
      return HllResult.Corrupt;
    }
    updated += r;
  }
  if (updated === 0) return 0;
  invalidateCache(h.bytes);
  const st = store(ks, key, slot, h.value());
  return st < 0 ? st : 1;
}

/** PFCOUNT of one key: the cached count, or a fresh one written back as the new cache. */
export function pfCountOne(ks: Keyspace, key: Uint8Array, slot: number): number | bigint {
  if (slot < 0) return 0;
  const v = ks.valueView(slot);
  if (!isValidHll(v)) return HllResult.NotHll;
  if (cacheValid(v)) {
    const card = readCachedCard(v);
    return card <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(card) : card;
  }
  const card = hllCount(v);
  if (card < 0) return HllResult.Corrupt;
  // Same length: written where the value is, then the record is rewritten in place.
  writeCachedCard(v, card);
  store(ks, key, slot, v);
  return card;
}

/** Registers for `mergeSlot`: one byte per register, all zero. */
export const newRegisters = (): Uint8Array => new Uint8Array(HLL_REGISTERS);

/**
 * max[i] = MAX(max[i], register i of the HLL at `slot`) (-1: missing, an empty HLL). Returns 1
 * when that HLL is dense, 0 otherwise, or a negative HllResult (not an HLL, corrupt).
 */
export function mergeSlot(ks: Keyspace, slot: number, max: Uint8Array): number {
  if (slot < 0) return 0;
  const v = ks.valueView(slot);
  if (!isValidHll(v)) return HllResult.NotHll;
  if (!mergeInto(max, v)) return HllResult.Corrupt;
  return isDense(v) ? 1 : 0;
}

/** The estimated cardinality of merged registers (PFCOUNT of several keys; nothing is cached). */
export const countRegisters = (max: Uint8Array): number => rawCount(max);

/** PFCOUNT of several keys: the count of their union, or the first key's negative HllResult. */
export function pfCountMany(ks: Keyspace, slots: readonly number[]): number {
  const max = newRegisters();
  for (const s of slots) {
    const r = mergeSlot(ks, s, max);
    if (r < 0) return r;
  }
  return rawCount(max);
}

/**
 * PFMERGE's write: `dest` (at `destSlot`, -1 when missing) takes the registers `max` (merged
 * from dest and the sources with `mergeSlot`), turning dense first when `anyDense`.
 */
export function pfMergeStore(ks: Keyspace, dest: Uint8Array, destSlot: number, max: Uint8Array, anyDense: boolean): number {
  const h = new HllBuffer(destSlot < 0 ? emptySparse() : ks.valueView(destSlot));
  if (anyDense && !h.toDense()) return HllResult.Corrupt;
  const maxBytes = limits["hll-sparse-max-bytes"];
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    if (h.dense) h.denseRaise(j, max[j]!);
    else h.sparseRaise(j, max[j]!, maxBytes);
  }
  invalidateCache(h.bytes);
  return store(ks, dest, destSlot, h.value());
}

/** PFMERGE of the HLLs at `slots` (dest's first, -1 when missing) into `dest`. */
export function pfMerge(ks: Keyspace, dest: Uint8Array, slots: readonly number[]): number {
  const max = newRegisters();
  let anyDense = false;
  for (const s of slots) {
    const r = mergeSlot(ks, s, max);
    if (r < 0) return r;
    if (r === 1) anyDense = true;
  }
  return pfMergeStore(ks, dest, slots[0]!, max, anyDense);
}

// ---- PFDEBUG ----------------------------------------------------------------------------------

/** PFDEBUG TODENSE / GETREG: converts the HLL at `slot` to dense; 1 converted, 0 already dense, or a negative HllResult. */
export function hllToDense(ks: Keyspace, key: Uint8Array, slot: number): number {
  const v = ks.valueView(slot);
  if (!isValidHll(v)) return HllResult.NotHll;
  if (isDense(v)) return 0;
  const h = new HllBuffer(v);
  if (!h.toDense()) return HllResult.Corrupt;
  const st = store(ks, key, slot, h.value());
  return st < 0 ? st : 1;
}

/** The 16384 registers of the dense HLL at `slot`. */
export function hllRegisters(ks: Keyspace, slot: number): Uint8Array {
  const max = newRegisters();
  mergeInto(max, ks.valueView(slot));
  return max;
}

/** PFDEBUG DECODE: the sparse opcodes as text ("z:" ZERO, "Z:" XZERO, "v:value,len"), or undefined when dense. */
export function hllDecode(ks: Keyspace, slot: number): string | undefined {
  const v = ks.valueView(slot);
  if (isDense(v)) return undefined;
  const out: string[] = [];
  for (let p = HLL_HDR_SIZE; p < v.length; ) {
    const b = v[p]!;
    if (isZero(b)) {
      out.push(`z:${zeroLen(b)}`);
      p++;
    } else if (isXZero(b)) {
      out.push(`Z:${xzeroLen(b, v[p + 1] ?? 0)}`);
      p += 2;
    } else {
      out.push(`v:${valValue(b)},${valLen(b)}`);
      p++;
    }
  }
  return out.join(" ");
}
