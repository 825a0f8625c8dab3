// Random geo commands for the differential run (run.test.ts). Keys: the shared ones (so geo meets
// the other families' values, and sorted sets whose scores were never geohashes), the family's own
// g1, g2 and GBIG (filled past zset-max-listpack-entries, 128, by GEOADD batches). Points are
// clustered around real cities (so searches find something), spread over the globe, or at the
// limits (longitude ±180, latitude ±85.05112878); a member's coordinates come from its name and
// one of two variants (so NX/XX/CH see moves, and distinct members rarely share a distance).
// Searches use every option, unit and error. Replies are deterministic except with COUNT ANY,
// whose members Redis gives in an undefined order: those are compared sorted (`geoUnordered`).
import { SHARED_KEYS, type FamilyGenerator, type Rng } from "./generator.ts";

const OWN = ["g1", "g2"] as const;
const BIG = "gbig";

/** [longitude, latitude] of a few cities. */
const CITIES: readonly (readonly [number, number])[] = [
  [13.361389, 38.115556], // Palermo
  [15.087269, 37.502669], // Catania
  [2.352222, 48.856613], // Paris
  [-0.127758, 51.507351], // London
  [-74.005974, 40.712776], // New York
  [139.691711, 35.689487], // Tokyo
  [151.209290, -33.868820], // Sydney
  [-58.381592, -34.603722], // Buenos Aires
  [179.9, -16.5], // near the antimeridian (Fiji)
  [-179.9, 65.0], // Bering strait
  [18.955324, 69.649208], // Tromsø
  [0, 0],
];

function key(rng: Rng): string {
  const r = rng.int(10);
  return r < 2 ? BIG : r < 8 ? rng.pick(OWN) : rng.pick(SHARED_KEYS);
}

/** A deterministic hash of a string in [0, 1). */
function unit(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

const fixed = (x: number): string => x.toFixed(6);

/** The coordinates of member `name` in variant `v`. */
function pointOf(name: string, v: number): [string, string] {
  const a = unit(`${name}/${v}/a`);
  const b = unit(`${name}/${v}/b`);
  const kind = Math.floor(unit(`${name}/${v}/k`) * 10);
  if (kind === 0) return [fixed(a * 360 - 180), fixed(b * 170.1 - 85.05)];
  if (kind === 1) {
    // On an edge, the other coordinate from the name (two members never share a point).
    const lon = fixed(a * 360 - 180);
    const lat = fixed(b * 170.1 - 85.05);
    const edges: [string, string][] = [["180", lat], ["-180", lat], [lon, "85.05112878"], [lon, "-85.05112878"]];
    return edges[Math.floor(unit(`${name}/${v}/e`) * edges.length)]!;
  }
  const [lon, lat] = CITIES[Math.floor(unit(`${name}/c`) * CITIES.length)]!;
  const spread = kind < 5 ? 0.05 : 2;
  const x = Math.max(-180, Math.min(180, lon + (a - 0.5) * 2 * spread));
  const y = Math.max(-85.05, Math.min(85.05, lat + (b - 0.5) * 2 * spread));
  return [fixed(x), fixed(y)];
}

const member = (rng: Rng): string => (rng.chance(0.9) ? `p${rng.int(300)}` : rng.pick(["", "x".repeat(70), "0", "-1"]));

function unitName(rng: Rng): string {
  return rng.pick(["m", "km", "ft", "mi", "KM", "Mi", "M", "km", "km", "miles"]);
}

function centre(rng: Rng): [string, string] {
  if (rng.chance(0.05)) return rng.pick([["181", "0"], ["0", "86"], ["x", "0"], ["0", "nan"], ["-180", "-85.05112878"]] as [string, string][]);
  const [lon, lat] = rng.pick(CITIES);
  return [fixed(lon + (rng.int(100) - 50) / 100), fixed(Math.max(-85, Math.min(85, lat + (rng.int(100) - 50) / 100)))];
}

function radius(rng: Rng): string {
  if (rng.chance(0.05)) return rng.pick(["-1", "x", "0", "inf"]);
  return rng.pick(["1", "10", "50", "100", "200", "500", "1000", "2500", "5000", "20000", "0.5", "37.5"]);
}

/**
 * Options of a search. `ordered` is false on the shared keys, whose sorted sets (from the other
 * families) have members with equal scores, so equal distances, which Redis's sorts leave in an
 * undefined order: no ASC/DESC, and COUNT only with ANY there.
 */
function searchOptions(rng: Rng, store: boolean, ordered: boolean): string[] {
  const out: string[] = [];
  if (!store || rng.chance(0.05)) {
    if (rng.chance(0.4)) out.push("withdist");
    if (rng.chance(0.3)) out.push("withcoord");
    if (rng.chance(0.3)) out.push("withhash");
  }
  if (ordered && rng.chance(0.5)) out.push(rng.pick(["asc", "desc", "ASC", "DESC"]));
  if (rng.chance(0.4)) {
    out.push("count", rng.chance(0.05) ? rng.pick(["0", "-1", "x"]) : String(1 + rng.int(12)));
    if (!ordered || rng.chance(0.3)) out.push("any");
  } else if (rng.chance(0.03)) out.push("any");
  if (rng.chance(0.02)) out.push(rng.pick(["bogus", "count", "store"]));
  for (let i = out.length - 1; i > 0; i--) {
    // shuffle keyword groups a little (COUNT keeps its number)
    if (out[i - 1] === "count" || out[i] === "count" || !rng.chance(0.3)) continue;
    [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
  }
  return out;
}

function from(rng: Rng): string[] {
  if (rng.chance(0.4)) return ["frommember", member(rng)];
  return ["fromlonlat", ...centre(rng)];
}

function by(rng: Rng): string[] {
  if (rng.chance(0.5)) return ["byradius", radius(rng), unitName(rng)];
  const w = rng.chance(0.05) ? rng.pick(["-1", "x"]) : rng.pick(["1", "20", "100", "400", "1000", "4000", "40000"]);
  return ["bybox", w, rng.pick(["1", "20", "100", "400", "1000", "4000", "40000"]), unitName(rng)];
}

function geoadd(rng: Rng, k: string, n: number): string[] {
  const out = ["geoadd", k];
  if (rng.chance(0.25)) out.push(rng.pick(["nx", "xx", "ch", "NX", "CH"]));
  if (rng.chance(0.1)) out.push(rng.pick(["ch", "xx"]));
  for (let i = 0; i < n; i++) {
    const m = member(rng);
    out.push(...pointOf(m, rng.int(2)), m);
  }
  if (rng.chance(0.03)) out.push("1");
  return out;
}

/**
 * A STORE target. The family's own keys never receive members that may share a point: those of
 * the shared keys (equal scores), nor STOREDIST's distances (as geohashes, near distances truncate
 * to one cell).
 */
const destination = (rng: Rng, ordered: boolean): string => (ordered && rng.chance(0.7) ? rng.pick(OWN) : rng.pick(SHARED_KEYS));

function storeOption(rng: Rng, cmd: string[], ordered: boolean): void {
  const dist = rng.chance(0.5);
  cmd.push(dist ? "storedist" : "store", destination(rng, ordered && !dist));
}

function searchCommand(rng: Rng): string[] {
  const k = key(rng);
  const ordered = !(SHARED_KEYS as readonly string[]).includes(k);
  switch (rng.int(8)) {
    case 0: {
      const store = rng.chance(0.3);
      const cmd = ["georadius", k, ...centre(rng), radius(rng), unitName(rng), ...searchOptions(rng, store, ordered)];
      if (store) storeOption(rng, cmd, ordered);
      return cmd;
    }
    case 1:
      return ["georadius_ro", k, ...centre(rng), radius(rng), unitName(rng), ...searchOptions(rng, false, ordered)];
    case 2: {
      const store = rng.chance(0.3);
      const cmd = ["georadiusbymember", k, member(rng), radius(rng), unitName(rng), ...searchOptions(rng, store, ordered)];
      if (store) storeOption(rng, cmd, ordered);
      return cmd;
    }
    case 3:
      return ["georadiusbymember_ro", k, member(rng), radius(rng), unitName(rng), ...searchOptions(rng, false, ordered)];
    case 4:
    case 5: {
      const parts = [from(rng), by(rng)];
      if (rng.chance(0.1)) parts.reverse();
      if (rng.chance(0.03)) parts.pop();
      return ["geosearch", k, ...parts.flat(), ...searchOptions(rng, false, ordered)];
    }
    default: {
      const dist = rng.chance(0.4);
      const cmd = ["geosearchstore", destination(rng, ordered && !dist), k, ...from(rng), ...by(rng), ...searchOptions(rng, true, ordered)];
      if (dist) cmd.push("storedist");
      return cmd;
    }
  }
}

export const geoGenerator: FamilyGenerator = {
  name: "geo",
  next(rng: Rng): string[] {
    const r = rng.int(20);
    if (r < 5) return geoadd(rng, key(rng), 1 + rng.int(3));
    if (r === 5) return geoadd(rng, BIG, 40 + rng.int(40));
    if (r < 11) return searchCommand(rng);
    const k = key(rng);
    const members = (n: number): string[] => Array.from({ length: n }, () => member(rng));
    switch (rng.int(8)) {
      case 0:
        return ["geopos", k, ...members(1 + rng.int(4))];
      case 1:
        return ["geohash", k, ...members(1 + rng.int(4))];
      case 2:
      case 3:
        return ["geodist", k, member(rng), member(rng), ...(rng.chance(0.7) ? [unitName(rng)] : rng.chance(0.1) ? ["km", "x"] : [])];
      case 4:
        return ["zrange", rng.pick(OWN), "0", "-1", "withscores"];
      case 5:
        return ["zrem", k, ...members(2)];
      case 6:
        return rng.pick([["geoadd", k], ["geopos"], ["geodist", k, "a"], ["geosearch", k, "frommember", "a"], ["georadius", k, "1", "2", "3"], ["geoadd", k, "1", "2"], ["geoadd", k, "xx", "nx", "1", "2", "a"]]);
      default:
        return ["object", "encoding", rng.pick([BIG, ...OWN])];
    }
  },
};

/** True for a geo search whose reply order Redis leaves undefined (COUNT ... ANY): compared sorted. */
export function geoUnordered(argv: readonly string[]): boolean {
  return argv[0]!.toLowerCase().startsWith("geo") && argv.some((a) => a.toLowerCase() === "any");
}
