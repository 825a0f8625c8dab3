// One place per value type for what the keyspace and persistence need without knowing the type:
// restoring a value from its packed form (snapshots, whole-value WAL frames, COPY, RENAME),
// applying a recorded type operation (a Delta frame on recovery), and OBJECT ENCODING. Each type
// module (src/engine/hash/, list/, set/...) registers its codec when it is imported;
// src/engine/compound/all-types.ts imports them all.

import type { Keyspace } from "../keyspace.ts";
import { Status, ValueType, type Milliseconds } from "../types.ts";
import { packedElements, PackedWriter } from "./packed.ts";

export interface TypeCodec {
  /** Stores `key` → the collection in `packed` (its type's packed format), with `expireAt`. */
  load(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status;
  /** Applies one recorded operation (`op` and its elements, as the type encoded them). */
  applyDelta(ks: Keyspace, key: Uint8Array, op: number, elements: Uint8Array[]): void;
  /** OBJECT ENCODING's answer for the value at `slot`. */
  encoding(ks: Keyspace, slot: number): string;
}

const codecs: (TypeCodec | undefined)[] = [];

export function registerCodec(type: ValueType, codec: TypeCodec): void {
  codecs[type] = codec;
}

function codecOf(type: ValueType): TypeCodec {
  const c = codecs[type];
  if (c === undefined) throw new Error(`fast-cache: no codec registered for value type ${type}`);
  return c;
}

/** Stores a value of any type from its packed form (strings: the bytes themselves). */
export function restoreValue(ks: Keyspace, key: Uint8Array, type: ValueType, packed: Uint8Array, expireAt: Milliseconds): Status {
  if (type === ValueType.String) return ks.set(key, packed, expireAt, 0, type);
  return codecOf(type).load(ks, key, packed, expireAt);
}

/** Applies a Delta frame's payload to `key`. */
export function applyDelta(ks: Keyspace, type: ValueType, key: Uint8Array, payload: Uint8Array): void {
  codecOf(type).applyDelta(ks, key, payload[0]!, packedElements(payload));
}

/** OBJECT ENCODING of the value at `slot`, for non-string types. */
export function encodingOf(ks: Keyspace, slot: number): string {
  return codecOf(ks.typeOf(slot)).encoding(ks, slot);
}

/** Copies the value at `slot` of `from` to `key` of `to` (COPY, MOVE, RENAME across keyspaces). */
export function copyValue(from: Keyspace, slot: number, to: Keyspace, key: Uint8Array, expireAt: Milliseconds): Status {
  const type = from.typeOf(slot);
  const packed = type === ValueType.String ? from.valueView(slot).slice() : from.serializedValue(slot).slice();
  return restoreValue(to, key, type, packed, expireAt);
}

const deltaWriter = new PackedWriter();

/**
 * Records one type operation on the collection at `slot`: `op` (the type's own code) and its
 * elements, encoded as a packed value whose tag byte is `op`. Free when nothing records.
 */
export function recordDelta(ks: Keyspace, slot: number, op: number, elements: readonly Uint8Array[]): void {
  if (!ks.recording) return;
  const w = deltaWriter.begin(op as 0);
  for (const e of elements) w.push(e);
  ks.emitDelta(slot, w.finish());
}
