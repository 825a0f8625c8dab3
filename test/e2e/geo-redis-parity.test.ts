// Geo parity with redis-server 7.0.15: one fixed script over RESP2 and RESP3 with real city
// coordinates — GEOADD (NX XX CH, the coordinate limits and their errors), GEOPOS, GEOHASH,
// GEODIST in every unit, GEORADIUS / GEORADIUSBYMEMBER (and _RO) / GEOSEARCH / GEOSEARCHSTORE with
// every option, their errors, STORE / STOREDIST results read back with ZRANGE WITHSCORES, and a
// 300-point set (past zset-max-listpack-entries) searched at every scale. COUNT ANY replies, whose
// order Redis leaves undefined, are compared sorted. Skipped, with a notice, without redis-server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair, type ReplyNormalizer } from "../support/redis-parity.ts";

const CITIES: [string, number, number][] = [
  ["Palermo", 13.361389, 38.115556], ["Catania", 15.087269, 37.502669], ["Rome", 12.496366, 41.902782], ["Paris", 2.352222, 48.856613],
  ["London", -0.127758, 51.507351], ["Berlin", 13.404954, 52.520008], ["Madrid", -3.70379, 40.416775], ["Reykjavik", -21.827774, 64.128288],
  ["NewYork", -74.005974, 40.712776], ["Tokyo", 139.691711, 35.689487], ["Sydney", 151.20929, -33.86882], ["BuenosAires", -58.381592, -34.603722],
  ["Suva", 178.441895, -18.141600], ["Apia", -171.751, -13.833], ["Longyearbyen", 15.6356, 78.2232], ["McMurdo", 166.6863, -77.8419],
  ["Quito", -78.467834, -0.180653], ["Singapore", 103.819836, 1.352083],
];

const add = ["geoadd", "world", ...CITIES.flatMap(([name, lon, lat]) => [String(lon), String(lat), name])];
const names = CITIES.map(([name]) => name);

/** 300 points on a spiral over Europe, so the set is a skiplist and searches cross many cells. */
const many = ["geoadd", "grid"];
for (let i = 0; i < 300; i++) many.push((10 + Math.cos(i) * i * 0.05).toFixed(6), (47 + Math.sin(i) * i * 0.03).toFixed(6), `pt${i}`);

const searches: string[][] = [];
for (const r of ["0", "10", "100", "500", "1000", "5000", "20000"]) {
  for (const unit of ["km", "mi"]) {
    searches.push(["georadius", "world", "13", "42", r, unit, "withdist", "withcoord", "withhash", "asc"]);
    searches.push(["georadius", "grid", "10", "47", r, unit, "withdist", "count", "7"]);
    searches.push(["geosearch", "grid", "fromlonlat", "11.5", "46.2", "bybox", r, String(Number(r) / 2), unit, "desc", "withhash"]);
  }
}
for (const name of names) {
  searches.push(["georadiusbymember_ro", "world", name, "3000", "km", "withdist", "asc"]);
  searches.push(["geosearch", "world", "frommember", name, "bybox", "8000", "4000", "km", "withcoord", "asc", "count", "4"]);
}

const SCRIPT: string[][] = [
  ["#flush"], add, ["zrange", "world", "0", "-1", "withscores"], ["object", "encoding", "world"],
  ["geopos", "world", ...names, "nosuch"], ["geohash", "world", ...names, "nosuch"],
  ...names.slice(1).map((n) => ["geodist", "world", names[0]!, n, "km"]),
  ["geodist", "world", "Paris", "London"], ["geodist", "world", "Paris", "London", "M"], ["geodist", "world", "Paris", "London", "ft"],
  ["geodist", "world", "Paris", "London", "MI"], ["geodist", "world", "Paris", "nosuch"], ["geodist", "nokey", "a", "b"],
  ["geodist", "world", "Paris", "London", "yd"], ["geodist", "world", "Paris", "London", "km", "x"],
  // GEOADD options and limits
  ["geoadd", "world", "nx", "ch", "0", "0", "Paris", "1", "1", "Null1"], ["geoadd", "world", "xx", "ch", "2.35", "48.85", "Paris", "2", "2", "Null2"],
  ["geoadd", "world", "ch", "2.35", "48.85", "Paris"], ["geopos", "world", "Paris", "Null1", "Null2"],
  ["geoadd", "world", "xx", "nx", "1", "1", "a"], ["geoadd", "world", "1", "1"], ["geoadd", "world", "1", "1", "a", "2"],
  ["geoadd", "world", "180.0001", "0", "a"], ["geoadd", "world", "0", "-85.05112879", "a"], ["geoadd", "world", "inf", "0", "a"], ["geoadd", "world", "x", "0", "a"],
  ["geoadd", "edges", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "180", "-85.05112878", "se", "-180", "85.05112878", "nw", "0", "0", "zero"],
  ["zrange", "edges", "0", "-1", "withscores"], ["geopos", "edges", "ne", "sw", "se", "nw", "zero"], ["geohash", "edges", "ne", "sw", "se", "nw", "zero"],
  ["geodist", "edges", "ne", "sw"], ["geodist", "edges", "nw", "ne"], ["geodist", "edges", "se", "sw", "km"],
  ["geosearch", "edges", "fromlonlat", "179.9", "0", "byradius", "20000", "km", "withdist", "asc"],
  ["geosearch", "edges", "fromlonlat", "0", "0", "bybox", "40000", "20000", "km", "withdist", "desc"],
  // the big set
  many, ["object", "encoding", "grid"], ["zcard", "grid"], ["geopos", "grid", "pt0", "pt150", "pt299"],
  ...searches,
  // ANY (compared sorted)
  ["geosearch", "grid", "fromlonlat", "10", "47", "byradius", "300", "km", "count", "5", "any"],
  ["geosearch", "grid", "fromlonlat", "10", "47", "byradius", "300", "km", "count", "5", "any", "asc", "withdist"],
  ["georadius", "grid", "10", "47", "300", "km", "count", "20", "any", "withhash"],
  // STORE / STOREDIST
  ["georadius", "world", "13", "42", "2000", "km", "store", "near"], ["zrange", "near", "0", "-1", "withscores"],
  ["georadius", "world", "13", "42", "2000", "km", "storedist", "near", "desc", "count", "3"], ["zrange", "near", "0", "-1", "withscores"],
  ["georadiusbymember", "world", "Tokyo", "9000", "km", "store", "near2", "storedist", "near3"], ["exists", "near2"], ["zrange", "near3", "0", "-1", "withscores"],
  ["geosearchstore", "near4", "grid", "frommember", "pt10", "byradius", "50", "km", "asc", "count", "10", "storedist"], ["zrange", "near4", "0", "-1", "withscores"],
  ["geosearchstore", "near5", "grid", "fromlonlat", "10", "47", "bybox", "500", "500", "km"], ["zrange", "near5", "0", "-1", "withscores"], ["object", "encoding", "near5"],
  ["geosearchstore", "near5", "grid", "fromlonlat", "-100", "0", "byradius", "1", "km"], ["exists", "near5"],
  ["geosearchstore", "near4", "nokey", "fromlonlat", "10", "47", "byradius", "1", "km"], ["exists", "near4"],
  ["georadius", "nokey", "10", "47", "1", "km", "store", "near"], ["exists", "near"],
  ["georadius", "nokey", "10", "47", "1", "km"], ["georadiusbymember", "nokey", "x", "1", "km"], ["geosearch", "nokey", "frommember", "x", "byradius", "1", "km"],
  // errors
  ["georadius", "world", "13", "42", "100", "km", "store", "x", "withdist"], ["geosearchstore", "d", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "withhash"],
  ["georadius_ro", "world", "13", "42", "100", "km", "store", "x"], ["georadiusbymember_ro", "world", "Rome", "100", "km", "storedist", "x"],
  ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "store", "x"], ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "storedist"],
  ["geosearch", "world", "frommember", "Rome", "fromlonlat", "1", "2", "byradius", "1", "km"], ["geosearch", "world", "fromlonlat", "1", "2", "frommember", "Rome", "byradius", "1", "km"],
  ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "bybox", "1", "1", "km"], ["geosearch", "world", "byradius", "1", "km", "withdist"],
  ["geosearch", "world", "fromlonlat", "1", "2", "withdist", "asc"], ["geosearchstore", "d", "world", "fromlonlat", "1", "2", "asc", "desc"],
  ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "any"], ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "count", "0"],
  ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "count", "-3"], ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1", "km", "count", "1.5"],
  ["geosearch", "world", "frommember", "nosuch", "byradius", "1", "km"], ["georadiusbymember", "world", "nosuch", "1", "km"], ["georadiusbymember", "world", "Rome", "x", "km"],
  ["georadius", "world", "13", "42", "-1", "km"], ["georadius", "world", "13", "42", "x", "km"], ["georadius", "world", "13", "42", "1", "parsec"],
  ["georadius", "world", "13", "86", "1", "km"], ["georadius", "world", "x", "42", "1", "km"], ["georadius", "world", "13", "42", "1", "km", "bogus"],
  ["geosearch", "world", "fromlonlat", "1", "2", "bybox", "-1", "1", "km"], ["geosearch", "world", "fromlonlat", "1", "2", "bybox", "x", "1", "km"],
  ["geosearch", "world", "fromlonlat", "1", "2", "bybox", "1", "x", "km"], ["geosearch", "world", "fromlonlat", "1", "2", "bybox", "1", "1", "parsec"],
  ["geosearch", "world", "fromlonlat", "1", "2", "byradius", "1"], ["georadius", "world", "1", "2", "3"], ["geopos"], ["geohash"], ["geodist", "world", "a"],
  ["set", "str", "x"], ["geoadd", "str", "1", "2", "a"], ["geopos", "str", "a"], ["geohash", "str", "a"], ["geodist", "str", "a", "b"],
  ["georadius", "str", "1", "2", "3", "km"], ["georadiusbymember", "str", "a", "3", "km"], ["geosearch", "str", "frommember", "a", "byradius", "1", "km"],
  ["geosearchstore", "d", "str", "frommember", "a", "byradius", "1", "km"], ["geosearchstore", "str", "world", "frommember", "Rome", "byradius", "100", "km"], ["type", "str"],
  // scores that were never geohashes
  ["zadd", "raw", "-1", "neg", "1.5", "small", "inf", "pinf", "-inf", "ninf", "1e300", "huge", "9007199254740993", "p53"],
  ["geopos", "raw", "neg", "small", "pinf", "ninf", "huge", "p53"], ["geohash", "raw", "neg", "small", "pinf", "ninf", "huge", "p53"],
  ["geodist", "raw", "neg", "small"], ["geosearch", "raw", "fromlonlat", "0", "0", "byradius", "20000", "km", "withdist", "withhash", "asc"],
];

/** COUNT ANY replies are compared as sorted lists (Redis does not define their order). */
const normalize: ReplyNormalizer = (argv, reply) => {
  if (!argv.some((a) => a.toLowerCase() === "any") || !Array.isArray(reply)) return reply;
  return [...reply].sort((x, y) => (Bun.inspect(x) < Bun.inspect(y) ? -1 : Bun.inspect(x) > Bun.inspect(y) ? 1 : 0));
};

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the geo parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for the geo family", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(SCRIPT.length).toBeGreaterThan(200);
    expect(await parityDiffs(pair!, SCRIPT, resp, normalize)).toEqual([]);
  });
});
