// Random LIST commands for the differential run (run.test.ts). Every list reply is ordered, so
// the runner compares them as they come. Elements repeat often (LREM, LPOS and LINSERT find
// them); OBJECT ENCODING answers "quicklist" in Redis 7.0 whatever the size.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

/** Keys only this family writes (most commands use them, so they hold lists and meet few WRONGTYPEs). */
const OWN = ["l1", "l2", "{l}a", "{l}b"] as const;
const key = (rng: Rng): string => (rng.chance(0.75) ? rng.pick(OWN) : rng.pick(SHARED_KEYS));
/** Elements: few distinct short ones (so they repeat), integers, and some over 64 bytes. */
function element(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
    case 1:
      return rng.pick(["a", "b", "c", "d"]);
    case 2:
      return String(rng.int(10) - 3);
    case 3:
      return rng.chance(0.3) ? "e".repeat(60 + rng.int(10)) : rng.pick(["", "9223372036854775808", "x y"]);
    default:
      return `e${rng.int(15)}`;
  }
}
/** 100 to 200 elements at once on one of this family's keys. */
const bulk = (rng: Rng): string[] =>
  [rng.pick(["lpush", "rpush"]), rng.pick(OWN), ...Array.from({ length: 100 + rng.int(100) }, () => (rng.chance(0.5) ? "e".repeat(40 + rng.int(40)) : element(rng)))];
const elements = (rng: Rng): string[] => Array.from({ length: 1 + rng.int(6) }, () => element(rng));
const index = (rng: Rng): string => String(rng.int(16) - 8);
const count = (rng: Rng): string => rng.pick(["0", "1", "2", "5", "100", "-1", "x"]);
const end = (rng: Rng): string => rng.pick(["left", "right", "LEFT", "Right"]);

const ERRORS = (rng: Rng): string[][] => [
  ["lpush", key(rng)], ["rpush"], ["lpushx", key(rng)], ["lpop", key(rng), "1", "2"], ["rpop"], ["llen"], ["lrange", key(rng), "0"],
  ["lrange", key(rng), "a", "1"], ["lindex", key(rng), "x"], ["lset", key(rng), "x", "v"], ["lrem", key(rng), "x", "a"],
  ["ltrim", key(rng), "0", "x"], ["linsert", key(rng), "middle", "a", "b"], ["linsert", key(rng), "before", "a"],
  ["lpos", key(rng), "a", "rank", "0"], ["lpos", key(rng), "a", "count", "-1"], ["lpos", key(rng), "a", "maxlen", "-1"],
  ["lpos", key(rng), "a", "rank"], ["lpos", key(rng), "a", "bogus", "1"], ["lpos", key(rng), "a", "rank", "-9223372036854775808"],
  ["lmove", key(rng), key(rng), "up", "left"], ["lmove", key(rng), key(rng), "left"], ["rpoplpush", key(rng)],
  ["lmpop", "0", key(rng), "left"], ["lmpop", "-1", key(rng), "left"], ["lmpop", "x", key(rng), "left"], ["lmpop", "3", key(rng), "left"],
  ["lmpop", "1", key(rng), "middle"], ["lmpop", "1", key(rng), "left", "count", "0"], ["lmpop", "1", key(rng), "left", "count"],
  ["lmpop", "1", key(rng), "left", "bogus", "1"], ["lmpop", "1", key(rng), "left", "count", "1", "count", "2"], ["lmpop", "1", key(rng)],
];

export const listGenerator: FamilyGenerator = {
  name: "list",
  next(rng: Rng): string[] {
    switch (rng.int(22)) {
      case 0:
      case 1:
        return [rng.pick(["lpush", "rpush"]), key(rng), ...elements(rng)];
      case 2:
        // Now and then a long push: lists pass 8 kB (list-max-listpack-size -2) and span nodes.
        return rng.chance(0.8) ? [rng.pick(["lpush", "rpush"]), key(rng), ...elements(rng)] : bulk(rng);
      case 3:
        return [rng.pick(["lpushx", "rpushx"]), key(rng), ...elements(rng)];
      case 4:
        return rng.chance(0.4) ? [rng.pick(["lpop", "rpop"]), key(rng)] : [rng.pick(["lpop", "rpop"]), key(rng), count(rng)];
      case 5:
        return ["llen", key(rng)];
      case 6:
      case 7:
        return ["lrange", key(rng), index(rng), rng.pick([index(rng), "-1", "100"])];
      case 8:
        return ["lindex", key(rng), index(rng)];
      case 9:
        return ["lset", key(rng), index(rng), element(rng)];
      case 10:
        return ["lrem", key(rng), String(rng.int(7) - 3), element(rng)];
      case 11:
        return ["ltrim", key(rng), index(rng), index(rng)];
      case 12:
        return ["linsert", key(rng), rng.pick(["before", "after", "BEFORE"]), element(rng), element(rng)];
      case 13:
      case 14: {
        const opts: string[] = [];
        if (rng.chance(0.5)) opts.push("rank", rng.pick(["1", "2", "-1", "-2", "3"]));
        if (rng.chance(0.5)) opts.push("count", rng.pick(["0", "1", "2", "10"]));
        if (rng.chance(0.3)) opts.push("maxlen", rng.pick(["0", "1", "3", "10"]));
        return ["lpos", key(rng), element(rng), ...opts];
      }
      case 15:
      case 16: {
        const src = key(rng);
        return ["lmove", src, rng.chance(0.3) ? src : key(rng), end(rng), end(rng)];
      }
      case 17:
        return ["rpoplpush", key(rng), key(rng)];
      case 18: {
        const ks = Array.from({ length: 1 + rng.int(3) }, () => key(rng));
        return ["lmpop", String(ks.length), ...ks, end(rng), ...(rng.chance(0.5) ? ["count", rng.pick(["1", "2", "10"])] : [])];
      }
      case 19:
        return ["object", "encoding", key(rng)];
      case 20:
        return rng.pick(ERRORS(rng));
      default:
        return ["type", key(rng)];
    }
  },
};
