// APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE: byte ranges of string values (t_string.c).
// APPEND and SETRANGE keep the TTL and refuse results over proto-max-bulk-len.

import { SetFlag, ValueType } from "../engine/types.ts";
import { ERR_NOT_INTEGER } from "../protocol/errors.ts";
import { parseInt64 } from "./args.ts";
import { ERR_STRING_TOO_LONG, WRONG_TYPE, lookupStringOrReply, protoMaxBulkLen, replyWriteFailure } from "./string-value.ts";
import type { Args, Client } from "./types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "./notify.ts";

export const ERR_OFFSET_RANGE = "ERR offset is out of range";

const EMPTY = new Uint8Array(0);

// APPEND key value
export function cmdAppend(c: Client, argv: Args): void {
  const db = c.db;
  const key = argv[1]!;
  const add = argv[2]!;
  const slot = lookupStringOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) {
    const status = db.set(key, add, 0, 0, ValueType.String);
    if (replyWriteFailure(c, status)) return;
    c.reply.integer(add.length);
    notify(c, NC.STRING, "append", key);
    return;
  }
  const oldLen = db.valueLength(slot);
  const total = oldLen + add.length;
  if (total > protoMaxBulkLen(c)) return c.reply.error(ERR_STRING_TOO_LONG);
  const next = new Uint8Array(total);
  const page = db.valuePage(slot);
  const off = db.valueOffset(slot);
  next.set(page.subarray(off, off + oldLen), 0);
  next.set(add, oldLen);
  const status = db.set(key, next, 0, SetFlag.KEEPTTL, ValueType.String);
  if (replyWriteFailure(c, status)) return;
  c.reply.integer(total);
  notify(c, NC.STRING, "append", key);
}

// STRLEN key
export function cmdStrLen(c: Client, argv: Args): void {
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : c.db.valueLength(slot));
}

// GETRANGE key start end   (and SUBSTR key start end)
export function cmdGetRange(c: Client, argv: Args): void {
  let start = parseInt64(argv[2]!);
  if (Number.isNaN(start)) return c.reply.error(ERR_NOT_INTEGER);
  let end = parseInt64(argv[3]!);
  if (Number.isNaN(end)) return c.reply.error(ERR_NOT_INTEGER);
  const db = c.db;
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.bulk(EMPTY);
  const len = db.valueLength(slot);
  // Redis 7.0's rules, including its clamping of negative indexes.
  if (start < 0 && end < 0 && start > end) return c.reply.bulk(EMPTY);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulk(EMPTY);
  c.reply.bulkFrom(db.valuePage(slot), db.valueOffset(slot) + start, end - start + 1);
}

// SETRANGE key offset value
export function cmdSetRange(c: Client, argv: Args): void {
  const offset = parseInt64(argv[2]!);
  if (Number.isNaN(offset)) return c.reply.error(ERR_NOT_INTEGER);
  if (offset < 0) return c.reply.error(ERR_OFFSET_RANGE);
  const db = c.db;
  const key = argv[1]!;
  const value = argv[3]!;
  const slot = lookupStringOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  const oldLen = slot < 0 ? 0 : db.valueLength(slot);
  // Setting nothing changes nothing (and creates nothing).
  if (value.length === 0) return c.reply.integer(oldLen);
  const end = offset + value.length;
  if (end > protoMaxBulkLen(c)) return c.reply.error(ERR_STRING_TOO_LONG);
  const next = new Uint8Array(Math.max(oldLen, end));
  if (slot >= 0) {
    const page = db.valuePage(slot);
    const off = db.valueOffset(slot);
    next.set(page.subarray(off, off + oldLen), 0);
  }
  next.set(value, offset);
  const status = db.set(key, next, 0, slot < 0 ? 0 : SetFlag.KEEPTTL, ValueType.String);
  if (replyWriteFailure(c, status)) return;
  c.reply.integer(next.length);
  notify(c, NC.STRING, "setrange", key);
}
