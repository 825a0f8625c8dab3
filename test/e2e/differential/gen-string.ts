// Random string commands for the differential run (run.test.ts). TTLs are long and never read
// back as numbers (the clock differs); expiry semantics show only through deterministic replies.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const key = (rng: Rng): string => rng.pick(SHARED_KEYS);
/** Values: small and edge integers, floats, bad numbers, words. */
function value(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return String(rng.int(200) - 50);
    case 1:
      return rng.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", "-0", "007", "1e3", "abc", ""]);
    case 2:
      return `v${rng.int(20)}`;
    default:
      return String(rng.int(1000));
  }
}

export const stringGenerator: FamilyGenerator = {
  name: "string",
  next(rng: Rng): string[] {
    switch (rng.int(14)) {
      case 0:
      case 1: {
        const opts = rng.pick([[], ["nx"], ["xx"], ["get"], ["ex", "100000"], ["px", "100000000"], ["keepttl"], ["xx", "get"]]);
        return ["set", key(rng), value(rng), ...opts];
      }
      case 2:
        return ["get", key(rng)];
      case 3:
        return [rng.pick(["getset", "append", "setnx"]), key(rng), value(rng)];
      case 4:
        return [rng.pick(["getdel", "strlen", "incr", "decr"]), key(rng)];
      case 5:
        return ["getrange", key(rng), String(rng.int(10) - 3), String(rng.int(10) - 3)];
      case 6:
        return ["setrange", key(rng), String(rng.int(12)), value(rng)];
      case 7:
        return [rng.pick(["incrby", "decrby"]), key(rng), value(rng)];
      case 8:
        return ["incrbyfloat", key(rng), rng.pick(["1.5", "-2", "abc", "1e400", "0.1", "inf"])];
      case 9:
        return ["mset", key(rng), value(rng), key(rng), value(rng)];
      case 10:
        return ["mget", key(rng), key(rng), key(rng)];
      case 11:
        return ["msetnx", key(rng), value(rng), key(rng), value(rng)];
      case 12:
        return ["lcs", key(rng), key(rng)];
      default:
        return rng.pick([["get"], ["set", key(rng)], ["set", key(rng), "v", "ex", "0"], ["set", key(rng), "v", "ex", "x"],
          ["set", key(rng), "v", "nx", "xx"], ["mset", key(rng)], ["incrby", key(rng), "1", "2"], ["getrange", key(rng), "a", "1"],
          ["setrange", key(rng), "-1", "x"], ["set", key(rng), "v", "keepttl", "ex", "10"]]);
    }
  },
};
