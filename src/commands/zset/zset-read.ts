// ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZSCAN ZRANDMEMBER: one key, read only.
import { globMatch } from "../../engine/glob.ts";
import { zsetAt, zsetCard, zsetRank, zsetScan, zsetScore, zsetWalk } from "../../engine/zset/zset-type.ts";
import { formatScore } from "../../engine/zset/zset-score.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { bigIntArgOrReply, INT64_MAX, isKeyword, parseInt64 } from "../args.ts";
import { cursorOrReply, replyEmptyScan } from "../key-ops.ts";
import type { Args, Client } from "../types.ts";
import { lookupZSetOrReply, replyScore, replyScored, WRONG_TYPE } from "./zset-lookup.ts";
import { countByLex, countByScore, ERR_LEX_RANGE, ERR_SCORE_RANGE, parseLexRange, parseScoreRange } from "./zset-range-query.ts";

// ZCARD key
export function cmdZCard(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : zsetCard(c.db, slot));
}

// ZSCORE key member
export function cmdZScore(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  const s = slot < 0 ? undefined : zsetScore(c.db, slot, argv[2]!);
  if (s === undefined) c.reply.nullBulk();
  else replyScore(c, s);
}

// ZMSCORE key member [member ...]
export function cmdZMScore(c: Client, argv: Args): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = slot < 0 ? undefined : zsetScore(c.db, slot, argv[i]!);
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  }
}

function rank(c: Client, argv: Args, reverse: boolean): void {
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  const r = slot < 0 ? -1 : zsetRank(c.db, slot, argv[2]!);
  if (r < 0) return c.reply.nullBulk();
  c.reply.integer(reverse ? zsetCard(c.db, slot) - 1 - r : r);
}

// ZRANK key member
export const cmdZRank = (c: Client, argv: Args): void => rank(c, argv, false);
// ZREVRANK key member
export const cmdZRevRank = (c: Client, argv: Args): void => rank(c, argv, true);

// ZCOUNT key min max
export function cmdZCount(c: Client, argv: Args): void {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  if (range === undefined) return c.reply.error(ERR_SCORE_RANGE);
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : countByScore(c.db, slot, range));
}

// ZLEXCOUNT key min max
export function cmdZLexCount(c: Client, argv: Args): void {
  const range = parseLexRange(argv[2]!, argv[3]!);
  if (range === undefined) return c.reply.error(ERR_LEX_RANGE);
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  c.reply.integer(slot < 0 ? 0 : countByLex(c.db, slot, range));
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
export function cmdZScan(c: Client, argv: Args): void {
  const cursor = cursorOrReply(c, argv[2]!);
  if (cursor < 0) return;
  // As Redis 7.0 (and SSCAN here): the key is looked up before the options are parsed.
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return replyEmptyScan(c);
  let count = 10;
  let pattern: Uint8Array | undefined;
  for (let i = 3; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(argv[i]!, "count")) {
      const n = parseInt64(argv[i + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 1) return c.reply.error(ERR_SYNTAX);
      count = n;
    } else if (hasValue && isKeyword(argv[i]!, "match")) {
      const p = argv[i + 1]!;
      pattern = p.length === 1 && p[0] === 42 ? undefined : p;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const found: Uint8Array[] = [];
  const scores: number[] = [];
  const next = zsetScan(c.db, slot, cursor, count, (m, s) => {
    if (pattern !== undefined && !globMatch(pattern, m)) return;
    found.push(m.slice());
    scores.push(s);
  });
  c.reply.arrayHeader(2);
  c.reply.bulkString(String(next));
  c.reply.arrayHeader(found.length * 2);
  for (let i = 0; i < found.length; i++) {
    c.reply.bulk(found[i]!);
    c.reply.bulkString(formatScore(scores[i]!));
  }
}

// ZRANDMEMBER key [count [WITHSCORES]]
export function cmdZRandMember(c: Client, argv: Args): void {
  if (argv.length === 2) {
    const slot = lookupZSetOrReply(c, argv[1]!, true);
    if (slot === WRONG_TYPE) return;
    if (slot < 0) return c.reply.nullBulk();
    return c.reply.bulk(zsetAt(c.db, slot, Math.floor(Math.random() * zsetCard(c.db, slot))).member);
  }
  const big = bigIntArgOrReply(c, argv, 2);
  if (big === undefined) return;
  if (big < -INT64_MAX) return c.reply.error(`ERR value is out of range, value must between -${INT64_MAX} and ${INT64_MAX}`);
  const count = Number(big);
  let withScores = false;
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3]!, "withscores"))) return c.reply.error(ERR_SYNTAX);
  if (argv.length === 4) {
    withScores = true;
    if (big < -INT64_MAX / 2n || big > INT64_MAX / 2n) return c.reply.error("ERR value is out of range");
  }
  const slot = lookupZSetOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  if (slot < 0 || count === 0) return c.reply.arrayHeader(0);
  const size = zsetCard(c.db, slot);
  const members: Uint8Array[] = [];
  const scores: number[] = [];
  if (count < 0 || count === 1) {
    // Repeats allowed (or a single pick).
    const n = Math.abs(count);
    for (let i = 0; i < n; i++) {
      const e = zsetAt(c.db, slot, Math.floor(Math.random() * size));
      members.push(e.member);
      scores.push(e.score);
    }
  } else if (count >= size) {
    // The whole set, highest first (Redis's case 2 walks its iterator from the tail).
    zsetWalk(c.db, slot, size - 1, true, (m, s) => {
      members.push(m);
      scores.push(s);
    });
  } else {
    // Distinct picks: a partial Fisher-Yates over ranks, replied in pick order.
    const ranks = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const rj = ranks.get(j) ?? j;
      ranks.set(j, ranks.get(i) ?? i);
      const e = zsetAt(c.db, slot, rj);
      members.push(e.member);
      scores.push(e.score);
    }
  }
  replyScored(c, members, scores, withScores);
}
