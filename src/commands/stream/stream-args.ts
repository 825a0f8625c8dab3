// Shared pieces of the stream commands: ID parsing with Redis 7.0's rules (streamGenericParseIDOrReply,
// string2ull), the typed lookup, and the entry reply ([id, [field, value, ...]]).

import { streamOf } from "../../engine/stream/stream-type.ts";
import { formatId, MAX_ID, parseId, SEQ_MASK, U64_MAX, type StreamId } from "../../engine/stream/stream-id.ts";

export { parseId };
import type { StreamValue } from "../../engine/stream/stream-value.ts";
import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import { ReplyWriter } from "../../protocol/reply-writer.ts";
import { WRONG_TYPE } from "../string-value.ts";
import type { Client } from "../types.ts";

export { WRONG_TYPE };

export const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
export const ERR_START_INTERVAL = "ERR invalid start ID for the interval";
export const ERR_END_INTERVAL = "ERR invalid end ID for the interval";

/** A strict ID (no `-`/`+`), or undefined after replying the invalid-ID error. */
export function strictIdOrReply(c: Client, arg: Uint8Array, missingSeq = 0n): StreamId | undefined {
  const p = parseId(arg, missingSeq, true);
  if (p === undefined) c.reply.error(ERR_INVALID_ID);
  return p?.id;
}

/** Any ID (`-`, `+` allowed), or undefined after replying. */
export function idOrReply(c: Client, arg: Uint8Array, missingSeq = 0n): StreamId | undefined {
  const p = parseId(arg, missingSeq, false);
  if (p === undefined) c.reply.error(ERR_INVALID_ID);
  return p?.id;
}

/**
 * An interval bound (XRANGE, XPENDING, XAUTOCLAIM): `(id` is exclusive and moved one step inward
 * (`start`: up, else down). Undefined after replying.
 */
export function intervalIdOrReply(c: Client, arg: Uint8Array, start: boolean): StreamId | undefined {
  const exclusive = arg.length > 1 && arg[0] === 40;
  const p = exclusive ? parseId(arg.subarray(1), start ? 0n : U64_MAX, true) : parseId(arg, start ? 0n : U64_MAX, false);
  if (p === undefined) {
    c.reply.error(ERR_INVALID_ID);
    return undefined;
  }
  if (!exclusive) return p.id;
  if (start) {
    if (p.id === MAX_ID) {
      c.reply.error(ERR_START_INTERVAL);
      return undefined;
    }
    return p.id + 1n;
  }
  if (p.id === 0n) {
    c.reply.error(ERR_END_INTERVAL);
    return undefined;
  }
  return p.id - 1n;
}

/** Slot of the stream at `key`, -1 when missing, WRONG_TYPE after replying. */
export function lookupStreamOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const db = c.db;
  const slot = read ? db.lookup(key) : db.peek(key);
  if (slot >= 0 && db.typeOf(slot) !== ValueType.Stream) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

export const streamAt = (c: Client, slot: number): StreamValue => streamOf(c.db, slot);

export function replyId(c: Client, id: StreamId): void {
  c.reply.bulkString(formatId(id));
}

/** One entry: [id, [field, value, ...]] (`fv` undefined: [id, nil], an entry gone from the stream). */
export function writeEntry(w: ReplyWriter, id: StreamId, fv: readonly Uint8Array[] | undefined): void {
  if (fv !== undefined && id < NUMERIC_IDS && (id & SEQ_MASK) < SAFE_HALF) return writeEntryNumbers(w, Number(id >> 64n), Number(id & SEQ_MASK), fv);
  w.arrayHeader(2);
  w.bulkString(formatId(id));
  if (fv === undefined) return w.nullArray();
  w.arrayHeader(fv.length);
  for (const e of fv) w.bulk(e);
}

const idDigits = new Uint8Array(48);
const NUMERIC_IDS = 1n << 117n;
const SAFE_HALF = 1n << 53n;

/** Writes `n` (a non-negative integer below 2^53) at idDigits[at...]; returns the end. */
function digits(n: number, at: number): number {
  if (n < 10) {
    idDigits[at] = 48 + n;
    return at + 1;
  }
  let len = 0;
  for (let x = n; x >= 1; x = Math.floor(x / 10)) len++;
  for (let k = at + len - 1; k >= at; k--) {
    const q = Math.floor(n / 10);
    idDigits[k] = 48 + (n - q * 10);
    n = q;
  }
  return at + len;
}

/** writeEntry for an ID given as numbers (both halves below 2^53): no string is built. */
export function writeEntryNumbers(w: ReplyWriter, ms: number, seq: number, fv: readonly Uint8Array[]): void {
  w.arrayHeader(2);
  const mid = digits(ms, 0);
  idDigits[mid] = 45;
  w.bulkFrom(idDigits, 0, digits(seq, mid + 1));
  w.arrayHeader(fv.length);
  for (const e of fv) w.bulk(e);
}

/** Writes entries [start, end] (`count` 0 = all) to `w`; returns how many. */
export function writeRange(w: ReplyWriter, s: StreamValue, start: StreamId, end: StreamId, rev: boolean, count: number): number {
  if (s.log.numeric) return s.log.rangeNumbers(start, end, rev, count, (ms, seq, fv) => writeEntryNumbers(w, ms, seq, fv));
  return s.log.range(start, end, rev, count, (id, fv) => writeEntry(w, id, fv));
}

const scratch = new ReplyWriter(16 * 1024);

/**
 * Replies an array whose length is known only after its elements are written: `fill` writes them
 * to a scratch writer (same protocol) and returns how many it wrote.
 */
export function replyCounted(c: Client, fill: (w: ReplyWriter) => number): void {
  scratch.reset();
  scratch.resp = c.reply.resp;
  const n = fill(scratch);
  c.reply.arrayHeader(n);
  c.reply.raw(scratch.bytes());
}

/** Entries [start, end] of the stream at `slot` as an array (`count` 0 = all). */
export function replyRange(c: Client, slot: number, start: StreamId, end: StreamId, rev: boolean, count: number): void {
  replyCounted(c, (w) => writeRange(w, streamAt(c, slot), start, end, rev, count));
}

/** Echoed names in error texts (Redis prints them with %s). */
export const shown = (b: Uint8Array): string => new TextDecoder().decode(b);
