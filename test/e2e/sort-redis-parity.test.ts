// SORT / SORT_RO parity with redis-server 7.0.15: one script against a real redis-server and our
// server with two workers, over RESP2 and RESP3. The sorted keys, their BY/GET targets and the
// STORE destinations are spread over both workers (checked below from the slot map), so the
// cross-worker path (a scratch copy under every worker's gate) is what answers. Skipped, with a
// notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { keyHashSlot } from "../../src/cluster/slots.ts";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const nums = ["3", "10", "-2", "7", "1.5", "0", "22", "5"];
const words = ["pear", "apple", "fig", "banana", "cherry", "date", "kiwi", "grape"];

const SETUP: string[][] = [
  ["#flush"],
  ["rpush", "nl", ...nums],
  ["rpush", "wl", ...words],
  ["sadd", "ns", "9", "4", "12", "-1", "4"],
  ["sadd", "ws", ...words.slice(0, 5)],
  // BY targets: weights per word, and hash fields; some missing, one not a number.
  ...words.map((w, i) => ["set", `w_${w}`, String((i * 37) % 11)]),
  ...words.slice(0, 6).map((w, i) => ["hset", `h_${w}`, "rank", String(100 - i * 7), "name", w.toUpperCase()]),
  ...nums.map((n, i) => ["set", `obj_${n}`, `value-${i}`]),
  ["set", "bad_fig", "notanumber"],
  ["set", "str", "x"],
  ["rpush", "dup", "2", "b", "10", "a", "2", "01", "1"],
];

const SCRIPT: string[][] = [
  ...SETUP,
  // plain numeric and ALPHA sorts, ASC/DESC
  ["sort", "nl"], ["sort", "nl", "desc"], ["sort", "nl", "asc"], ["sort_ro", "nl"], ["sort", "ns"], ["sort", "ns", "desc"],
  ["sort", "wl"], ["sort", "wl", "alpha"], ["sort", "wl", "alpha", "desc"], ["sort", "ws", "alpha"], ["sort_ro", "ws", "alpha", "desc"],
  ["sort", "dup"], ["sort", "dup", "alpha"], ["sort", "nosuch"], ["sort_ro", "nosuch", "alpha"],
  // LIMIT: negative, huge, zero count, past the end
  ["sort", "nl", "limit", "2", "3"], ["sort", "nl", "limit", "-5", "2"], ["sort", "nl", "limit", "0", "-1"], ["sort", "nl", "limit", "6", "100"],
  ["sort", "nl", "limit", "100", "3"], ["sort", "nl", "limit", "0", "0"], ["sort", "nl", "limit", "9223372036854775807", "9223372036854775807"],
  ["sort", "nl", "limit", "-9223372036854775808", "3"], ["sort", "nl", "limit", "x", "1"], ["sort", "nl", "limit", "1", "1.5"], ["sort", "nl", "limit", "1"],
  // BY patterns: string keys, hash fields, missing targets, nosort
  ["sort", "wl", "by", "w_*"], ["sort", "wl", "by", "w_*", "desc"], ["sort", "wl", "by", "h_*->rank"], ["sort", "wl", "by", "h_*->rank", "limit", "1", "3"],
  ["sort", "wl", "by", "h_*->name", "alpha"], ["sort", "wl", "by", "w_*", "alpha"], ["sort", "ws", "by", "w_*"],
  ["sort", "wl", "by", "nosort"], ["sort", "wl", "by", "nosort", "desc"], ["sort", "wl", "by", "nosort", "limit", "2", "3"], ["sort", "wl", "by", "nosort", "desc", "limit", "1", "2"],
  ["sort", "wl", "by", "nosort", "limit", "-1", "100"], ["sort", "wl", "by", "nosort", "limit", "50", "1"], ["sort", "ns", "by", "nosort"],
  ["sort", "wl", "by", "bad_*"], ["sort", "wl", "by", "h_*->nofield"], ["sort", "wl", "by", "w_*->rank"], ["sort", "wl", "by", "h_*"],
  // GET patterns: #, strings, hash fields, missing, several
  ["sort", "nl", "get", "obj_*"], ["sort", "nl", "get", "#", "get", "obj_*", "limit", "0", "4"], ["sort", "wl", "alpha", "get", "h_*->name", "get", "#", "get", "w_*"],
  ["sort", "wl", "by", "w_*", "get", "h_*->rank"], ["sort", "wl", "by", "nosort", "get", "#"], ["sort", "wl", "alpha", "get", "nostar"], ["sort", "wl", "alpha", "get", "h_*->"],
  ["sort_ro", "nl", "get", "obj_*", "desc"],
  // STORE: count, the list written, empty result deletes, TTL dropped, type replaced
  ["sort", "nl", "store", "dst1"], ["lrange", "dst1", "0", "-1"], ["type", "dst1"],
  ["sort", "wl", "by", "w_*", "get", "#", "get", "h_*->rank", "store", "dst2"], ["lrange", "dst2", "0", "-1"],
  ["sort", "ws", "by", "nosort", "store", "dst3"], ["lrange", "dst3", "0", "-1"],
  ["set", "dst4", "old", "ex", "100"], ["sort", "wl", "alpha", "limit", "0", "2", "store", "dst4"], ["ttl", "dst4"], ["lrange", "dst4", "0", "-1"],
  ["sort", "nosuch", "store", "dst4"], ["exists", "dst4"], ["sort", "nl", "limit", "0", "0", "store", "dst1"], ["exists", "dst1"],
  ["sort", "nl", "store", "nl"], ["lrange", "nl", "0", "-1"], ["sort", "wl", "store", "x", "store", "dst5", "alpha"], ["exists", "x"], ["lrange", "dst5", "0", "-1"],
  // errors
  ["sort", "wl"], ["sort", "wl", "by", "w_*", "get", "bad_*"], ["sort", "str"], ["sort_ro", "str"], ["sort", "str", "store", "d"], ["sort", "nl", "bogus"],
  ["sort_ro", "nl", "store", "d"], ["sort", "nl", "by"], ["sort", "nl", "get"], ["sort", "nl", "store"], ["sort"], ["sort_ro"], ["sort", "nl", "limit", "0", "x", "bogus"],
  ["sort", "nl", "bogus", "limit", "0", "x"], ["hset", "hh", "a", "1"], ["sort", "hh"],
  // scores in odd notations
  ["rpush", "odd5", "3", ""], ["sort", "odd5"], ["rpush", "odd7", "0x1p3", "\t2", "infinity"], ["sort", "odd7"],
  ["rpush", "odd", " 5", "0x10", "1e2", "inf", "-inf", "+3", ".5"], ["sort", "odd"], ["rpush", "odd2", "1", "5 "], ["sort", "odd2"], ["rpush", "odd3", "nan"], ["sort", "odd3"],
  ["command", "getkeys", "sort", "a", "store", "b", "by", "x", "store", "c", "get", "y"], ["command", "getkeys", "sort_ro", "a", "by", "x"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair(["--workers", "2"]);
  else console.log("notice: redis-server not installed; skipping the SORT parity test");
});
afterAll(async () => {
  await pair?.stop();
});

const owner = (key: string): number => (keyHashSlot(new TextEncoder().encode(key)) < 8192 ? 0 : 1);

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for SORT and SORT_RO", () => {
  test("the script's keys and pattern targets are spread over both workers", () => {
    const sources = ["nl", "wl", "ns", "ws"].map(owner);
    const targets = words.map((w) => owner(`w_${w}`));
    expect(new Set(sources)).toEqual(new Set([0, 1]));
    expect(new Set(targets)).toEqual(new Set([0, 1]));
    expect(new Set(["dst1", "dst2", "dst3", "dst4", "dst5"].map(owner))).toEqual(new Set([0, 1]));
  });

  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
