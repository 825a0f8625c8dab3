// XRANGE XREVRANGE XLEN (t_stream.c: xrangeGenericCommand, xlenCommand).

import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { intervalIdOrReply, lookupStreamOrReply, replyRange, streamAt, WRONG_TYPE } from "./stream-args.ts";

function rangeGeneric(c: Client, argv: Args, rev: boolean): void {
  const start = intervalIdOrReply(c, argv[rev ? 3 : 2]!, true);
  if (start === undefined) return;
  const end = intervalIdOrReply(c, argv[rev ? 2 : 3]!, false);
  if (end === undefined) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isKeyword(argv[j]!, "count") && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      count = n < 0 ? 0 : n;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const slot = lookupStreamOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.arrayHeader(0);
  if (count === 0) return c.reply.nullArray();
  replyRange(c, slot, start, end, rev, count === -1 ? 0 : count);
}

// XRANGE key start end [COUNT count]
export const cmdXRange = (c: Client, argv: Args): void => rangeGeneric(c, argv, false);
// XREVRANGE key end start [COUNT count]
export const cmdXRevRange = (c: Client, argv: Args): void => rangeGeneric(c, argv, true);

// XLEN key
export function cmdXLen(c: Client, argv: Args): void {
  const slot = lookupStreamOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : streamAt(c, slot).length);
}
