// SETBIT GETBIT BITCOUNT BITPOS (bitops.c). Bitmaps are string values; the bit work is in
// src/engine/bits/. Argument checks run in Redis 7.0's order: BITCOUNT and BITPOS look the key
// up before they parse their range, so a missing key answers 0 / -1 whatever follows.
import { countBits, findBit } from "../../engine/bits/bit-range.ts";
import { getBit, setBit, stringView } from "../../engine/bits/bitmap-type.ts";
import type { Status } from "../../engine/types.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { intArgOrReply, isKeyword } from "../args.ts";
import { WRONG_TYPE, lookupStringOrReply, replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { ERR_BIT_VALUE, bitOffsetOrReply } from "./bit-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

// SETBIT key offset value
export function cmdSetBit(c: Client, argv: Args): void {
  const offset = bitOffsetOrReply(c, argv[2]!);
  if (offset < 0) return;
  const on = intArgOrReply(c, argv, 3, ERR_BIT_VALUE);
  if (on === undefined) return;
  if (on !== 0 && on !== 1) return c.reply.error(ERR_BIT_VALUE);
  const slot = lookupStringOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  const before = slot < 0 ? -1 : c.db.valueLength(slot);
  const old = setBit(c.db, argv[1]!, slot, offset, on);
  if (old < 0) return void replyWriteFailure(c, -old as Status);
  c.reply.integer(old);
  // As 7.0: only a created or grown string, or a bit that changed, is an event.
  if (old !== on || before * 8 <= offset) notify(c, NC.STRING, "setbit", argv[1]!);
}

// GETBIT key offset
export function cmdGetBit(c: Client, argv: Args): void {
  const offset = bitOffsetOrReply(c, argv[2]!);
  if (offset < 0) return;
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : getBit(c.db, slot, offset));
}

/** BYTE / BIT at argv[i]: true for BIT, undefined after the syntax error. */
function unitOrReply(c: Client, arg: Uint8Array): boolean | undefined {
  if (isKeyword(arg, "bit")) return true;
  if (isKeyword(arg, "byte")) return false;
  c.reply.error(ERR_SYNTAX);
  return undefined;
}

// BITCOUNT key [start end [BYTE | BIT]]
export function cmdBitCount(c: Client, argv: Args): void {
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const argc = argv.length;
  const v = stringView(c.db, slot);
  if (argc === 2) return c.reply.integer(countBits(v, v.length));
  if (argc !== 4 && argc !== 5) return c.reply.error(ERR_SYNTAX);
  const start = intArgOrReply(c, argv, 2);
  if (start === undefined) return;
  const end = intArgOrReply(c, argv, 3);
  if (end === undefined) return;
  // Redis answers 0 for this case before it reads the unit.
  if (start < 0 && end < 0 && start > end) return c.reply.integer(0);
  let isBit = false;
  if (argc === 5) {
    const unit = unitOrReply(c, argv[4]!);
    if (unit === undefined) return;
    isBit = unit;
  }
  c.reply.integer(countBits(v, v.length, start, end, isBit));
}

// BITPOS key bit [start [end [BYTE | BIT]]]
export function cmdBitPos(c: Client, argv: Args): void {
  const bit = intArgOrReply(c, argv, 2);
  if (bit === undefined) return;
  if (bit !== 0 && bit !== 1) return c.reply.error("ERR The bit argument must be 1 or 0.");
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(bit === 1 ? -1 : 0);
  const argc = argv.length;
  const v = stringView(c.db, slot);
  if (argc === 3) return c.reply.integer(findBit(v, v.length, bit));
  if (argc > 6) return c.reply.error(ERR_SYNTAX);
  const start = intArgOrReply(c, argv, 3);
  if (start === undefined) return;
  let isBit = false;
  if (argc === 6) {
    const unit = unitOrReply(c, argv[5]!);
    if (unit === undefined) return;
    isBit = unit;
  }
  let end: number | undefined;
  if (argc >= 5) {
    end = intArgOrReply(c, argv, 4);
    if (end === undefined) return;
  }
  c.reply.integer(findBit(v, v.length, bit, start, end, isBit));
}
