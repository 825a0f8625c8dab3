// The geo family through the real command table over a real Keyspace, RESP2 and RESP3. Expected
// replies (scores, geohashes, distances, coordinates) are redis-server 7.0.15's for the same
// commands (see also test/e2e/geo-redis-parity.test.ts, which runs both servers side by side).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

const SICILY = ["geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"];

describe("GEOADD GEOPOS GEOHASH GEODIST", () => {
  test("scores are Redis's 52-bit geohashes; positions, hashes and distances decoded as Redis", () => {
    script(createHarness(), [
      [SICILY, 4],
      [["zrange", "Sicily", "0", "-1", "withscores"], ["Palermo", "3479099956230698", "edge1", "3479273021651468", "Catania", "3479447370796909", "edge2", "3481342659049484"]],
      [["geopos", "Sicily", "Palermo", "nosuch"], [["13.36138933897018433", "38.11555639549629859"], null]],
      [["geohash", "Sicily", "Palermo", "Catania", "nosuch"], ["sqc8b49rny0", "sqdtr74hyu0", null]],
      [["geodist", "Sicily", "Palermo", "Catania"], "166274.1516"],
      [["geodist", "Sicily", "Palermo", "Catania", "mi"], "103.3182"],
      [["geodist", "Sicily", "Palermo", "Catania", "KM"], "166.2742"],
      [["geodist", "Sicily", "Palermo", "nosuch"], null],
      [["geodist", "nokey", "a", "b"], null],
      [["geoadd", "Sicily", "0", "85.05112878", "north", "180", "0", "east"], 2],
      [["geopos", "Sicily", "north", "east"], [["0.00000268220901489", "85.0511287799999991"], ["180", "0.00000126736058093"]]],
      [["geohash", "Sicily", "north", "east"], ["up05b5048p0", "80000000000"]],
      [["geopos", "nokey", "a"], [null]],
      [["geohash", "nokey", "a"], [null]],
      [["geopos", "Sicily"], []],
    ]);
  });

  test("NX XX CH go to ZADD; coordinate and syntax errors first, then WRONGTYPE", () => {
    script(createHarness(), [
      [["geoadd", "g", "1", "2", "a"], 1],
      [["geoadd", "g", "nx", "ch", "3", "4", "a", "5", "6", "b"], 1],
      [["geopos", "g", "a"], [["0.99999994039535522", "2.0000001856465488"]]],
      [["geoadd", "g", "xx", "ch", "3", "4", "a", "7", "8", "c"], 1],
      [["geoadd", "g", "xx", "3", "4", "a"], 0],
      [["zcard", "g"], 2],
      [["geoadd", "g", "nx", "xx", "1", "2", "a"], { error: "ERR syntax error" }],
      [["geoadd", "g", "1", "2", "a", "3"], { error: "ERR syntax error" }],
      [["geoadd", "g", "ch", "ch", "ch"], { error: "ERR syntax error" }],
      [["geoadd", "g", "1", "2"], { error: "ERR wrong number of arguments for 'geoadd' command" }],
      [["geoadd", "g", "200", "0", "x"], { error: "ERR invalid longitude,latitude pair 200.000000,0.000000" }],
      [["geoadd", "g", "-0", "85.06", "x"], { error: "ERR invalid longitude,latitude pair -0.000000,85.060000" }],
      [["geoadd", "g", "abc", "1", "x"], { error: "ERR value is not a valid float" }],
      [["set", "s", "v"], "OK"],
      [["geoadd", "s", "200", "0", "x"], { error: "ERR invalid longitude,latitude pair 200.000000,0.000000" }],
      [["geoadd", "s", "1", "2", "x"], WRONGTYPE],
      [["geopos", "s", "x"], WRONGTYPE],
      [["geohash", "s", "x"], WRONGTYPE],
      [["geodist", "s", "x", "y"], WRONGTYPE],
      [["geodist", "s", "x", "y", "parsec"], { error: "ERR unsupported unit provided. please use M, KM, FT, MI" }],
      [["geodist", "g", "a", "b", "km", "x"], { error: "ERR syntax error" }],
    ]);
  });

  test("RESP3: coordinates are doubles, missing members null, distances bulk strings", () => {
    const h = createHarness({ resp: 3 });
    script(h, [
      [SICILY, 4],
      [["geopos", "Sicily", "Palermo", "nosuch"], [[13.361389338970184, 38.1155563954963], null]],
      [["geodist", "Sicily", "Palermo", "Catania", "km"], "166.2742"],
      [["geodist", "Sicily", "Palermo", "nosuch"], null],
      [["geohash", "Sicily", "nosuch"], [null]],
    ]);
  });
});

describe("GEORADIUS GEORADIUSBYMEMBER GEOSEARCH GEOSEARCHSTORE", () => {
  test("WITHDIST WITHHASH WITHCOORD, ASC DESC COUNT, box and radius", () => {
    script(createHarness(), [
      [SICILY, 4],
      [["georadius", "Sicily", "15", "37", "200", "km", "withdist", "withcoord", "withhash", "asc"], [
        ["Catania", "56.4413", 3479447370796909, ["15.08726745843887329", "37.50266842333162032"]],
        ["Palermo", "190.4424", 3479099956230698, ["13.36138933897018433", "38.11555639549629859"]],
      ]],
      [["georadius", "Sicily", "15", "37", "200", "km", "withdist", "desc", "count", "2"], [["Palermo", "190.4424"], ["Catania", "56.4413"]]],
      [["georadius_ro", "Sicily", "15", "37", "200", "km", "count", "1"], ["Catania"]],
      [["geosearch", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "asc", "withdist"], [["Palermo", "0.0000"], ["edge1", "91.4007"], ["Catania", "166.2742"]]],
      [["georadiusbymember_ro", "Sicily", "Palermo", "100", "km"], ["Palermo", "edge1"]],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km"], []],
      [["geosearch", "nokey", "frommember", "x", "bybox", "1", "1", "km"], []],
    ]);
  });

  test("STORE, STOREDIST and GEOSEARCHSTORE write sorted sets (an empty result deletes)", () => {
    script(createHarness(), [
      [SICILY, 4],
      [["geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "storedist"], 2],
      [["zrange", "dst", "0", "-1", "withscores"], ["Catania", "56.441257870158204", "Palermo", "190.44242984775784"]],
      [["georadiusbymember", "Sicily", "Palermo", "100", "km", "store", "dst2"], 2],
      [["zrange", "dst2", "0", "-1", "withscores"], ["Palermo", "3479099956230698", "edge1", "3479273021651468"]],
      [["georadius", "Sicily", "15", "37", "200", "km", "storedist", "dst3", "desc", "count", "1"], 1],
      [["zrange", "dst3", "0", "-1", "withscores"], ["Palermo", "190.44242984775784"]],
      [["geosearchstore", "dst", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km"], 0],
      [["exists", "dst"], 0],
      [["georadiusbymember", "nokey", "x", "1", "km", "store", "dst2"], 0],
      [["exists", "dst2"], 0],
    ]);
  });

  test("option errors, in Redis's order", () => {
    script(createHarness(), [
      [SICILY, 4],
      [["georadius", "Sicily", "15", "37", "200", "km", "store", "x", "withdist"], { error: "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options" }],
      [["geosearchstore", "d", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "withcoord"], { error: "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options" }],
      [["georadius_ro", "Sicily", "15", "37", "200", "km", "store", "x"], { error: "ERR syntax error" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "storedist"], { error: "ERR syntax error" }],
      [["geosearch", "Sicily", "frommember", "Palermo", "fromlonlat", "1", "2", "byradius", "1", "km"], { error: "ERR syntax error" }],
      [["geosearch", "Sicily", "byradius", "1", "km", "byradius", "2", "km"], { error: "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch" }],
      [["GEOSEARCH", "Sicily", "fromlonlat", "1", "2", "asc", "asc"], { error: "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "any"], { error: "ERR the ANY argument requires COUNT argument" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count", "0"], { error: "ERR COUNT must be > 0" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "count", "x"], { error: "ERR value is not an integer or out of range" }],
      [["geosearch", "Sicily", "frommember", "nope", "byradius", "1", "km"], { error: "ERR could not decode requested zset member" }],
      [["georadiusbymember", "Sicily", "nope", "-1", "km"], { error: "ERR could not decode requested zset member" }],
      [["georadius", "Sicily", "15", "37", "-1", "km"], { error: "ERR radius cannot be negative" }],
      [["georadius", "Sicily", "15", "37", "a", "km"], { error: "ERR need numeric radius" }],
      [["georadius", "Sicily", "15", "37", "1", "lightyear"], { error: "ERR unsupported unit provided. please use M, KM, FT, MI" }],
      [["georadius", "Sicily", "15", "99", "1", "km"], { error: "ERR invalid longitude,latitude pair 15.000000,99.000000" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "-1", "2", "km"], { error: "ERR height or width cannot be negative" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "a", "2", "km"], { error: "ERR need numeric width" }],
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "1", "a", "km"], { error: "ERR need numeric height" }],
      [["geosearch", "Sicily", "fromlonlat"], { error: "ERR wrong number of arguments for 'geosearch' command" }],
      [["set", "s", "v"], "OK"],
      [["georadius", "s", "15", "99", "1", "km"], WRONGTYPE],
      [["geosearchstore", "d", "s", "fromlonlat", "15", "37", "byradius", "200", "km"], WRONGTYPE],
    ]);
  });

  test("COUNT ANY stops at the first members found; RESP3 coordinates are doubles", () => {
    const h = createHarness({ resp: 3 });
    h.run(SICILY);
    const any = h.run(["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "500", "km", "count", "2", "any"]) as string[];
    expect(any).toHaveLength(2);
    script(h, [
      [["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "withcoord", "asc"], [
        ["Catania", [15.087267458438873, 37.50266842333162]],
        ["Palermo", [13.361389338970184, 38.1155563954963]],
      ]],
    ]);
  });
});
