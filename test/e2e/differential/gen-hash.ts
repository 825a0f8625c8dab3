// Random HASH commands for the differential run (run.test.ts). Replies that depend on hash order
// (HGETALL, HKEYS, HVALS, HSCAN) are listed in `unorderedReply` and compared by the runner as
// multisets (HGETALL and HSCAN as sets of field/value pairs). HRANDFIELD appears only where its
// answer is determined: a count of 0, a missing key, and the one-field hash `HONE`. Two keys of
// their own (`BIG`) grow past hash-max-listpack-entries (512) so that OBJECT ENCODING and every
// read meet the hashtable encoding; values over 64 bytes cross hash-max-listpack-value.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

/** Commands whose reply the runner must compare without order. */
export const unorderedReply: Set<string> = new Set(["hgetall", "hkeys", "hvals", "hscan"]);

/** Keys only this family writes (most commands use them, so they hold hashes and meet few WRONGTYPEs). */
const OWN = ["h1", "h2", "h3"] as const;
/** Hash-only keys that grow past 512 fields. */
const BIG = ["hbig1", "hbig2"] as const;
/** A hash that only ever holds one field (so HRANDFIELD with any count is determined). */
const HONE = "hone";

function key(rng: Rng): string {
  const r = rng.int(10);
  return r < 2 ? rng.pick(BIG) : r < 7 ? rng.pick(OWN) : rng.pick(SHARED_KEYS);
}
/** Fields: a dozen names, edge names, and now and then one over 64 bytes (hash-max-listpack-value). */
function field(rng: Rng): string {
  const r = rng.int(40);
  return r < 3 ? rng.pick(["", "f", "0", "-1", "é"]) : r === 3 ? "F".repeat(62 + rng.int(5)) : `f${rng.int(12)}`;
}

/** Values: small and edge integers, floats, bad numbers, words, values over 64 bytes. */
function value(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return String(rng.int(200) - 50);
    case 2:
      return rng.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", "-0", "007", "1e3", "abc", "", " 1", "inf"]);
    case 3:
      return "v".repeat(60 + rng.int(10));
    default:
      return `v${rng.int(20)}`;
  }
}

function pairs(rng: Rng): string[] {
  return Array.from({ length: 1 + rng.int(4) }, () => [field(rng), value(rng)]).flat();
}

/** Many fields at once on a big key: 80 of 700 names, so the key crosses 512 after a few calls. */
function bulk(rng: Rng): string[] {
  const args: string[] = [];
  for (let i = 0; i < 80; i++) args.push(`b${rng.int(700)}`, String(rng.int(1000)));
  return [rng.pick(["hset", "hmset"]), rng.pick(BIG), ...args];
}

const increment = (rng: Rng): string =>
  rng.chance(0.6) ? String(rng.int(100) - 30) : rng.pick(["9223372036854775807", "-9223372036854775808", "x", "1.5", "", " 1", "+2", "007"]);
const floatIncrement = (rng: Rng): string =>
  rng.chance(0.5)
    ? rng.pick(["1", "-1.5", "0.25", "1e3", "2.5e-3", "0.1", "-7", "3.0", "1e-5", "123456789.125"])
    : rng.pick(["inf", "-inf", "nan", "abc", "1e308", "1.7976931348623157e308", "", "0x10", " 1", "1e400", "-0"]);

const ERRORS = (rng: Rng): string[][] => [
  ["hset", key(rng)], ["hset", key(rng), "f"], ["hset", key(rng), "a", "1", "b"], ["hmset", key(rng), "a", "1", "b"],
  ["hsetnx", key(rng), "f"], ["hget", key(rng)], ["hmget", key(rng)], ["hdel", key(rng)], ["hlen"], ["hexists", key(rng)],
  ["hstrlen", key(rng)], ["hkeys"], ["hvals", key(rng), "x"], ["hgetall"], ["hincrby", key(rng), "f"],
  ["hincrbyfloat", key(rng), "f", "1", "2"], ["hrandfield"], ["hrandfield", key(rng), "x"], ["hrandfield", key(rng), "1", "bogus"],
  ["hscan", key(rng), "x"], ["hscan", key(rng), "0", "count", "0"], ["hscan", key(rng), "0", "bogus"], ["hscan", key(rng)],
];

export const hashGenerator: FamilyGenerator = {
  name: "hash",
  next(rng: Rng): string[] {
    switch (rng.int(22)) {
      case 0:
      case 1:
        return ["hset", key(rng), ...pairs(rng)];
      case 2:
        return rng.chance(0.3) ? bulk(rng) : ["hmset", key(rng), ...pairs(rng)];
      case 3:
        return ["hsetnx", key(rng), field(rng), value(rng)];
      case 4:
        return ["hget", key(rng), rng.chance(0.2) ? `b${rng.int(700)}` : field(rng)];
      case 5:
        return ["hmget", key(rng), ...Array.from({ length: 1 + rng.int(4) }, () => field(rng))];
      case 6:
        return ["hdel", key(rng), ...Array.from({ length: 1 + rng.int(3) }, () => (rng.chance(0.3) ? `b${rng.int(700)}` : field(rng)))];
      case 7:
        return ["hexists", key(rng), field(rng)];
      case 8:
        return ["hlen", key(rng)];
      case 9:
        return ["hstrlen", key(rng), field(rng)];
      case 10:
        return [rng.pick(["hkeys", "hvals", "hgetall"]), key(rng)];
      case 11:
      case 12:
        return ["hincrby", key(rng), field(rng), increment(rng)];
      case 13:
      case 14:
        return ["hincrbyfloat", key(rng), field(rng), floatIncrement(rng)];
      case 15: {
        const withValues = rng.chance(0.5) ? ["withvalues"] : [];
        return rng.pick([
          ["hrandfield", key(rng), "0", ...withValues], ["hrandfield", "hmissing"], ["hrandfield", "hmissing", "3", ...withValues],
          ["hrandfield", HONE], ["hrandfield", HONE, String(-1 - rng.int(4)), ...withValues], ["hrandfield", HONE, String(1 + rng.int(3)), ...withValues],
        ]);
      }
      case 16:
        return ["hset", HONE, "only", value(rng)];
      case 17:
        return ["hscan", key(rng), "0", ...(rng.chance(0.5) ? ["count", "100000"] : ["match", "*", "count", "100000"])];
      case 18:
        // Only this family's keys: known divergence, kept out of the stream — COPY and RENAME
        // (gen-keys.ts, on SHARED_KEYS) rebuild a hash from its packed form, so a hashtable small
        // enough for a listpack comes back as a listpack (Redis keeps the hashtable encoding).
        return ["object", "encoding", rng.chance(0.3) ? rng.pick(BIG) : rng.pick(OWN)];
      case 19:
        return rng.pick(ERRORS(rng));
      default:
        return ["type", key(rng)];
    }
  },
};
