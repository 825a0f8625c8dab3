// Writes one value of ours as Redis 7.0 loads it: strings as strings (integer or LZF encoded),
// lists as RDB_TYPE_LIST, sets as RDB_TYPE_SET, sorted sets as ZSET_2 (binary doubles), hashes as
// RDB_TYPE_HASH. redis-server converts each to its listpack/intset/quicklist encoding on load
// according to its own *-max-listpack-* settings, so the plain encodings are always right.
// Hash field TTLs (HEXPIRE, Redis 7.4) have no RDB 10 form: the fields are written without them.
// Streams: rdb-stream-writer.ts.
import { packedElements, packedTag, PackedTag } from "../../engine/compound/packed.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import { ValueType } from "../../engine/types.ts";
import { packedZWalk } from "../../engine/zset/zset-packed.ts";
import type { RdbOutput } from "./rdb-output.ts";
import { writeStreamValue } from "./rdb-stream-writer.ts";
import { RdbType } from "./rdb-types.ts";

/** The RDB type byte a value of ours is written with. */
export function rdbTypeOf(type: ValueType): number {
  switch (type) {
    case ValueType.String:
      return RdbType.String;
    case ValueType.List:
      return RdbType.List;
    case ValueType.Set:
      return RdbType.Set;
    case ValueType.ZSet:
      return RdbType.ZSet2;
    case ValueType.Hash:
      return RdbType.Hash;
    case ValueType.Stream:
      return RdbType.StreamListpacks2;
  }
}

/**
 * Writes the RDB type byte, then `key` when given (a file's key record; a DUMP payload has none),
 * then the value of `packed` (a value of `type` in our packed format).
 */
export function writeValue(out: RdbOutput, type: ValueType, packed: Uint8Array, key?: Uint8Array): void {
  out.u8(rdbTypeOf(type));
  if (key !== undefined) out.string(key);
  switch (type) {
    case ValueType.String:
      out.string(packed);
      return;
    case ValueType.List:
    case ValueType.Set: {
      const els = packedElements(packed);
      out.len(els.length);
      for (const e of els) out.string(e);
      return;
    }
    case ValueType.Hash: {
      const els = packedElements(packed);
      const stride = packedTag(packed) === PackedTag.HashWithExpiry ? 3 : 2;
      out.len(Math.floor(els.length / stride));
      for (let i = 0; i + 1 < els.length; i += stride) out.string(els[i]!).string(els[i + 1]!);
      return;
    }
    case ValueType.ZSet: {
      const pairs: [Uint8Array, number][] = [];
      packedZWalk(packed, 0, false, (m, s) => void pairs.push([m, s]));
      out.len(pairs.length);
      // Redis writes a skiplist from the tail (highest first) so that loading inserts at the head.
      for (let i = pairs.length - 1; i >= 0; i--) out.string(pairs[i]![0]).f64LE(pairs[i]![1]);
      return;
    }
    case ValueType.Stream:
      writeStreamValue(out, packed);
      return;
  }
}

/** The value at `slot` of `ks`: type byte, `key` when given, value. */
export function writeSlotValue(out: RdbOutput, ks: Keyspace, slot: number, key?: Uint8Array): void {
  const type = ks.typeOf(slot);
  writeValue(out, type, type === ValueType.String ? ks.valueView(slot) : ks.serializedValue(slot), key);
}
