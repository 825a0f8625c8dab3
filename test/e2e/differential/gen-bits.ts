// Random bitmap and HyperLogLog commands for the differential run (run.test.ts): bit offsets near
// the start of values (so they grow and shrink through BITOP) with a few far ones, ranges with
// negative and out-of-range ends in BYTE and BIT units, BITFIELD with every overflow mode at the
// edges of its types, PFADD/PFCOUNT/PFMERGE over shared keys, GET of the resulting bytes (HLL
// values must be byte-identical), values that look like HLLs but are corrupt, and bad arguments.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const key = (rng: Rng): string => rng.pick(SHARED_KEYS);
const keys = (rng: Rng, n: number): string[] => Array.from({ length: n }, () => key(rng));

function offset(rng: Rng): string {
  switch (rng.int(8)) {
    case 0:
      return String(rng.int(2000));
    case 1:
      return rng.pick(["4294967296", "-1", "x", "1.5", "#1", "", "0"]);
    default:
      return String(rng.int(64));
  }
}

function index(rng: Rng): string {
  if (rng.chance(0.1)) return rng.pick(["-9223372036854775808", "9223372036854775807", "x", "1.0"]);
  return String(rng.int(40) - 20);
}

function fieldType(rng: Rng): string {
  if (rng.chance(0.08)) return rng.pick(["u64", "i65", "i0", "x8", "u", "I8", "U63"]);
  const signed = rng.chance(0.5);
  const bits = rng.pick([1, 2, 3, 5, 7, 8, 13, 16, 31, 32, 33, 48, 63, signed ? 64 : 63]);
  return `${signed ? "i" : "u"}${bits}`;
}

function fieldOffset(rng: Rng): string {
  if (rng.chance(0.3)) return `#${rng.int(8)}`;
  return String(rng.int(80));
}

function fieldValue(rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(["9223372036854775807", "-9223372036854775808", "-1", "255", "-129", "128", "x", "1e3"]);
  return String(rng.int(600) - 300);
}

function bitfieldOps(rng: Rng, readOnly: boolean): string[] {
  const out: string[] = [];
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const r = rng.int(readOnly ? 6 : 10);
    if (r < 4) out.push("get", fieldType(rng), fieldOffset(rng));
    else if (r < 6) out.push("overflow", rng.pick(["wrap", "sat", "fail", "SAT", "bogus"]));
    else if (r < 8) out.push("incrby", fieldType(rng), fieldOffset(rng), fieldValue(rng));
    else out.push("set", fieldType(rng), fieldOffset(rng), fieldValue(rng));
  }
  if (rng.chance(0.05)) out.push(rng.pick(["get", "set", "overflow", "nope"]));
  return out;
}

function element(rng: Rng): string {
  return rng.chance(0.8) ? `e${rng.int(3000)}` : rng.pick(["", "a", "abcdefgh", "abcdefghi", "0", "-1"]);
}

/** A value that passes the HLL header check but whose sparse registers do not add up to 16384. */
const CORRUPT_SPARSE = "HYLL\x01" + "\x00".repeat(11) + "\x7f\x00";

export const bitsGenerator: FamilyGenerator = {
  name: "bits",
  next(rng: Rng): string[] {
    switch (rng.int(16)) {
      case 0:
      case 1:
        return ["setbit", key(rng), offset(rng), rng.chance(0.95) ? rng.pick(["0", "1", "1"]) : rng.pick(["2", "-1", "x"])];
      case 2:
        return ["getbit", key(rng), offset(rng)];
      case 3: {
        const args = rng.pick([0, 2, 2, 3, 3, 1]);
        const a: string[] = ["bitcount", key(rng)];
        if (args >= 2) a.push(index(rng), index(rng));
        if (args === 1) a.push(index(rng));
        if (args === 3) a.push(rng.pick(["bit", "byte", "BIT", "bits"]));
        return a;
      }
      case 4: {
        const a: string[] = ["bitpos", key(rng), rng.chance(0.95) ? rng.pick(["0", "1"]) : "2"];
        const extra = rng.int(5);
        if (extra >= 1) a.push(index(rng));
        if (extra >= 2) a.push(index(rng));
        if (extra >= 3) a.push(rng.pick(["bit", "byte", "bit", "x"]));
        if (extra === 4) a.push("1");
        return a;
      }
      case 5: {
        const op = rng.pick(["and", "or", "xor", "not", "AND", "nand"]);
        const n = op.toLowerCase() === "not" ? (rng.chance(0.9) ? 1 : 2) : 1 + rng.int(3);
        return ["bitop", op, key(rng), ...keys(rng, n)];
      }
      case 6:
      case 7:
        return ["bitfield", key(rng), ...bitfieldOps(rng, false)];
      case 8:
        return ["bitfield_ro", key(rng), ...bitfieldOps(rng, rng.chance(0.9))];
      case 9:
      case 10:
        return ["pfadd", key(rng), ...Array.from({ length: rng.int(rng.chance(0.2) ? 400 : 6) }, () => element(rng))];
      case 11:
        return ["pfcount", ...keys(rng, 1 + rng.int(3))];
      case 12:
        return ["pfmerge", ...keys(rng, 1 + rng.int(3))];
      case 13:
        return ["get", key(rng)];
      case 14:
        return rng.pick([["set", key(rng), CORRUPT_SPARSE], ["set", key(rng), "HYLL"], ["set", key(rng), "abc"], ["strlen", key(rng)], ["append", key(rng), "\x00\xff"]]);
      default:
        return rng.pick([["setbit", key(rng)], ["getbit", key(rng)], ["bitcount"], ["bitpos", key(rng)], ["bitop", "and", key(rng)], ["pfmerge"], ["pfcount"], ["bitfield"]]);
    }
  },
};
