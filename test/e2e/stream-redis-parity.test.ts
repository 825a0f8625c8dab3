// STREAM family parity with redis-server 7.0.15: one script against a real redis-server and our
// server process, over RESP2 and RESP3. IDs are explicit so both servers agree; times (idle,
// seen-time, delivery times) are normalised, and so is XINFO's radix-tree-nodes (a detail of
// Redis's radix tree this layout does not have). Skipped, with a notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair, type ReplyNormalizer } from "../support/redis-parity.ts";
import type { RespValue } from "../support/resp-decode.ts";

const many = (key: string, from: number, n: number, fields: (i: number) => string[]): string[][] =>
  Array.from({ length: n }, (_v, i) => ["xadd", key, `${from + i}-1`, ...fields(i)]);

const SCRIPT: string[][] = [
  ["#flush"],
  // XADD: IDs, options, errors
  ["xadd", "s", "1-1", "a", "1", "b", "2"], ["xadd", "s", "1-2", "a", "3"], ["xadd", "s", "1-*", "x", "y"], ["xadd", "s", "2", "a", "1", "b", "2"],
  ["xadd", "s", "2-*", "a", "1"], ["xadd", "s", "1-9", "a", "1"], ["xadd", "s", "2-2", "a", "1"], ["xadd", "s", "0-0", "a", "1"], ["xadd", "n", "0-0", "a", "1"],
  ["xadd", "s", "007-1", "z", "z"], ["xadd", "s", "+8-1", "z", "z"], ["xadd", "s", " 9-1", "z", "z"], ["xadd", "s", "-5", "a", "1"], ["xadd", "s", "1.5", "a", "1"],
  ["xadd", "s", "18446744073709551616", "a", "1"], ["xadd", "s", "10-1", "a"], ["xadd", "s", "10-1"], ["xadd", "s", "nomkstream", "10-1", "a", "1"],
  ["xadd", "nokey", "nomkstream", "1-1", "a", "1"], ["exists", "nokey"], ["xadd", "s", "maxlen"], ["xadd", "s", "maxlen", "x", "11-1", "a", "1"],
  ["xadd", "s", "maxlen", "-1", "11-1", "a", "1"], ["xadd", "s", "maxlen", "1", "minid", "1", "11-1", "a", "1"], ["xadd", "s", "limit", "5", "11-1", "a", "1"],
  ["xadd", "s", "maxlen", "=", "5", "limit", "5", "11-1", "a", "1"], ["xadd", "s", "limit", "0", "11-1", "a", "1"], ["xadd", "s", "maxlen", "~", "5", "limit", "-1", "11-1", "a", "1"],
  ["xadd", "s", "minid", "(5", "11-1", "a", "1"], ["xadd", "s", "minid", "bad", "11-1", "a", "1"],
  ["xrange", "s", "-", "+"], ["xlen", "s"],
  ["xadd", "s", "maxlen", "3", "11-1", "a", "1"], ["xrange", "s", "-", "+"], ["xadd", "s", "minid", "=", "10", "12-1", "a", "1"], ["xrange", "s", "-", "+"],
  ["xadd", "s", "maxlen", "0", "13-1", "a", "1"], ["xlen", "s"], ["exists", "s"], ["xinfo", "stream", "s"],
  ["xadd", "max", "18446744073709551615-18446744073709551615", "a", "1"], ["xadd", "max", "*", "a", "1"], ["xadd", "max", "18446744073709551615-*", "a", "1"],
  ["xadd", "m2", "18446744073709551615-18446744073709551614", "a", "1"], ["xadd", "m2", "18446744073709551615-*", "a", "1"], ["xrange", "m2", "-", "+"],
  // XRANGE / XREVRANGE
  ...many("r", 1, 12, (i) => (i % 3 === 0 ? ["f", String(i), "g", "x"] : ["f", String(i)])),
  ["xrange", "r", "-", "+", "count", "3"], ["xrange", "r", "3", "5"], ["xrange", "r", "(3-1", "(5-1"], ["xrange", "r", "3-2", "+", "count", "2"],
  ["xrevrange", "r", "+", "-", "count", "4"], ["xrevrange", "r", "(10-1", "(2-1"], ["xrevrange", "r", "5", "3"], ["xrange", "r", "5", "3"],
  ["xrange", "r", "-", "+", "count", "0"], ["xrange", "r", "-", "+", "count", "-1"], ["xrange", "nokey", "-", "+", "count", "0"], ["xrange", "r", "-", "+", "count"],
  ["xrange", "r", "-", "+", "foo", "1"], ["xrange", "r", "(-", "+"], ["xrange", "r", "-", "(+"], ["xrange", "r", "(0-0", "+", "count", "1"], ["xrange", "r", "-", "(0-0"],
  ["xrange", "r", "(18446744073709551615-18446744073709551615", "+"], ["xrange", "r", "x", "+"], ["xrange", "r", "-", "+", "count", "x"], ["xrevrange", "r", "-", "+"],
  // XDEL / XTRIM / XSETID
  ["xdel", "r", "2-1", "4-1", "99-1"], ["xdel", "r", "2-1"], ["xdel", "r", "x"], ["xdel", "nokey", "1-1"], ["xlen", "r"], ["xrange", "r", "-", "+", "count", "3"],
  ["xtrim", "r", "maxlen", "8"], ["xtrim", "r", "minid", "6"], ["xtrim", "r", "maxlen", "~", "1"], ["xtrim", "r", "foo", "1"], ["xtrim", "r", "maxlen", "1", "limit", "2"],
  ["xtrim", "r", "maxlen", "~", "1", "limit", "-2"], ["xtrim", "r", "limit", "5", "maxlen", "~", "1"], ["xtrim", "r", "maxlen", "~", "1", "minid", "2"], ["xtrim", "nokey", "maxlen", "1"],
  ["xtrim", "r", "maxlen"], ["xrange", "r", "-", "+"], ["xinfo", "stream", "r"],
  ["xsetid", "r", "1-1"], ["xsetid", "nokey", "1-1"], ["xsetid", "r", "99-1", "entriesadded", "1"], ["xsetid", "r", "99-1", "maxdeletedid", "100-1"],
  ["xsetid", "r", "99-1", "entriesadded", "-1"], ["xsetid", "r", "99-1", "foo", "1"], ["xsetid", "r", "99-1", "entriesadded", "50", "maxdeletedid", "90-1"], ["xinfo", "stream", "r"],
  ["xsetid", "r", "95-1"], ["xadd", "r", "98-1", "a", "1"], ["xadd", "r", "100-1", "a", "1"], ["xinfo", "stream", "r"],
  // node splits and ~ trimming (100 entries a node, as stream-node-max-entries)
  ...many("big", 1, 250, (i) => ["k", String(i)]),
  ["xinfo", "stream", "big"], ["xtrim", "big", "maxlen", "~", "120"], ["xlen", "big"], ["xtrim", "big", "maxlen", "~", "10", "limit", "50"], ["xlen", "big"],
  ["xtrim", "big", "minid", "~", "230"], ["xlen", "big"], ["xtrim", "big", "minid", "240"], ["xrange", "big", "-", "+", "count", "2"], ["xinfo", "stream", "big"],
  ["xadd", "big", "maxlen", "~", "5", "300-1", "k", "v"], ["xlen", "big"],
  // XREAD
  ["xread", "streams", "r", "0"], ["xread", "count", "2", "streams", "r", "big", "0", "245"], ["xread", "streams", "r", "$"], ["xread", "streams", "nokey", "0"],
  ["xread", "streams", "r"], ["xread", "streams", "r", "big", "0"], ["xread", "count", "x", "streams", "r", "0"], ["xread", "block", "x", "streams", "r", "0"],
  ["xread", "block", "-1", "streams", "r", "0"], ["xread", "foo", "streams", "r", "0"], ["xread", "count", "1"], ["xread", "group", "g", "c", "streams", "r", "0"],
  ["xread", "noack", "streams", "r", "0"], ["xread", "streams", "r", ">"], ["xread", "streams", "r", "x"], ["xread", "count", "-5", "streams", "r", "99-1"],
  ["xread", "block", "0", "streams", "r", "0"],
  // consumer groups
  ...many("q", 1, 6, (i) => ["job", String(i)]),
  ["xgroup", "create", "q", "g", "0"], ["xgroup", "create", "q", "g", "0"], ["xgroup", "create", "q", "late", "$"], ["xgroup", "create", "nokey", "g", "$"],
  ["xgroup", "create", "mk", "g", "$", "mkstream"], ["xgroup", "create", "mk", "g2", "0", "entriesread", "-5"], ["xgroup", "create", "mk", "g3", "0", "entriesread", "x"],
  ["xgroup", "create", "mk", "g4", "bad"], ["xgroup", "create", "mk", "g5", "0", "mkstream", "foo"], ["xgroup", "create", "q", "er", "3-1", "entriesread", "3"],
  ["xinfo", "groups", "q"], ["xinfo", "groups", "mk"], ["xinfo", "groups", "nokey"],
  ["xreadgroup", "group", "g", "alice", "count", "2", "streams", "q", ">"], ["xreadgroup", "group", "g", "bob", "count", "1", "streams", "q", ">"],
  ["xreadgroup", "group", "g", "alice", "streams", "q", "0"], ["xreadgroup", "group", "g", "alice", "count", "1", "streams", "q", "1-1"],
  ["xreadgroup", "group", "g", "carol", "noack", "count", "1", "streams", "q", ">"], ["xreadgroup", "group", "nog", "c", "streams", "q", ">"],
  ["xreadgroup", "group", "g", "c", "streams", "nokey", ">"], ["xreadgroup", "group", "g", "c", "streams", "q", "$"], ["xreadgroup", "streams", "q", ">"],
  ["xreadgroup", "group", "g", "c", "streams", "q"], ["xreadgroup", "group", "g", "c", "streams", "q", "x"],
  ["xpending", "q", "g"], ["xpending", "q", "g", "-", "+", "10"], ["xpending", "q", "g", "-", "+", "10", "alice"], ["xpending", "q", "g", "-", "+", "10", "nobody"],
  ["xpending", "q", "g", "(1-1", "+", "1"], ["xpending", "q", "g", "idle", "0", "-", "+", "10"], ["xpending", "q", "g", "idle", "99999999", "-", "+", "10"],
  ["xpending", "q", "g", "-", "+"], ["xpending", "q", "g", "idle", "0", "-", "+"], ["xpending", "q", "nog"], ["xpending", "nokey", "g"], ["xpending", "q", "g", "-", "+", "x"],
  ["xpending", "q", "g", "x", "+", "10"], ["xpending", "q", "late"],
  ["xack", "q", "g", "1-1", "9-9"], ["xack", "q", "g", "1-1"], ["xack", "q", "nog", "1-1"], ["xack", "nokey", "g", "1-1"], ["xack", "q", "g", "x"],
  ["xclaim", "q", "g", "bob", "0", "2-1", "justid"], ["xclaim", "q", "g", "bob", "0", "2-1"], ["xpending", "q", "g", "-", "+", "10"],
  ["xclaim", "q", "g", "dave", "0", "5-1", "force", "justid"], ["xclaim", "q", "g", "dave", "0", "6-1", "force"], ["xpending", "q", "g", "-", "+", "10"],
  ["xclaim", "q", "g", "erin", "0", "3-1", "retrycount", "7", "justid"], ["xclaim", "q", "g", "erin", "99999999", "2-1"], ["xclaim", "q", "g", "erin", "0", "2-1", "lastid", "9-1", "justid"],
  ["xclaim", "q", "g", "erin", "0", "2-1", "foo"], ["xclaim", "q", "g", "erin", "x", "2-1"], ["xclaim", "q", "g", "erin", "0", "2-1", "idle", "x"], ["xclaim", "q", "g", "erin", "0", "2-1", "time", "x"],
  ["xclaim", "q", "g", "erin", "0", "2-1", "retrycount", "x"], ["xclaim", "q", "g", "erin", "0", "2-1", "lastid", "x"], ["xclaim", "q", "nog", "erin", "0", "2-1"], ["xclaim", "nokey", "g", "erin", "0", "2-1"],
  ["xinfo", "groups", "q"],
  ["xautoclaim", "q", "g", "frank", "0", "0", "count", "2"], ["xautoclaim", "q", "g", "frank", "0", "0", "justid"], ["xautoclaim", "q", "g", "frank", "0", "(3-1"],
  ["xautoclaim", "q", "g", "frank", "0", "0", "count", "0"], ["xautoclaim", "q", "g", "frank", "0", "0", "foo"], ["xautoclaim", "q", "g", "frank", "x", "0"],
  ["xautoclaim", "q", "g", "frank", "0", "x"], ["xautoclaim", "q", "nog", "frank", "0", "0"], ["xautoclaim", "nokey", "g", "frank", "0", "0"],
  ["xdel", "q", "3-1"], ["xautoclaim", "q", "g", "gina", "0", "0", "justid"], ["xpending", "q", "g"], ["xreadgroup", "group", "g", "dave", "streams", "q", "0"],
  ["xdel", "q", "6-1"], ["xreadgroup", "group", "g", "dave", "streams", "q", "0"], ["xclaim", "q", "g", "hank", "0", "6-1"], ["xpending", "q", "g"],
  ["xinfo", "consumers", "q", "g"], ["xinfo", "consumers", "q", "nog"], ["xinfo", "consumers", "nokey", "g"], ["xinfo", "stream", "q"], ["xinfo", "stream", "q", "full"],
  ["xinfo", "stream", "q", "full", "count", "1"], ["xinfo", "stream", "q", "full", "count", "x"], ["xinfo", "stream", "q", "foo"], ["xinfo", "stream", "q", "full", "foo", "1"],
  ["xinfo", "stream", "nokey"], ["xinfo", "foo", "q"], ["xinfo", "help"], ["xinfo", "help", "x"],
  ["xgroup", "setid", "q", "g", "0", "entriesread", "2"], ["xinfo", "groups", "q"], ["xgroup", "setid", "q", "g", "$"], ["xgroup", "setid", "q", "g", "-"], ["xgroup", "setid", "q", "g", "+"],
  ["xgroup", "setid", "q", "nog", "0"], ["xgroup", "setid", "q", "g", "0", "mkstream"], ["xgroup", "setid", "q", "g", "0", "foo", "bar"], ["xgroup", "setid", "q", "g", "x"], ["xinfo", "groups", "q"],
  ["xgroup", "createconsumer", "q", "g", "zed"], ["xgroup", "createconsumer", "q", "g", "zed"], ["xgroup", "createconsumer", "q", "nog", "zed"],
  ["xgroup", "delconsumer", "q", "g", "zed"], ["xgroup", "delconsumer", "q", "g", "hank"], ["xgroup", "delconsumer", "q", "g", "nobody"], ["xpending", "q", "g"],
  ["xgroup", "destroy", "q", "late"], ["xgroup", "destroy", "q", "late"], ["xgroup", "destroy", "nokey", "g"], ["xgroup", "foo", "q", "g"], ["xgroup", "create", "q"],
  ["xgroup", "help"], ["xgroup", "help", "x"], ["xinfo", "groups", "q"],
  // lag and entries-read across XDEL and XADD
  ...many("lag", 1, 5, (i) => ["v", String(i)]),
  ["xgroup", "create", "lag", "g", "0"], ["xinfo", "groups", "lag"], ["xreadgroup", "group", "g", "c", "count", "2", "streams", "lag", ">"], ["xinfo", "groups", "lag"],
  ["xdel", "lag", "4-1"], ["xinfo", "groups", "lag"], ["xreadgroup", "group", "g", "c", "streams", "lag", ">"], ["xinfo", "groups", "lag"], ["xadd", "lag", "9-1", "v", "9"],
  ["xinfo", "groups", "lag"], ["xgroup", "create", "lag", "g2", "2-1"], ["xinfo", "groups", "lag"], ["xdel", "lag", "1-1"], ["xgroup", "create", "lag", "g3", "0"], ["xinfo", "groups", "lag"],
  // wrong types
  ["set", "str", "v"], ["xadd", "str", "1-1", "a", "1"], ["xrange", "str", "-", "+"], ["xlen", "str"], ["xdel", "str", "1-1"], ["xtrim", "str", "maxlen", "1"],
  ["xread", "streams", "str", "0"], ["xgroup", "create", "str", "g", "$"], ["xreadgroup", "group", "g", "c", "streams", "str", ">"], ["xack", "str", "g", "1-1"],
  ["xpending", "str", "g"], ["xclaim", "str", "g", "c", "0", "1-1"], ["xautoclaim", "str", "g", "c", "0", "0"], ["xinfo", "stream", "str"], ["xsetid", "str", "1-1"],
  ["type", "q"], ["object", "encoding", "q"], ["xadd"], ["xlen"], ["xrange", "s", "-"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the stream parity test");
});
afterAll(async () => {
  await pair?.stop();
});

const TIMED = new Set(["idle", "seen-time", "radix-tree-nodes"]);

/** Times and radix-tree-nodes set to 0, anywhere in a reply (flat RESP2 maps or RESP3 Maps). */
function untimed(v: RespValue): RespValue {
  if (v instanceof Map) {
    const m = new Map<RespValue, RespValue>();
    for (const [k, x] of v) m.set(k, typeof k === "string" && TIMED.has(k) ? 0 : untimed(x));
    return m;
  }
  if (!Array.isArray(v)) return typeof v === "number" && v > 1e12 ? 0 : v;
  return v.map((x, i) => (i > 0 && typeof v[i - 1] === "string" && TIMED.has(v[i - 1] as string) ? 0 : untimed(x)));
}

const normalize: ReplyNormalizer = (argv, v) => {
  const cmd = argv[0]!.toLowerCase();
  if (cmd === "xinfo") return untimed(v);
  // XPENDING's extended form: [id, consumer, idle, deliveries] rows.
  if (cmd === "xpending" && argv.length > 3 && Array.isArray(v)) return v.map((row) => (Array.isArray(row) && row.length === 4 ? [row[0]!, row[1]!, 0, row[3]!] : row));
  return v;
};

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for the STREAM family", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp, normalize)).toEqual([]);
  });
});
