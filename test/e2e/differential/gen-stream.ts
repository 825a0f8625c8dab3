// Random STREAM commands for the differential run (run.test.ts). IDs are explicit and mostly
// increasing (a counter per run, kept per Rng), so both servers assign the same IDs; no `*`, and
// nothing whose reply carries a time (XPENDING's extended form only with an IDLE no entry reaches,
// no XINFO CONSUMERS / STREAM). XREAD and XREADGROUP name several keys, which the default two
// workers hold apart.
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const OWN = ["x1", "x2", "{x}a", "{x}b"] as const;
const GROUPS = ["g1", "g2"] as const;
const CONSUMERS = ["alice", "bob", "carol"] as const;
const key = (rng: Rng): string => (rng.chance(0.85) ? rng.pick(OWN) : rng.pick(SHARED_KEYS));

/** The last ms handed out, per run (the runner makes one Rng per seed). */
const clocks = new WeakMap<Rng, number>();
function nextMs(rng: Rng): number {
  const ms = (clocks.get(rng) ?? 0) + 1 + rng.int(3);
  clocks.set(rng, ms);
  return ms;
}
const nowMs = (rng: Rng): number => clocks.get(rng) ?? 0;
/** An ID somewhere in what was handed out so far (often an existing entry). */
const pastId = (rng: Rng): string => `${rng.int(nowMs(rng) + 2)}-${rng.int(3)}`;
function bound(rng: Rng, start: boolean): string {
  switch (rng.int(5)) {
    case 0:
      return start ? "-" : "+";
    case 1:
      return String(rng.int(nowMs(rng) + 2));
    case 2:
      return `(${pastId(rng)}`;
    default:
      return pastId(rng);
  }
}
const fields = (rng: Rng): string[] => {
  const n = 1 + rng.int(3);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.chance(0.7) ? rng.pick(["f", "g", "h"]) : `f${rng.int(9)}`, rng.chance(0.2) ? "v".repeat(70) : String(rng.int(1000)));
  return out;
};
function trim(rng: Rng): string[] {
  const how = rng.pick(["", "=", "~"]);
  const strat = rng.chance(0.6) ? ["maxlen", ...(how ? [how] : []), String(rng.int(12))] : ["minid", ...(how ? [how] : []), pastId(rng)];
  if (how === "~" && rng.chance(0.3)) strat.push("limit", String(rng.int(150)));
  return strat;
}
function newId(rng: Rng): string {
  switch (rng.int(8)) {
    case 0:
      return `${nextMs(rng)}-*`;
    case 1:
      return String(nextMs(rng));
    case 2:
      return pastId(rng); // usually refused: equal or smaller than the top item
    default:
      return `${nextMs(rng)}-${rng.int(3)}`;
  }
}
const count = (): string[] => [];
const streamsArgs = (rng: Rng, ids: (rng: Rng) => string): string[] => {
  const keys = [rng.pick(OWN)];
  if (rng.chance(0.5)) keys.push(rng.pick(OWN.filter((k) => k !== keys[0])));
  return ["streams", ...keys, ...keys.map(() => ids(rng))];
};
const maybeCount = (rng: Rng): string[] => (rng.chance(0.6) ? ["count", String(rng.int(5))] : count());

const ERRORS = (rng: Rng): string[][] => [
  ["xadd", key(rng)], ["xadd", key(rng), "1-1", "f"], ["xadd", key(rng), "0-0", "f", "v"], ["xadd", key(rng), "bad", "f", "v"],
  ["xadd", key(rng), "maxlen", "-1", "5-1", "f", "v"], ["xadd", key(rng), "limit", "5", "5-1", "f", "v"], ["xrange", key(rng), "x", "+"],
  ["xrange", key(rng), "-", "+", "count"], ["xtrim", key(rng), "foo", "1"], ["xtrim", key(rng), "maxlen", "1", "limit", "1"],
  ["xdel", key(rng), "x"], ["xsetid", key(rng), "x"], ["xread", "streams", rng.pick(OWN)], ["xread", "count", "x", "streams", rng.pick(OWN), "0"],
  ["xreadgroup", "group", "nog", "c", "streams", rng.pick(OWN), ">"], ["xreadgroup", "group", "g1", "c", "streams", rng.pick(OWN), "$"],
  ["xgroup", "create", key(rng), "g1", "bad"], ["xgroup", "setid", key(rng), "nog", "0"], ["xgroup", "foo", key(rng), "g1"],
  ["xack", key(rng), "g1", "x"], ["xclaim", key(rng), "g1", "c", "x", "1-1"], ["xautoclaim", key(rng), "g1", "c", "0", "0", "count", "0"],
  ["xpending", key(rng), "nog"], ["xinfo", "groups", "nokey"],
];

export const streamGenerator: FamilyGenerator = {
  name: "stream",
  next(rng: Rng): string[] {
    const k = key(rng);
    const g = rng.pick(GROUPS);
    switch (rng.int(24)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return ["xadd", k, newId(rng), ...fields(rng)];
      case 4:
        return ["xadd", k, ...(rng.chance(0.2) ? ["nomkstream"] : []), ...trim(rng), newId(rng), ...fields(rng)];
      case 5:
        return ["xrange", k, bound(rng, true), bound(rng, false), ...maybeCount(rng)];
      case 6:
        return ["xrevrange", k, bound(rng, false), bound(rng, true), ...maybeCount(rng)];
      case 7:
        return ["xlen", k];
      case 8:
        return ["xdel", k, pastId(rng), ...(rng.chance(0.4) ? [pastId(rng)] : [])];
      case 9:
        return ["xtrim", k, ...trim(rng)];
      case 10:
        return ["xread", ...maybeCount(rng), ...streamsArgs(rng, (r) => (r.chance(0.2) ? "$" : pastId(r)))];
      case 11:
        return ["xgroup", "create", k, g, rng.pick(["0", "$", pastId(rng)]), ...(rng.chance(0.4) ? ["mkstream"] : []), ...(rng.chance(0.2) ? ["entriesread", String(rng.int(5))] : [])];
      case 12:
      case 13:
        return ["xreadgroup", "group", g, rng.pick(CONSUMERS), ...maybeCount(rng), ...(rng.chance(0.15) ? ["noack"] : []), ...streamsArgs(rng, (r) => (r.chance(0.75) ? ">" : "0"))];
      case 14:
        return ["xack", k, g, pastId(rng), ...(rng.chance(0.5) ? [pastId(rng)] : [])];
      case 15:
        return ["xpending", k, g];
      case 16:
        return rng.chance(0.5) ? ["xpending", k, g, "idle", "99999999", "-", "+", "10"] : ["xinfo", "groups", k];
      case 17:
        return ["xclaim", k, g, rng.pick(CONSUMERS), "0", pastId(rng), pastId(rng), "justid", ...(rng.chance(0.3) ? ["force"] : [])];
      case 18:
        return ["xautoclaim", k, g, rng.pick(CONSUMERS), "0", rng.pick(["0", pastId(rng)]), "count", String(1 + rng.int(4)), "justid"];
      case 19:
        return rng.pick([
          ["xgroup", "setid", k, g, rng.pick(["0", "$", pastId(rng)])],
          ["xgroup", "destroy", k, g],
          ["xgroup", "createconsumer", k, g, rng.pick(CONSUMERS)],
          ["xgroup", "delconsumer", k, g, rng.pick(CONSUMERS)],
        ]);
      case 20:
        return ["xsetid", k, `${nowMs(rng) + rng.int(3)}-${rng.int(3)}`, ...(rng.chance(0.3) ? ["entriesadded", String(rng.int(40))] : [])];
      case 21:
        return ["type", k];
      default:
        return rng.pick(ERRORS(rng));
    }
  },
};
