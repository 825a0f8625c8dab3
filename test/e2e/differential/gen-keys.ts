// Random keyspace commands for the differential run (run.test.ts): DEL, EXISTS, TYPE, RENAME,
// RENAMENX, COPY, EXPIRE with a long TTL then PERSIST, and their error cases. DUMP is not
// comparable (the payload format differs) and TTL values depend on the clock: both are left out.
// A plain SET makes string values so that these commands meet every type.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const key = (rng: Rng): string => rng.pick(SHARED_KEYS);
const keys = (rng: Rng): string[] => Array.from({ length: 1 + rng.int(3) }, () => key(rng));

export const keysGenerator: FamilyGenerator = {
  name: "keys",
  next(rng: Rng): string[] {
    switch (rng.int(11)) {
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
      default:
        return ["exists", key(rng)];
    }
  },
};
