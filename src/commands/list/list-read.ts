// LLEN LRANGE LINDEX LPOS.
import { listElements, listIndex, listLength, listWriteRange } from "../../engine/list/list-type.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { intArgOrReply, isKeyword, parseBigInt64, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { bytesEqual, lookupListOrReply, WRONG_TYPE } from "./list-lookup.ts";

/** LLEN key */
export function cmdLLen(c: Client, argv: Args): void {
  const slot = lookupListOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : listLength(c.db, slot));
}

/** LRANGE key start stop */
export function cmdLRange(c: Client, argv: Args): void {
  let start = intArgOrReply(c, argv, 2);
  if (start === undefined) return;
  let stop = intArgOrReply(c, argv, 3);
  if (stop === undefined) return;
  const slot = lookupListOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) {
    c.reply.arrayHeader(0);
    return;
  }
  const n = listLength(c.db, slot);
  if (start < 0) start = Math.max(0, n + start);
  if (stop < 0) stop = n + stop;
  if (stop >= n) stop = n - 1;
  if (start > stop || start >= n) return c.reply.arrayHeader(0);
  c.reply.arrayHeader(stop - start + 1);
  listWriteRange(c.db, slot, start, stop, c.reply);
}

/** LINDEX key index */
export function cmdLIndex(c: Client, argv: Args): void {
  // The key first (nil / WRONGTYPE), then the index, as Redis 7.0.
  const slot = lookupListOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.nullBulk();
  const index = intArgOrReply(c, argv, 2);
  if (index === undefined) return;
  const v = listIndex(c.db, slot, index);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.bulk(v);
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
export function cmdLPos(c: Client, argv: Args): void {
  let rank = 1;
  // RANK -9223372036854775808: redis-server 7.0.15 negates it into itself (no range check until
  // 7.2), so it searches from the tail, every match qualifies, and COUNT never stops it.
  let minRank = false;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const more = i + 1 < argv.length;
    if (isKeyword(argv[i]!, "rank") && more) {
      const v = parseBigInt64(argv[++i]!);
      if (v === undefined) return c.reply.error(ERR_NOT_INTEGER);
      if (v === 0n) return c.reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      minRank = v === -9223372036854775808n;
      rank = minRank ? -1 : Number(v);
    } else if (isKeyword(argv[i]!, "count") && more) {
      const v = parseInt64(argv[++i]!);
      if (Number.isNaN(v)) return c.reply.error(ERR_NOT_INTEGER);
      if (v < 0) return c.reply.error("ERR COUNT can't be negative");
      count = v;
    } else if (isKeyword(argv[i]!, "maxlen") && more) {
      const v = parseInt64(argv[++i]!);
      if (Number.isNaN(v)) return c.reply.error(ERR_NOT_INTEGER);
      if (v < 0) return c.reply.error("ERR MAXLEN can't be negative");
      maxlen = v;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const slot = lookupListOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) {
    if (count >= 0) c.reply.arrayHeader(0);
    else c.reply.nullBulk();
    return;
  }
  const els = listElements(c.db, slot);
  const target = argv[2]!;
  const found: number[] = [];
  const want = count === 0 || (minRank && count > 0) ? Infinity : count < 0 ? 1 : count;
  let skip = Math.abs(rank) - 1;
  const n = els.length;
  for (let k = 0; k < n && found.length < want && (maxlen === 0 || k < maxlen); k++) {
    const i = rank > 0 ? k : n - 1 - k;
    if (!bytesEqual(els[i]!, target)) continue;
    if (skip > 0) skip--;
    else found.push(i);
  }
  if (count < 0) {
    if (found.length === 0) c.reply.nullBulk();
    else c.reply.integer(found[0]!);
    return;
  }
  c.reply.arrayHeader(found.length);
  for (const i of found) c.reply.integer(i);
}
