// Bitmaps are ordinary string values: this module is their type API over the keyspace (SETBIT,
// GETBIT, growing a value with zero bytes, writing a changed value back), shared by the server's
// bitmap commands and the embedded Cache. A bit that does not change writes nothing; a change
// within the value is made in place and written back as the same record (no copy of a large
// bitmap); growing builds the longer value once. Every write keeps the key's TTL, as Redis's
// in-place edits do, and is recorded as a whole-value Set (strings have no Delta form).
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType } from "../types.ts";

/** The value at `slot` as a view into its arena page (valid until the next write). */
export function stringView(ks: Keyspace, slot: number): Uint8Array {
  return ks.valueView(slot);
}

/** Bit `offset` (bit 0 = most significant bit of byte 0) of the value at `slot`; 0 past the end. */
export function getBit(ks: Keyspace, slot: number, offset: number): 0 | 1 {
  const byte = Math.floor(offset / 8);
  if (byte >= ks.valueLength(slot)) return 0;
  const v = ks.valuePage(slot)[ks.valueOffset(slot) + byte]!;
  return ((v >> (7 - (offset & 7))) & 1) as 0 | 1;
}

/**
 * A copy of the string at `slot` (or of nothing when `slot` < 0) at least `minLen` bytes long,
 * the added bytes zero: the value a bit command edits before `writeString`.
 */
export function grownCopy(ks: Keyspace, slot: number, minLen: number): Uint8Array {
  const len = slot < 0 ? 0 : ks.valueLength(slot);
  const out = new Uint8Array(Math.max(len, minLen));
  if (slot >= 0) out.set(ks.valueView(slot));
  return out;
}

/** Stores `value` as the string at `key` (slot < 0: a new key), keeping an existing key's TTL. */
export function writeString(ks: Keyspace, key: Uint8Array, slot: number, value: Uint8Array): Status {
  return ks.set(key, value, 0, slot < 0 ? 0 : SetFlag.KEEPTTL, ValueType.String);
}

/**
 * SETBIT: sets bit `offset` of the string at `key` (slot: its slot, or -1 when missing) to `on`,
 * growing the value with zero bytes as needed. Returns the bit's previous value, or a negative
 * Status (-OutOfMemory, -TooLarge) when the grown value does not fit.
 */
export function setBit(ks: Keyspace, key: Uint8Array, slot: number, offset: number, on: 0 | 1): number {
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  if (slot >= 0 && byte < ks.valueLength(slot)) {
    const page = ks.valuePage(slot);
    const at = ks.valueOffset(slot) + byte;
    const old = page[at]! & mask ? 1 : 0;
    if (old === on) return old;
    page[at] = on ? page[at]! | mask : page[at]! & ~mask;
    // Same length: the record is rewritten where it is (and the change recorded).
    writeString(ks, key, slot, ks.valueView(slot));
    return old;
  }
  const next = grownCopy(ks, slot, byte + 1);
  if (on) next[byte] = mask;
  const st = writeString(ks, key, slot, next);
  return st === Status.Ok ? 0 : -st;
}
