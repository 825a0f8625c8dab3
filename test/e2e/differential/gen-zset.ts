// Random sorted set commands for the differential run (run.test.ts). Keys: the shared ones (so
// types collide), the family's own (z1..z3, where OBJECT ENCODING is asked: COPY/RENAME of the
// keys family rebuild a value, and a skiplist small enough for a listpack comes back as one —
// Redis keeps the skiplist), a BIG one that passes zset-max-listpack-entries (128), and LEX whose
// scores are all 0 (lex ranges are only defined then; with mixed scores Redis's skiplist walk and
// its listpack walk already disagree). Only deterministic replies: ZRANDMEMBER with a count above
// any size (the whole set), ZSCAN of errors only.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const OWN = ["z1", "z2", "z3"] as const;
const BIG = "zbig";
const LEX = "zlex";

function key(rng: Rng): string {
  const r = rng.int(10);
  return r < 1 ? BIG : r < 6 ? rng.pick(OWN) : rng.pick(SHARED_KEYS);
}

function member(rng: Rng): string {
  switch (rng.int(8)) {
    case 0:
      return "x".repeat(60 + rng.int(10));
    case 1:
      return String(rng.int(20));
    default:
      return `m${rng.int(40)}`;
  }
}

function score(rng: Rng): string {
  switch (rng.int(10)) {
    case 0:
      return rng.pick(["inf", "-inf", "+inf", "1e3", "0.1", "1.1", "-0", "3.0", "1e-5", "123456789.123"]);
    case 1:
      return (rng.int(200) / 8 - 5).toString();
    default:
      return String(rng.int(30) - 5);
  }
}

function bound(rng: Rng): string {
  const b = rng.pick(["-inf", "+inf", "inf", String(rng.int(30) - 5), `(${rng.int(30) - 5}`, `${rng.int(60) / 4}`, `(${rng.int(60) / 4}`]);
  return rng.chance(0.03) ? rng.pick(["x", "(", "nan", "((1"]) : b;
}

function lexBound(rng: Rng): string {
  const m = `m${rng.int(40)}`;
  return rng.chance(0.05) ? rng.pick(["x", "+a", ""]) : rng.pick(["-", "+", `[${m}`, `(${m}`]);
}

const pairs = (rng: Rng, n: number): string[] => Array.from({ length: n }, () => [score(rng), member(rng)]).flat();
const ints = (rng: Rng): string => String(rng.int(16) - 6);
const limit = (rng: Rng): string[] => (rng.chance(0.4) ? ["limit", String(rng.int(5) - (rng.chance(0.1) ? 1 : 0)), String(rng.int(6) - 1)] : []);
const ws = (rng: Rng): string[] => (rng.chance(0.5) ? ["withscores"] : []);

function zaddFlags(rng: Rng): string[] {
  const flags: string[] = [];
  if (rng.chance(0.2)) flags.push(rng.pick(["nx", "xx"]));
  if (rng.chance(0.2)) flags.push(rng.pick(["gt", "lt"]));
  if (rng.chance(0.2)) flags.push("ch");
  return flags;
}

function algebra(rng: Rng): string[] {
  const n = 1 + rng.int(3);
  const ks = Array.from({ length: n }, () => key(rng));
  const opts: string[] = [];
  const op = rng.pick(["zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard"]);
  const store = op.endsWith("store");
  if (op !== "zdiff" && op !== "zdiffstore" && op !== "zintercard") {
    if (rng.chance(0.4)) opts.push("weights", ...ks.map(() => rng.pick(["1", "2", "-1", "0.5", "0", "inf"])));
    if (rng.chance(0.4)) opts.push("aggregate", rng.pick(["sum", "min", "max"]));
  }
  if (op === "zintercard" && rng.chance(0.5)) opts.push("limit", String(rng.int(4)));
  if (!store && op !== "zintercard" && rng.chance(0.5)) opts.push("withscores");
  return store ? [op, key(rng), String(n), ...ks, ...opts] : [op, String(n), ...ks, ...opts];
}

export const zsetGenerator: FamilyGenerator = {
  name: "zset",
  next(rng: Rng): string[] {
    switch (rng.int(30)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return ["zadd", key(rng), ...zaddFlags(rng), ...pairs(rng, 1 + rng.int(4))];
      case 4:
        // Grow the big key past the listpack limit, in one go now and then.
        return ["zadd", BIG, ...pairs(rng, rng.chance(0.1) ? 150 : 5).map((x, i) => (i % 2 === 1 ? `${x}-${rng.int(400)}` : x))];
      case 5:
        return ["zadd", key(rng), "incr", ...zaddFlags(rng).filter((f) => f !== "ch"), score(rng), member(rng)];
      case 6:
        return ["zincrby", key(rng), score(rng), member(rng)];
      case 7:
        return ["zrem", key(rng), member(rng), member(rng)];
      case 8:
        return rng.pick([["zcard", key(rng)], ["zscore", key(rng), member(rng)], ["zmscore", key(rng), member(rng), member(rng)]]);
      case 9:
        return [rng.pick(["zrank", "zrevrank"]), key(rng), member(rng)];
      case 10:
        return ["zcount", key(rng), bound(rng), bound(rng)];
      case 11:
        return ["zrange", key(rng), ints(rng), ints(rng), ...(rng.chance(0.3) ? ["rev"] : []), ...ws(rng)];
      case 12:
        return ["zrange", key(rng), bound(rng), bound(rng), "byscore", ...(rng.chance(0.3) ? ["rev"] : []), ...limit(rng), ...ws(rng)];
      case 13:
        return [rng.pick(["zrangebyscore", "zrevrangebyscore"]), key(rng), bound(rng), bound(rng), ...ws(rng), ...limit(rng)];
      case 14:
        return ["zrevrange", key(rng), ints(rng), ints(rng), ...ws(rng)];
      case 15:
        return rng.chance(0.5)
          ? ["zrangestore", key(rng), key(rng), ints(rng), ints(rng)]
          : ["zrangestore", key(rng), key(rng), bound(rng), bound(rng), "byscore", ...limit(rng)];
      case 16:
        return rng.pick([["zremrangebyrank", key(rng), ints(rng), ints(rng)], ["zremrangebyscore", key(rng), bound(rng), bound(rng)]]);
      case 17:
        return [rng.pick(["zpopmin", "zpopmax"]), key(rng), ...(rng.chance(0.5) ? [String(rng.int(4))] : [])];
      case 18: {
        const ks = [key(rng), key(rng)].slice(0, 1 + rng.int(2));
        return ["zmpop", String(ks.length), ...ks, rng.pick(["min", "max"]), ...(rng.chance(0.5) ? ["count", String(1 + rng.int(3))] : [])];
      }
      case 19:
      case 20:
        return algebra(rng);
      case 21:
        return ["zadd", LEX, ...Array.from({ length: 1 + rng.int(4) }, () => ["0", `m${rng.int(40)}`]).flat()];
      case 22:
        return rng.pick([
          ["zrangebylex", LEX, lexBound(rng), lexBound(rng), ...limit(rng)],
          ["zrevrangebylex", LEX, lexBound(rng), lexBound(rng), ...limit(rng)],
          ["zrange", LEX, lexBound(rng), lexBound(rng), "bylex", ...(rng.chance(0.3) ? ["rev"] : []), ...limit(rng)],
        ]);
      case 23:
        return rng.pick([["zlexcount", LEX, lexBound(rng), lexBound(rng)], ["zremrangebylex", LEX, lexBound(rng), lexBound(rng)]]);
      case 24:
        return ["zrandmember", key(rng), rng.pick(["5000", "0"]), ...ws(rng)];
      case 25:
        return ["object", "encoding", rng.chance(0.3) ? BIG : rng.pick([...OWN, LEX])];
      case 26:
        return rng.pick([["zadd", key(rng)], ["zadd", key(rng), "1"], ["zadd", key(rng), "x", "m"], ["zadd", key(rng), "nx", "xx", "1", "m"],
          ["zadd", key(rng), "incr", "1", "a", "2", "b"], ["zincrby", key(rng), "x", "m"], ["zrange", key(rng), "0", "1", "limit", "0", "1"],
          ["zrange", key(rng), "0", "1", "bylex", "withscores"], ["zpopmin", key(rng), "-1"], ["zmpop", "0", key(rng), "min"],
          ["zunion", "0", key(rng)], ["zinter", "2", key(rng)], ["zintercard", "1", key(rng), "limit", "-1"], ["zrandmember", key(rng), "x"],
          ["zscan", key(rng), "x"], ["zscan", key(rng), "0", "count", "0"], ["zcard"], ["zrank", key(rng)]]);
      default:
        return ["type", key(rng)];
    }
  },
};
