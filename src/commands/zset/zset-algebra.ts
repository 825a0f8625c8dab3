// ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD (t_zset.c zunionInterDiffGenericCommand):
// sets are inputs with score 1, WEIGHTS multiply, AGGREGATE SUM|MIN|MAX combine (a NaN from
// inf + -inf or 0 · inf counts as 0, as Redis). Inputs are read before the destination is written.
import { setForEach, setHas, setSize } from "../../engine/set/set-type.ts";
import { ValueType, type Status } from "../../engine/types.ts";
import { zsetCard, zsetReplace, zsetScore, zsetWalk } from "../../engine/zset/zset-type.ts";
import { compareBytes } from "../../engine/zset/zset-score.ts";
import { ERR_SYNTAX, ERR_WRONGTYPE } from "../../protocol/errors.ts";
import { bytesToLatin1, isKeyword, parseDouble, parseInt64 } from "../args.ts";
import { replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { notifyZsetStored, replyScored } from "./zset-lookup.ts";

type Op = "union" | "inter" | "diff";
type Aggregate = "sum" | "min" | "max";

interface Source {
  slot: number;
  type: ValueType;
  weight: number;
  size: number;
}

function sourceScore(c: Client, s: Source, member: Uint8Array): number | undefined {
  if (s.slot < 0) return undefined;
  if (s.type === ValueType.Set) return setHas(c.db, s.slot, member) ? 1 : undefined;
  return zsetScore(c.db, s.slot, member);
}

function sourceForEach(c: Client, s: Source, visit: (member: Uint8Array, score: number) => void): void {
  if (s.slot < 0) return;
  if (s.type === ValueType.Set) setForEach(c.db, s.slot, (m) => visit(m, 1));
  else zsetWalk(c.db, s.slot, 0, false, (m, score) => void visit(m, score));
}

function aggregate(a: number, b: number, how: Aggregate): number {
  if (how === "sum") {
    const x = a + b;
    return Number.isNaN(x) ? 0 : x;
  }
  return how === "min" ? (b < a ? b : a) : b > a ? b : a;
}

const weighted = (score: number, weight: number): number => {
  const x = score * weight;
  return Number.isNaN(x) ? 0 : x;
};

interface Result {
  members: Uint8Array[];
  scores: number[];
}

function compute(c: Client, op: Op, srcs: Source[], how: Aggregate, limit = 0): Result {
  const out = new Map<string, { m: Uint8Array; s: number }>();
  if (op === "inter") {
    const order = [...srcs].sort((a, b) => a.size - b.size);
    if (order[0]!.size === 0) return { members: [], scores: [] };
    const first = order[0]!;
    sourceForEach(c, first, (m, score) => {
      if (limit > 0 && out.size >= limit) return;
      let acc = weighted(score, first.weight);
      for (let j = 1; j < order.length; j++) {
        const o = order[j]!;
        const v = o.slot === first.slot ? score : sourceScore(c, o, m);
        if (v === undefined) return;
        acc = aggregate(acc, weighted(v, o.weight), how);
      }
      out.set(bytesToLatin1(m), { m: m.slice(), s: acc });
    });
  } else if (op === "union") {
    const order = [...srcs].sort((a, b) => a.size - b.size);
    for (const src of order) {
      sourceForEach(c, src, (m, score) => {
        const k = bytesToLatin1(m);
        const v = weighted(score, src.weight);
        const e = out.get(k);
        if (e === undefined) out.set(k, { m: m.slice(), s: v });
        else e.s = aggregate(e.s, v, how);
      });
    }
  } else {
    const first = srcs[0]!;
    const rest = srcs.slice(1).filter((s) => s.slot >= 0);
    sourceForEach(c, first, (m, score) => {
      for (const o of rest) if (sourceScore(c, o, m) !== undefined) return;
      out.set(bytesToLatin1(m), { m: m.slice(), s: score });
    });
  }
  const entries = [...out.values()].sort((a, b) => (a.s !== b.s ? (a.s < b.s ? -1 : 1) : compareBytes(a.m, b.m)));
  return { members: entries.map((e) => e.m), scores: entries.map((e) => e.s) };
}

function generic(c: Client, argv: Args, dst: Uint8Array | undefined, numkeysAt: number, op: Op, cardOnly: boolean): void {
  const name = bytesToLatin1(argv[0]!).toLowerCase();
  const setnum = parseInt64(argv[numkeysAt]!);
  if (Number.isNaN(setnum)) return c.reply.error("ERR value is not an integer or out of range");
  if (setnum < 1) return c.reply.error(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - (numkeysAt + 1)) return c.reply.error(ERR_SYNTAX);
  const srcs: Source[] = [];
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const slot = c.db.lookup(argv[j]!);
    if (slot < 0) {
      srcs.push({ slot, type: ValueType.ZSet, weight: 1, size: 0 });
      continue;
    }
    const type = c.db.typeOf(slot);
    if (type !== ValueType.ZSet && type !== ValueType.Set) return c.reply.error(ERR_WRONGTYPE);
    srcs.push({ slot, type, weight: 1, size: type === ValueType.Set ? setSize(c.db, slot) : zsetCard(c.db, slot) });
  }
  let how: Aggregate = "sum";
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const a = argv[j]!;
    if (op !== "diff" && !cardOnly && remaining >= setnum + 1 && isKeyword(a, "weights")) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(argv[j]!);
        if (Number.isNaN(w)) return c.reply.error("ERR weight value is not a float");
        srcs[i]!.weight = w;
      }
    } else if (op !== "diff" && !cardOnly && remaining >= 2 && isKeyword(a, "aggregate")) {
      const v = argv[j + 1]!;
      if (isKeyword(v, "sum")) how = "sum";
      else if (isKeyword(v, "min")) how = "min";
      else if (isKeyword(v, "max")) how = "max";
      else return c.reply.error(ERR_SYNTAX);
      j += 2;
    } else if (dst === undefined && !cardOnly && isKeyword(a, "withscores")) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isKeyword(a, "limit")) {
      const l = parseInt64(argv[j + 1]!);
      if (Number.isNaN(l) || l < 0) return c.reply.error("ERR LIMIT can't be negative");
      limit = l;
      j += 2;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const result = compute(c, op, srcs, how, limit);
  if (cardOnly) return c.reply.integer(result.members.length);
  if (dst === undefined) return replyScored(c, result.members, result.scores, withScores);
  const existed = c.db.peek(dst) >= 0;
  const n = zsetReplace(c.db, dst, result.members, result.scores);
  if (n < 0 && replyWriteFailure(c, -n as Status)) return;
  c.reply.integer(result.members.length);
  notifyZsetStored(c, name, dst, result.members.length, existed);
}

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
export const cmdZUnion = (c: Client, argv: Args): void => generic(c, argv, undefined, 1, "union", false);
// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
export const cmdZInter = (c: Client, argv: Args): void => generic(c, argv, undefined, 1, "inter", false);
// ZDIFF numkeys key [key ...] [WITHSCORES]
export const cmdZDiff = (c: Client, argv: Args): void => generic(c, argv, undefined, 1, "diff", false);
// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
export const cmdZUnionStore = (c: Client, argv: Args): void => generic(c, argv, argv[1]!, 2, "union", false);
// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
export const cmdZInterStore = (c: Client, argv: Args): void => generic(c, argv, argv[1]!, 2, "inter", false);
// ZDIFFSTORE destination numkeys key [key ...]
export const cmdZDiffStore = (c: Client, argv: Args): void => generic(c, argv, argv[1]!, 2, "diff", false);
// ZINTERCARD numkeys key [key ...] [LIMIT limit]
export const cmdZInterCard = (c: Client, argv: Args): void => generic(c, argv, undefined, 1, "inter", true);
