// Random keyspace commands for the differential run (run.test.ts): DEL, EXISTS, TYPE, RENAME,
// RENAMENX, COPY, EXPIRE with a long TTL then PERSIST, and their error cases. DUMP is not
// comparable (the payload format differs) and TTL values depend on the clock: both are left out.
// A plain SET makes string values so that these commands meet every type. SELECT, MOVE, SWAPDB and
// COPY ... DB move the stream between databases 0–2 (COPY to another database names one key
// twice: two keys of different workers cannot be copied across databases, see ERR_OTHER_DB_ISOLATED).
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const key = (rng: Rng): string => rng.pick(SHARED_KEYS);
const keys = (rng: Rng): string[] => Array.from({ length: 1 + rng.int(3) }, () => key(rng));

export const keysGenerator: FamilyGenerator = {
  name: "keys",
  next(rng: Rng): string[] {
    switch (rng.int(13)) {
      case 0:
        return ["set", key(rng), String(rng.int(100))];
      case 1:
        return ["del", ...keys(rng)];
      case 2:
        return ["exists", ...keys(rng)];
      case 3:
        return ["type", key(rng)];
      case 4:
        return ["rename", key(rng), key(rng)];
      case 5:
        return ["renamenx", key(rng), key(rng)];
      case 6:
        return rng.chance(0.5) ? ["copy", key(rng), key(rng)] : ["copy", key(rng), key(rng), "replace"];
      case 7:
        return ["expire", key(rng), String(100000 + rng.int(1000)), ...(rng.chance(0.3) ? [rng.pick(["nx", "xx", "gt", "lt"])] : [])];
      case 8:
        return ["persist", key(rng)];
      case 9:
        return rng.pick([["del"], ["exists"], ["type"], ["rename", key(rng)], ["copy", key(rng)], ["copy", key(rng), key(rng), "bogus"],
          ["expire", key(rng), "x"], ["expire", key(rng), "10", "nx", "xx"], ["persist"], ["expire", key(rng), "9223372036854775807"]]);
      case 10: {
        const db = String(rng.int(3));
        return rng.pick([["select", db], ["move", key(rng), db], ["swapdb", db, String(rng.int(3))], ["dbsize"]]);
      }
      case 11: {
        const k = key(rng);
        return ["copy", k, k, "db", String(rng.int(3)), ...(rng.chance(0.5) ? ["replace"] : [])];
      }
      case 12:
        return rng.pick([["select", "16"], ["select", "x"], ["move", key(rng), "16"], ["move", key(rng)], ["swapdb", "0", "x"], ["swapdb", "y", "0"],
          ["swapdb", "0", "99"], ["copy", key(rng), key(rng), "db", "-1"], ["select"]]);
      default:
        return ["exists", key(rng)];
    }
  },
};
