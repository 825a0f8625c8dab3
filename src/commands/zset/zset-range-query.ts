// The three kinds of zset range (by rank, by score, by lex) as t_zset.c reads them, and the walks
// that collect a range through the zset type API (views valid until the next write).
import { zsetCard, zsetCountBefore, zsetCountBeforeScore, zsetWalkRefs } from "../../engine/zset/zset-type.ts";
import {
  aboveMin, belowMax, lexAboveMin, lexBelowMax, parseLexBound, parseScoreBound, type LexBound, type ScoreBound,
} from "../../engine/zset/zset-score.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import { bytesToLatin1, parseInt64 } from "../args.ts";

export const ERR_SCORE_RANGE = "ERR min or max is not a float";
export const ERR_LEX_RANGE = "ERR min or max not valid string range item";

export interface ScoreRange {
  min: ScoreBound;
  max: ScoreBound;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** A bound that is a plain integer (optionally after `(`) read without text, else as strtod would. */
function scoreBoundOf(b: Uint8Array): ScoreBound | undefined {
  const exclusive = b[0] === 0x28;
  const off = exclusive ? 1 : 0;
  if (b.length - off > 0 && b.length - off <= 15) {
    const v = parseInt64(b, off);
    if (!Number.isNaN(v)) return { value: v, exclusive };
  }
  return parseScoreBound(bytesToLatin1(b));
}

export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange | undefined {
  const lo = scoreBoundOf(min);
  const hi = scoreBoundOf(max);
  return lo === undefined || hi === undefined ? undefined : { min: lo, max: hi };
}

export function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange | undefined {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  return lo === undefined || hi === undefined ? undefined : { min: lo, max: hi };
}

/**
 * A collected range in reply order: each member as bytes [offs[i], offs[i] + lens[i]) of srcs[i]
 * (the key's record or the member table's pages: valid until the next write; no view made per
 * member), and its score.
 */
export interface Collected {
  srcs: Uint8Array[];
  offs: number[];
  lens: number[];
  scores: number[];
}

const collected = (): Collected => ({ srcs: [], offs: [], lens: [], scores: [] });

function push(out: Collected, src: Uint8Array, off: number, len: number, score: number): void {
  out.srcs.push(src);
  out.offs.push(off);
  out.lens.push(len);
  out.scores.push(score);
}

/** The collected members as copies (to write or remove them). */
export function collectedMembers(got: Collected): Uint8Array[] {
  return got.srcs.map((src, i) => src.slice(got.offs[i]!, got.offs[i]! + got.lens[i]!));
}

/** Ranks [start, end] after Redis's clamping of negative and out-of-range indexes; undefined when empty. */
export function clampRanks(len: number, start: number, end: number): [number, number] | undefined {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return undefined;
  if (end >= len) end = len - 1;
  return [start, end];
}

export function collectByRank(ks: Keyspace, slot: number, start: number, end: number, reverse: boolean): Collected {
  const out = collected();
  const len = zsetCard(ks, slot);
  const r = clampRanks(len, start, end);
  if (r === undefined) return out;
  let left = r[1] - r[0] + 1;
  zsetWalkRefs(ks, slot, reverse ? len - 1 - r[0] : r[0], reverse, (src, off, n, s) => {
    push(out, src, off, n, s);
    return --left > 0;
  });
  return out;
}

/** Members in the score range, after skipping `offset` of them, at most `limit` (negative: all). */
export function collectByScore(ks: Keyspace, slot: number, range: ScoreRange, reverse: boolean, offset: number, limit: number): Collected {
  const out = collected();
  if (offset < 0 || limit === 0) return out;
  const { min, max } = range;
  const from = reverse
    ? zsetCountBeforeScore(ks, slot, (s) => belowMax(s, max)) - 1 - offset
    : zsetCountBeforeScore(ks, slot, (s) => !aboveMin(s, min)) + offset;
  let left = limit;
  zsetWalkRefs(ks, slot, from, reverse, (src, off, n, s) => {
    if (reverse ? !aboveMin(s, min) : !belowMax(s, max)) return false;
    push(out, src, off, n, s);
    return --left !== 0;
  });
  return out;
}

/** Members in the lex range (meant for equal scores), after `offset`, at most `limit`. */
export function collectByLex(ks: Keyspace, slot: number, range: LexRange, reverse: boolean, offset: number, limit: number): Collected {
  const out = collected();
  if (offset < 0 || limit === 0) return out;
  const { min, max } = range;
  const from = reverse
    ? zsetCountBefore(ks, slot, (m) => lexBelowMax(m, max)) - 1 - offset
    : zsetCountBefore(ks, slot, (m) => !lexAboveMin(m, min)) + offset;
  let left = limit;
  zsetWalkRefs(ks, slot, from, reverse, (src, off, n, s) => {
    const m = src.subarray(off, off + n);
    if (reverse ? !lexAboveMin(m, min) : !lexBelowMax(m, max)) return false;
    push(out, src, off, n, s);
    return --left !== 0;
  });
  return out;
}

/** Members in a score range (ZCOUNT). */
export function countByScore(ks: Keyspace, slot: number, range: ScoreRange): number {
  const lo = zsetCountBeforeScore(ks, slot, (s) => !aboveMin(s, range.min));
  const hi = zsetCountBeforeScore(ks, slot, (s) => belowMax(s, range.max));
  return Math.max(0, hi - lo);
}

/** Members in a lex range (ZLEXCOUNT). */
export function countByLex(ks: Keyspace, slot: number, range: LexRange): number {
  const lo = zsetCountBefore(ks, slot, (m) => !lexAboveMin(m, range.min));
  const hi = zsetCountBefore(ks, slot, (m) => lexBelowMax(m, range.max));
  return Math.max(0, hi - lo);
}
