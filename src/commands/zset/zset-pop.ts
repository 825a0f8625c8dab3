// ZPOPMIN ZPOPMAX ZMPOP (t_zset.c genericZpopCommand) and ZREMRANGEBYRANK / BYSCORE / BYLEX.
// Pops record the members they removed (a Remove Delta), so replay is exact.
import { zsetCard, zsetRemove, zsetWalk } from "../../engine/zset/zset-type.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { ERR_NOT_POSITIVE, intRangeArgOrReply, isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { lookupZSetOrReply, notifyZsetRemoved, replyScore, WRONG_TYPE } from "./zset-lookup.ts";
import {
  collectByLex, collectByRank, collectByScore, collectedMembers, ERR_LEX_RANGE, ERR_SCORE_RANGE, parseLexRange, parseScoreRange, type Collected,
} from "./zset-range-query.ts";

const LONG_MAX = 9223372036854775807;

/** Popped members (copies) and their scores. */
export interface Popped {
  members: Uint8Array[];
  scores: number[];
}

/** Removes and returns up to `count` members from the low end (or the high end when `max`). */
export function zsetPopEnds(c: Client, key: Uint8Array, slot: number, count: number, max: boolean): Popped {
  const out: Popped = { members: [], scores: [] };
  const len = zsetCard(c.db, slot);
  let left = Math.min(count, len);
  if (left <= 0) return out;
  zsetWalk(c.db, slot, max ? len - 1 : 0, max, (m, s) => {
    out.members.push(m.slice());
    out.scores.push(s);
    return --left > 0;
  });
  zsetRemove(c.db, key, slot, out.members);
  notifyZsetRemoved(c, max ? "zpopmax" : "zpopmin", key);
  return out;
}

export function replyPopped(c: Client, got: Popped, nested: boolean): void {
  const n = got.members.length;
  c.reply.arrayHeader(nested ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulk(got.members[i]!);
    replyScore(c, got.scores[i]!);
  }
}

function popMinMax(c: Client, argv: Args, max: boolean): void {
  if (argv.length > 3) return c.reply.error(ERR_SYNTAX);
  let count = 1;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    if (Number.isNaN(n) || n < 0) return c.reply.error(ERR_NOT_POSITIVE);
    count = n;
  }
  const slot = lookupZSetOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0 || count === 0) return c.reply.arrayHeader(0);
  // RESP3 nests [member, score] pairs when a count was given.
  replyPopped(c, zsetPopEnds(c, argv[1]!, slot, count, max), c.reply.resp === 3 && argv.length === 3);
}

// ZPOPMIN key [count]
export const cmdZPopMin = (c: Client, argv: Args): void => popMinMax(c, argv, false);
// ZPOPMAX key [count]
export const cmdZPopMax = (c: Client, argv: Args): void => popMinMax(c, argv, true);

/** ZMPOP / BZMPOP arguments from `argv[at]` (numkeys) on: keys, MIN|MAX, COUNT. */
export interface ZMPopArgs {
  keys: Uint8Array[];
  max: boolean;
  count: number;
}

/** Parses `numkeys key [key ...] MIN|MAX [COUNT count]` at `argv[at]`; undefined after replying the error. */
export function parseZMPopOrReply(c: Client, argv: Args, at: number): ZMPopArgs | undefined {
  const numkeys = intRangeArgOrReply(c, argv, at, 1, LONG_MAX, "ERR numkeys should be greater than 0");
  if (numkeys === undefined) return undefined;
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) return void c.reply.error(ERR_SYNTAX);
  let max: boolean;
  if (isKeyword(argv[whereAt]!, "min")) max = false;
  else if (isKeyword(argv[whereAt]!, "max")) max = true;
  else return void c.reply.error(ERR_SYNTAX);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j]!, "count") && j + 1 < argv.length) {
      j++;
      const n = intRangeArgOrReply(c, argv, j, 1, LONG_MAX, "ERR count should be greater than 0");
      if (n === undefined) return undefined;
      count = n;
    } else return void c.reply.error(ERR_SYNTAX);
  }
  return { keys: argv.slice(at + 1, whereAt), max, count: count === -1 ? 1 : count };
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
export function cmdZMPop(c: Client, argv: Args): void {
  const a = parseZMPopOrReply(c, argv, 1);
  if (a === undefined) return;
  const { max, count } = a;
  const whereAt = 2 + a.keys.length;
  for (let i = 2; i < whereAt; i++) {
    const slot = lookupZSetOrReply(c, argv[i]!, false);
    if (slot === WRONG_TYPE) return;
    if (slot < 0) continue;
    const got = zsetPopEnds(c, argv[i]!, slot, count, max);
    c.reply.arrayHeader(2);
    c.reply.bulk(argv[i]!);
    replyPopped(c, got, true);
    return;
  }
  c.reply.nullArray();
}

function removeCollected(c: Client, key: Uint8Array, event: string, collect: (slot: number) => Collected): void {
  const slot = lookupZSetOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const members = collectedMembers(collect(slot));
  const n = members.length === 0 ? 0 : zsetRemove(c.db, key, slot, members);
  c.reply.integer(n);
  if (n > 0) notifyZsetRemoved(c, event, key);
}

// ZREMRANGEBYRANK key start stop
export function cmdZRemRangeByRank(c: Client, argv: Args): void {
  const start = parseInt64(argv[2]!);
  const end = parseInt64(argv[3]!);
  if (Number.isNaN(start) || Number.isNaN(end)) return c.reply.error(ERR_NOT_INTEGER);
  removeCollected(c, argv[1]!, "zremrangebyrank", (slot) => collectByRank(c.db, slot, start, end, false));
}

// ZREMRANGEBYSCORE key min max
export function cmdZRemRangeByScore(c: Client, argv: Args): void {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  if (range === undefined) return c.reply.error(ERR_SCORE_RANGE);
  removeCollected(c, argv[1]!, "zremrangebyscore", (slot) => collectByScore(c.db, slot, range, false, 0, -1));
}

// ZREMRANGEBYLEX key min max
export function cmdZRemRangeByLex(c: Client, argv: Args): void {
  const range = parseLexRange(argv[2]!, argv[3]!);
  if (range === undefined) return c.reply.error(ERR_LEX_RANGE);
  removeCollected(c, argv[1]!, "zremrangebylex", (slot) => collectByLex(c.db, slot, range, false, 0, -1));
}
