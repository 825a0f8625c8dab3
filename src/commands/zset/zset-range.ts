// ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES), ZRANGESTORE and the older ZREVRANGE,
// Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX: one parser and one walk, as t_zset.c's
// zrangeGenericCommand (same option rules, same order of checks, same errors).
import { zsetReplace } from "../../engine/zset/zset-type.ts";
import type { Status } from "../../engine/types.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { lookupZSetOrReply, notifyZsetStored, replyCollected, WRONG_TYPE } from "./zset-lookup.ts";
import {
  collectByLex, collectByRank, collectByScore, collectedMembers, ERR_LEX_RANGE, ERR_SCORE_RANGE, parseLexRange, parseScoreRange, type Collected,
} from "./zset-range-query.ts";

type RangeKind = "rank" | "score" | "lex";

interface RangeCall {
  /** Index of the source key (1, or 2 for ZRANGESTORE). */
  src: number;
  /** The destination key (ZRANGESTORE). */
  dst?: Uint8Array;
  /** Fixed by the command name (ZRANGEBYSCORE...); undefined lets BYSCORE/BYLEX choose. */
  kind?: RangeKind;
  /** Fixed by the command name (ZREV...); undefined lets REV choose. */
  reverse?: boolean;
}

function zrangeGeneric(c: Client, argv: Args, call: RangeCall): void {
  const store = call.dst !== undefined;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let limited = false;
  let kind = call.kind;
  let reverse = call.reverse;
  for (let j = call.src + 3; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && isKeyword(a, "withscores")) withScores = true;
    else if (isKeyword(a, "limit") && left >= 2) {
      const o = parseInt64(argv[j + 1]!);
      if (Number.isNaN(o)) return c.reply.error(ERR_NOT_INTEGER);
      const l = parseInt64(argv[j + 2]!);
      if (Number.isNaN(l)) return c.reply.error(ERR_NOT_INTEGER);
      offset = o;
      limit = l;
      limited = true;
      j += 2;
    } else if (reverse === undefined && isKeyword(a, "rev")) reverse = true;
    else if (kind === undefined && isKeyword(a, "bylex")) kind = "lex";
    else if (kind === undefined && isKeyword(a, "byscore")) kind = "score";
    else return c.reply.error(ERR_SYNTAX);
  }
  reverse ??= false;
  kind ??= "rank";
  if (limited && kind === "rank") return c.reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withScores && kind === "lex") return c.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  // Score and lex ranges of a reverse walk are given as max, min.
  const swap = reverse && kind !== "rank";
  const lo = argv[call.src + (swap ? 2 : 1)]!;
  const hi = argv[call.src + (swap ? 1 : 2)]!;
  let collect: (slot: number) => Collected;
  if (kind === "rank") {
    const start = parseInt64(lo);
    const end = parseInt64(hi);
    if (Number.isNaN(start) || Number.isNaN(end)) return c.reply.error(ERR_NOT_INTEGER);
    collect = (slot) => collectByRank(c.db, slot, start, end, reverse);
  } else if (kind === "score") {
    const range = parseScoreRange(lo, hi);
    if (range === undefined) return c.reply.error(ERR_SCORE_RANGE);
    collect = (slot) => collectByScore(c.db, slot, range, reverse, offset, limit);
  } else {
    const range = parseLexRange(lo, hi);
    if (range === undefined) return c.reply.error(ERR_LEX_RANGE);
    collect = (slot) => collectByLex(c.db, slot, range, reverse, offset, limit);
  }
  const slot = lookupZSetOrReply(c, argv[call.src]!, true);
  if (slot === WRONG_TYPE) return;
  const got = slot < 0 ? { srcs: [], offs: [], lens: [], scores: [] } : collect(slot);
  if (!store) return replyCollected(c, got, withScores);
  const members = collectedMembers(got);
  const existed = c.db.peek(call.dst!) >= 0;
  const n = zsetReplace(c.db, call.dst!, members, got.scores, kind === "rank" ? "sized" : "added");
  if (n < 0 && replyWriteFailure(c, -n as Status)) return;
  c.reply.integer(members.length);
  notifyZsetStored(c, "zrangestore", call.dst!, members.length, existed);
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
export const cmdZRange = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1 });
// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
export const cmdZRangeStore = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 2, dst: argv[1]! });
// ZREVRANGE key start stop [WITHSCORES]
export const cmdZRevRange = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1, kind: "rank", reverse: true });
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
export const cmdZRangeByScore = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1, kind: "score", reverse: false });
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
export const cmdZRevRangeByScore = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1, kind: "score", reverse: true });
// ZRANGEBYLEX key min max [LIMIT offset count]
export const cmdZRangeByLex = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1, kind: "lex", reverse: false });
// ZREVRANGEBYLEX key max min [LIMIT offset count]
export const cmdZRevRangeByLex = (c: Client, argv: Args): void => zrangeGeneric(c, argv, { src: 1, kind: "lex", reverse: true });
