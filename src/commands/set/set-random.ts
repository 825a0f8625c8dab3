// SPOP SRANDMEMBER SMOVE: random members and moving one member between sets.
import { setAdd, setHas, setPop, setRandomDistinct, setRandomWithRepeats, setRemove, setSize } from "../../engine/set/set-type.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { parseInt64 } from "../args.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Status } from "../../engine/types.ts";
import type { Args, Client } from "../types.ts";
import { lookupSetOrReply, replyMembers, WRONG_TYPE } from "./set-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";

// SPOP key [count]
export function cmdSPop(c: Client, argv: Args): void {
  if (argv.length > 3) return c.reply.error(ERR_SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    count = parseInt64(argv[2]!);
    if (Number.isNaN(count)) return c.reply.error(ERR_NOT_POSITIVE);
    if (count < 0) return c.reply.error(ERR_NOT_POSITIVE);
  }
  const slot = lookupSetOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (count < 0) {
    if (slot < 0) return c.reply.nullBulk();
    c.reply.bulk(setPop(c.db, argv[1]!, slot, 1)[0]!);
    notify(c, NC.SET, "spop", argv[1]!);
    if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
    return;
  }
  if (slot < 0 || count === 0) return c.reply.setHeader(0);
  // As Redis: taking the whole set is a del, taking part of it one spop.
  const whole = count >= setSize(c.db, slot);
  replyMembers(c, setPop(c.db, argv[1]!, slot, count));
  if (!whole) notify(c, NC.SET, "spop", argv[1]!);
  if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
}

// SRANDMEMBER key [count]
export function cmdSRandMember(c: Client, argv: Args): void {
  if (argv.length > 3) return c.reply.error(ERR_SYNTAX);
  let count = 0;
  const withCount = argv.length === 3;
  if (withCount) {
    count = parseInt64(argv[2]!);
    if (Number.isNaN(count)) return c.reply.error(ERR_NOT_INTEGER);
    if (count < -Number.MAX_SAFE_INTEGER) return c.reply.error("ERR value is out of range");
  }
  const slot = lookupSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (!withCount) {
    if (slot < 0) return c.reply.nullBulk();
    return c.reply.bulk(setRandomDistinct(c.db, slot, 1)[0]!);
  }
  if (slot < 0 || count === 0) return c.reply.arrayHeader(0);
  const members = count > 0 ? setRandomDistinct(c.db, slot, count) : setRandomWithRepeats(c.db, slot, -count);
  c.reply.arrayHeader(members.length);
  for (const m of members) c.reply.bulk(m);
}

// SMOVE source destination member
export function cmdSMove(c: Client, argv: Args): void {
  const src = argv[1]!;
  const dst = argv[2]!;
  const member = argv[3]!;
  const from = lookupSetOrReply(c, src, false);
  if (from === WRONG_TYPE) return;
  // As Redis 7.0: a missing source answers 0 before the destination's type is checked.
  if (from < 0) return c.reply.integer(0);
  const to = lookupSetOrReply(c, dst, false);
  if (to === WRONG_TYPE) return;
  if (from === to) return c.reply.integer(setHas(c.db, from, member) ? 1 : 0);
  if (setRemove(c.db, src, from, [member]) === 0) return c.reply.integer(0);
  notify(c, NC.SET, "srem", src);
  if (c.db.peek(src) < 0) notify(c, NC.GENERIC, "del", src);
  const n = setAdd(c.db, dst, c.db.peek(dst), [member]);
  if (n < 0 && replyWriteFailure(c, -n as Status)) return;
  c.reply.integer(1);
  if (n > 0) notify(c, NC.SET, "sadd", dst);
}

