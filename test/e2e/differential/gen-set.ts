// Random SET commands for the differential run (run.test.ts). Only replies that do not depend on
// hash order or randomness: array replies of the commands in `sortedReply` are compared sorted
// (a hashtable set's order differs from Redis's); SPOP and SRANDMEMBER appear only where their
// answer is determined (a count of 0, a bad count).
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

/** Commands whose array reply the runner must compare as a sorted multiset. */
export const sortedReply: Set<string> = new Set(["smembers", "sinter", "sunion", "sdiff"]);

/** Members: small integers (intset), edge and non-canonical integers, strings, long strings. */
function member(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return String(rng.int(40) - 5);
    case 2:
      return rng.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "-0", "+1"]);
    case 3:
      return `m${rng.int(30)}`;
    case 4:
      return "x".repeat(60 + rng.int(10));
    default:
      return String(rng.int(600));
  }
}

const key = (rng: Rng): string => rng.pick(SHARED_KEYS);
const keys = (rng: Rng, n: number): string[] => Array.from({ length: n }, () => key(rng));
const members = (rng: Rng): string[] => Array.from({ length: 1 + rng.int(5) }, () => member(rng));

export const setGenerator: FamilyGenerator = {
  name: "set",
  next(rng: Rng): string[] {
    switch (rng.int(18)) {
      case 0:
      case 1:
      case 2:
        return ["sadd", key(rng), ...members(rng)];
      case 3:
        return ["srem", key(rng), ...members(rng)];
      case 4:
        return ["scard", key(rng)];
      case 5:
        return ["sismember", key(rng), member(rng)];
      case 6:
        return ["smismember", key(rng), ...members(rng)];
      case 7:
        return ["smembers", key(rng)];
      case 8:
        return [rng.pick(["sinter", "sunion", "sdiff"]), ...keys(rng, 1 + rng.int(3))];
      case 9:
        return [rng.pick(["sinterstore", "sunionstore", "sdiffstore"]), key(rng), ...keys(rng, 1 + rng.int(3))];
      case 10: {
        const ks = keys(rng, 1 + rng.int(3));
        return rng.chance(0.5) ? ["sintercard", String(ks.length), ...ks] : ["sintercard", String(ks.length), ...ks, "limit", String(rng.int(4))];
      }
      case 11:
        return ["smove", key(rng), key(rng), member(rng)];
      case 12:
        return ["spop", key(rng), rng.pick(["0", "-1", "x"])];
      case 13:
        return ["srandmember", key(rng), rng.pick(["0", "x"])];
      case 14:
        return ["object", "encoding", key(rng)];
      case 15:
        return rng.pick([["sadd", key(rng)], ["scard"], ["smove", key(rng), key(rng)], ["sintercard", "0", key(rng)],
          ["sintercard", "5", key(rng)], ["sintercard", "1", key(rng), "limit", "-1"], ["sintercard", "1", key(rng), "bogus"],
          ["spop", key(rng), "1", "2"], ["sscan", key(rng), "x"], ["sscan", key(rng), "0", "count", "0"]]);
      default:
        return ["type", key(rng)];
    }
  },
};
