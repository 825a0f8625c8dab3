// Helpers shared by the string and key families: typed lookups that reply WRONGTYPE for you,
// engine Status → error reply, and integers encoded as value bytes.

import { Status, ValueType } from "../engine/types.ts";
import { ERR_OOM, ERR_WRONGTYPE } from "../protocol/errors.ts";
import type { Client } from "./types.ts";

/** `lookupStringOrReply` result when the key holds another type (WRONGTYPE was written). */
export const WRONG_TYPE = -2;

export const ERR_STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
/** Redis's default proto-max-bulk-len: 512 MB. */
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/**
 * Slot of `key` when it holds a string, -1 when missing, or WRONG_TYPE after replying WRONGTYPE.
 * `read` (lookupKeyRead) counts a hit or miss and records the access; otherwise (lookupKeyWrite)
 * it does neither.
 */
export function lookupStringOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const db = c.db;
  const slot = read ? db.lookup(key) : db.peek(key);
  if (slot >= 0 && db.typeOf(slot) !== ValueType.String) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

/** Replies the error for a failed engine write; false when `status` is Ok (nothing written). */
export function replyWriteFailure(c: Client, status: Status): boolean {
  switch (status) {
    case Status.Ok:
      return false;
    case Status.OutOfMemory:
    case Status.TooLarge:
      c.reply.error(ERR_OOM);
      return true;
    case Status.WrongType:
      c.reply.error(ERR_WRONGTYPE);
      return true;
    default:
      // NotFound / Exists only come back for NX/XX writes, which callers check themselves.
      return false;
  }
}

/** The proto-max-bulk-len limit from the config (bytes). */
export function protoMaxBulkLen(c: Client): number {
  const v = c.server.config.get("proto-max-bulk-len");
  if (v === undefined) return DEFAULT_PROTO_MAX_BULK_LEN;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_PROTO_MAX_BULK_LEN;
}

const scratch = new Uint8Array(24);
/** `scratch.subarray(0, n)` for every n, made once: intBytes allocates nothing. */
const scratchViews = Array.from({ length: 25 }, (_, n) => scratch.subarray(0, n));

/**
 * Decimal ASCII of an integer, as a view into a shared scratch buffer: valid until the next call,
 * which is enough to hand it to `Keyspace.set` (the engine copies).
 */
export function intBytes(n: number | bigint): Uint8Array {
  if (typeof n === "bigint" || !Number.isSafeInteger(n)) {
    const s = BigInt(n).toString();
    for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
    return scratch.subarray(0, s.length);
  }
  let len = 0;
  let v = n;
  if (v < 0) {
    scratch[len++] = 45;
    v = -v;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  let i = len + digits;
  len = i;
  do {
    const q = Math.floor(v / 10);
    scratch[--i] = 48 + (v - q * 10);
    v = q;
  } while (v > 0);
  return scratchViews[len]!;
}

/** Writes an exact integer reply for any int64 (the writer's `integer` is exact up to 2^53). */
export function replyInt64(c: Client, n: number | bigint): void {
  if (typeof n === "number" && Number.isSafeInteger(n)) {
    c.reply.integer(n);
    return;
  }
  const s = ":" + BigInt(n).toString() + "\r\n";
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  c.reply.raw(out);
}

/** Whether the two byte ranges are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
