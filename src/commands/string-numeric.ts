// INCR, DECR, INCRBY, DECRBY (incrDecrGeneric, exact over the whole int64 range) and INCRBYFLOAT
// (80-bit long double arithmetic, as Redis computes it). Both keep the key's TTL.

import { SetFlag, ValueType } from "../engine/types.ts";
import { hashBytes } from "../engine/bytes.ts";
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_WRONGTYPE } from "../protocol/errors.ts";
import { INT64_MAX, INT64_MIN, parseBigInt64, parseInt64 } from "./args.ts";
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from "./long-double.ts";
import { WRONG_TYPE, intBytes, lookupStringOrReply, replyInt64, replyWriteFailure } from "./string-value.ts";
import type { Args, Client } from "./types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "./notify.ts";

export const ERR_DECREMENT_OVERFLOW = "ERR decrement would overflow";
export const ERR_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";

/** The shared body of INCR, DECR, INCRBY, DECRBY: adds `by` (exact) to the integer at `key`. */
function incrDecrGeneric(c: Client, key: Uint8Array, by: number | bigint): void {
  const db = c.db;
  const h = hashBytes(key); // hashed once for the lookup and the write
  const slot = db.peek(key, h);
  if (slot >= 0 && db.typeOf(slot) !== ValueType.String) return c.reply.error(ERR_WRONGTYPE);
  let value = 0;
  let exact: bigint | undefined;
  if (slot >= 0) {
    const page = db.valuePage(slot);
    const off = db.valueOffset(slot);
    const len = db.valueLength(slot);
    value = parseInt64(page, off, len);
    if (Number.isNaN(value)) return c.reply.error(ERR_NOT_INTEGER);
    if (!Number.isSafeInteger(value)) exact = parseBigInt64(page, off, len);
  }
  let result: number | bigint;
  if (exact === undefined && typeof by === "number" && Number.isSafeInteger(value + by)) {
    result = value + by;
  } else {
    const sum = (exact ?? BigInt(value)) + BigInt(by);
    if (sum > INT64_MAX || sum < INT64_MIN) return c.reply.error(ERR_OVERFLOW);
    result = sum;
  }
  const status = db.set(key, intBytes(result), 0, SetFlag.KEEPTTL, ValueType.String, h);
  if (replyWriteFailure(c, status)) return;
  replyInt64(c, result);
  notify(c, NC.STRING, "incrby", key);
}

/** argv[i] as an exact int64 (number when safe), or undefined after replying the error. */
function exactIntArgOrReply(c: Client, arg: Uint8Array): number | bigint | undefined {
  const n = parseInt64(arg);
  if (Number.isNaN(n)) {
    c.reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  return Number.isSafeInteger(n) ? n : parseBigInt64(arg);
}

// INCR key
export function cmdIncr(c: Client, argv: Args): void {
  incrDecrGeneric(c, argv[1]!, 1);
}

// DECR key
export function cmdDecr(c: Client, argv: Args): void {
  incrDecrGeneric(c, argv[1]!, -1);
}

// INCRBY key increment
export function cmdIncrBy(c: Client, argv: Args): void {
  const by = exactIntArgOrReply(c, argv[2]!);
  if (by !== undefined) incrDecrGeneric(c, argv[1]!, by);
}

// DECRBY key decrement
export function cmdDecrBy(c: Client, argv: Args): void {
  const by = exactIntArgOrReply(c, argv[2]!);
  if (by === undefined) return;
  if (by === INT64_MIN) return c.reply.error(ERR_DECREMENT_OVERFLOW);
  incrDecrGeneric(c, argv[1]!, -by);
}

// INCRBYFLOAT key increment
export function cmdIncrByFloat(c: Client, argv: Args): void {
  const db = c.db;
  const key = argv[1]!;
  const slot = lookupStringOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  const current = slot < 0 ? parseLongDouble(ZERO) : parseLongDouble(db.valueView(slot));
  if (current === undefined) return c.reply.error(ERR_NOT_FLOAT);
  const incr = parseLongDouble(argv[2]!);
  if (incr === undefined) return c.reply.error(ERR_NOT_FLOAT);
  const sum = addLongDouble(current, incr);
  if (sum === undefined || sum.inf) return c.reply.error(ERR_NAN_OR_INFINITY);
  const text = formatLongDoubleHuman(sum);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const status = db.set(key, bytes, 0, SetFlag.KEEPTTL, ValueType.String);
  if (replyWriteFailure(c, status)) return;
  c.reply.bulk(bytes);
  notify(c, NC.STRING, "incrbyfloat", key);
}

const ZERO = new Uint8Array([48]);
