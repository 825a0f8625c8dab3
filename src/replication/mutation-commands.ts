// What a replica is sent for one mutation record: the Redis commands that reproduce it.
//
// The replication stream is derived from the same mutation records as the WAL, not from the
// commands clients sent: the records are deterministic (SPOP recorded the members it removed,
// XADD '*' the ID it made, an expiry the absolute time), they include expiries and evictions
// (a DEL, as Redis propagates them), and they cover scripts, MULTI and cross-worker paths without
// one rewrite rule per command. Redis 7.0 replicates scripts by effects too.
//
//   Set (string)      SET key value [PXAT t]
//   Set (collection)  the whole value: RESTORE key <expireAt> <payload> REPLACE ABSTTL
//   Delete            DEL key
//   Expire            PEXPIREAT key t | PERSIST key
//   Clear             FLUSHDB (the record's database)
//   SwapDb            SWAPDB a b
//   Delta             the type operation as its command (HSET, HDEL, LPUSH, LPOP count, SADD,
//                     ZADD, ZREM, XADD, XTRIM MINID...), or the whole value when the operation
//                     has no one-command form (LSET/LINSERT/LREM/LTRIM, ...STORE, stream groups).
import { packedElements } from "../engine/compound/packed.ts";
import { HashOp } from "../engine/hash/hash-type.ts";
import { ListOp } from "../engine/list/list-type.ts";
import { SetOp } from "../engine/set/set-type.ts";
import { StreamOp } from "../engine/stream/stream-type.ts";
import { MutationOp, ValueType, type MutationRecord } from "../engine/types.ts";
import { ZSetOp } from "../engine/zset/zset-type.ts";
import { readScore } from "../engine/zset/zset-packed.ts";
import { formatDouble } from "../protocol/reply-writer.ts";

export type Arg = Uint8Array | string;
export type EmitCommand = (argv: readonly Arg[]) => void;

/** The current whole value of a key, for operations replicated as the whole value. */
export interface ValueSource {
  /** Type, packed value and expiry of `key` in database `db`, or undefined when it is gone. */
  valueOf(db: number, key: Uint8Array): { type: ValueType; packed: Uint8Array; expireAt: number } | undefined;
  /** A DUMP payload of a packed value (RESTORE). */
  dumpPayload(type: ValueType, packed: Uint8Array): Uint8Array;
}

const copy = (b: Uint8Array): Uint8Array => b.slice();

/**
 * Emits the commands that reproduce `m` on a replica (its database is selected by the caller).
 * `whole`: a Delta goes as the key's whole value even when it has a command (a full sync being
 * written has yet to reach the key, sync-walk.ts).
 */
export function commandsOf(m: MutationRecord, src: ValueSource, emit: EmitCommand, whole = false): void {
  switch (m.op) {
    case MutationOp.Set:
      if (m.type === ValueType.String) {
        emit(m.expireAt > 0 ? ["SET", m.key, m.value, "PXAT", String(m.expireAt)] : ["SET", m.key, m.value]);
      } else {
        wholeValue(m.key, m.type, m.value, m.expireAt, src, emit);
      }
      return;
    case MutationOp.Delete:
      emit(["DEL", m.key]);
      return;
    case MutationOp.Expire:
      emit(m.expireAt > 0 ? ["PEXPIREAT", m.key, String(m.expireAt)] : ["PERSIST", m.key]);
      return;
    case MutationOp.Clear:
      emit(["FLUSHDB"]);
      return;
    case MutationOp.SwapDb:
      emit(["SWAPDB", String(m.db ?? 0), String(m.expireAt)]);
      return;
    case MutationOp.Delta:
      if (whole || !deltaCommand(m, emit)) {
        const v = src.valueOf(m.db ?? 0, m.key);
        if (v === undefined) emit(["DEL", m.key]);
        else wholeValue(m.key, v.type, v.packed, v.expireAt, src, emit);
      }
      return;
  }
}

/** A Delta as one command; false when it has none (the caller sends the whole value). */
function deltaCommand(m: MutationRecord, emit: EmitCommand): boolean {
  const op = m.value[0]!;
  const els = packedElements(m.value);
  const key = m.key;
  switch (m.type) {
    case ValueType.Hash:
      if (op === HashOp.Set) return emit(["HSET", key, ...els]), true;
      if (op === HashOp.Delete) return emit(["HDEL", key, ...els]), true;
      return false;
    case ValueType.List:
      if (op === ListOp.PushLeft) return emit(["LPUSH", key, ...els]), true;
      if (op === ListOp.PushRight) return emit(["RPUSH", key, ...els]), true;
      if (op === ListOp.PopLeft) return emit(["LPOP", key, els[0]!]), true;
      if (op === ListOp.PopRight) return emit(["RPOP", key, els[0]!]), true;
      return false;
    case ValueType.Set:
      if (op === SetOp.Add) return emit(["SADD", key, ...els]), true;
      if (op === SetOp.Remove) return emit(["SREM", key, ...els]), true;
      return false;
    case ValueType.ZSet:
      if (op === ZSetOp.Put) return emit(["ZADD", key, ...scoreMemberPairs(els)]), true;
      if (op === ZSetOp.Remove) return emit(["ZREM", key, ...els]), true;
      return false;
    case ValueType.Stream:
      if (op === StreamOp.Add) return emit(["XADD", key, ...els]), true;
      if (op === StreamOp.TrimBelow) return emit(["XTRIM", key, "MINID", els[0]!]), true;
      return false;
  }
  return false;
}

/** member, score(bytes), ... → score(text), member, ... (ZADD's order). */
function scoreMemberPairs(els: Uint8Array[]): Arg[] {
  const out: Arg[] = [];
  for (let i = 0; i + 1 < els.length; i += 2) out.push(formatDouble(readScore(els[i + 1]!)), els[i]!);
  return out;
}

/** Replaces a key's value as a whole (RESTORE is atomic on the replica). */
function wholeValue(key: Uint8Array, type: ValueType, packed: Uint8Array, expireAt: number, src: ValueSource, emit: EmitCommand): void {
  emit(["RESTORE", copy(key), String(expireAt), src.dumpPayload(type, packed), "REPLACE", "ABSTTL"]);
}
