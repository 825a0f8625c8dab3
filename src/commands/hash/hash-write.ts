// Write commands of the hash family (Redis's t_hash.c): HSET HMSET HSETNX HDEL HINCRBY
// HINCRBYFLOAT. Each parses every argument first, then calls the hash type once.

import { hashDelete, hashGet, hashSet } from "../../engine/hash/hash-type.ts";
import { ERR_ARITY, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OOM, ERR_OVERFLOW } from "../../protocol/errors.ts";
import { parseBigInt64 } from "../args.ts";
import { addLongDouble, formatLongDoubleHuman, isInfinite, parseLongDouble } from "../long-double.ts";
import { ERR_NAN_OR_INFINITY } from "../string-numeric.ts";
import { replyInt64 } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { ERR_HASH_NOT_FLOAT, ERR_HASH_NOT_INTEGER, lookupHashOrReply } from "./lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Sets `pairs` on the hash at `key` (created when missing); the new-field count, or -1 after replying. */
function setPairsOrReply(c: Client, key: Uint8Array, slot: number, pairs: Uint8Array[], onlyNew = false): number {
  const added = hashSet(c.db, key, slot, pairs, onlyNew);
  if (added < 0) {
    c.reply.error(ERR_OOM);
    return -1;
  }
  return added;
}

// HSET key field value [field value ...]
export function cmdHSet(c: Client, argv: Args): void {
  if (argv.length % 2 !== 0) return c.reply.error(ERR_ARITY("hset"));
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  const added = setPairsOrReply(c, argv[1]!, slot, argv.slice(2));
  if (added < 0) return;
  c.reply.integer(added);
  notify(c, NC.HASH, "hset", argv[1]!);
}

// HMSET key field value [field value ...]
export function cmdHMSet(c: Client, argv: Args): void {
  if (argv.length % 2 !== 0) return c.reply.error(ERR_ARITY("hmset"));
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  if (setPairsOrReply(c, argv[1]!, slot, argv.slice(2)) < 0) return;
  c.reply.ok();
  notify(c, NC.HASH, "hset", argv[1]!);
}

// HSETNX key field value
export function cmdHSetNx(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  // An existing field answers 0 before any conversion: a long value does not turn the hash into
  // a hashtable then (Redis 7.0 checks hash-max-listpack-value only when it writes).
  if (slot >= 0 && hashGet(c.db, argv[1]!, slot, argv[2]!) !== undefined) return c.reply.integer(0);
  const added = setPairsOrReply(c, argv[1]!, slot, [argv[2]!, argv[3]!], true);
  if (added < 0) return;
  c.reply.integer(added);
  if (added > 0) notify(c, NC.HASH, "hset", argv[1]!);
}

// HDEL key field [field ...]
export function cmdHDel(c: Client, argv: Args): void {
  const slot = lookupHashOrReply(c, argv[1]!, false);
  if (slot === -2) return;
  const n = slot < 0 ? 0 : hashDelete(c.db, argv[1]!, slot, argv.slice(2));
  c.reply.integer(n);
  if (n === 0) return;
  notify(c, NC.HASH, "hdel", argv[1]!);
  if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
}

// HINCRBY key field increment
export function cmdHIncrBy(c: Client, argv: Args): void {
  const by = parseBigInt64(argv[3]!);
  if (by === undefined) return c.reply.error(ERR_NOT_INTEGER);
  const key = argv[1]!;
  const slot = lookupHashOrReply(c, key, false);
  if (slot === -2) return;
  let current = 0n;
  const old = slot < 0 ? undefined : hashGet(c.db, key, slot, argv[2]!);
  if (old !== undefined) {
    const v = parseBigInt64(old);
    if (v === undefined) return c.reply.error(ERR_HASH_NOT_INTEGER);
    current = v;
  }
  const next = current + by;
  if (next > INT64_MAX || next < INT64_MIN) return c.reply.error(ERR_OVERFLOW);
  const bytes = ascii(next.toString());
  if (setPairsOrReply(c, key, c.db.peek(key), [argv[2]!, bytes]) < 0) return;
  replyInt64(c, next);
  notify(c, NC.HASH, "hincrby", key);
}

// HINCRBYFLOAT key field increment
export function cmdHIncrByFloat(c: Client, argv: Args): void {
  const incr = parseLongDouble(argv[3]!);
  if (incr === undefined) return c.reply.error(ERR_NOT_FLOAT);
  if (isInfinite(incr)) return c.reply.error("ERR value is NaN or Infinity");
  const key = argv[1]!;
  const slot = lookupHashOrReply(c, key, false);
  if (slot === -2) return;
  const old = slot < 0 ? undefined : hashGet(c.db, key, slot, argv[2]!);
  const current = parseLongDouble(old ?? ZERO);
  if (current === undefined) return c.reply.error(ERR_HASH_NOT_FLOAT);
  const sum = addLongDouble(current, incr);
  if (sum === undefined || sum.inf) return c.reply.error(ERR_NAN_OR_INFINITY);
  const bytes = ascii(formatLongDoubleHuman(sum));
  if (setPairsOrReply(c, key, c.db.peek(key), [argv[2]!, bytes]) < 0) return;
  c.reply.bulk(bytes);
  notify(c, NC.HASH, "hincrbyfloat", key);
}

const ZERO = new Uint8Array([48]);

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}
