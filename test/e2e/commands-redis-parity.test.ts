// Parity with redis-server 7.0.15: the same command script runs against a real redis-server and
// against our server process, over RESP2 and RESP3, and every reply must be identical. Commands
// whose replies depend on hash order or on the clock (KEYS order, SCAN cursors, PTTL) are left to
// the other tests. Skipped when redis-server is not installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

/** "#flush" empties both servers; everything else is a command. */
const SCRIPT: string[][] = [
  ["#flush"], ["get", "k"], ["set", "k", "v"], ["get", "k"], ["set", "k", "v", "nx"], ["set", "k", "v2", "xx"],
  ["get", "k"], ["set", "k2", "v", "xx"], ["set", "k", "v", "nx", "xx"], ["set", "k", "v", "xx", "nx"], ["set", "k", "v", "ex", "10", "px", "100"], ["set", "k", "v", "ex"],
  ["set", "k", "v", "keepttl", "ex", "10"], ["set", "k", "v", "ex", "10", "keepttl"], ["set", "k", "v", "ex", "abc"], ["set", "k", "v", "ex", "0"], ["set", "k", "v", "ex", "-5"], ["set", "k", "v", "px", "0"],
  ["set", "k", "v", "ex", "9223372036854775"], ["set", "k", "v", "ex", "9223372036854776"], ["set", "k", "v", "pxat", "9223372036854775807"], ["set", "k", "v", "exat", "9223372036854775"], ["set", "k", "v", "ex", "10", "ex", "20"], ["ttl", "k"],
  ["set", "k", "v", "keepttl"], ["ttl", "k"], ["set", "k", "new", "get"], ["set", "nokey", "x", "get"], ["set", "k", "v3", "nx", "get"], ["get", "k"],
  ["set", "k", "v", "GET", "XX", "EX", "100"], ["set", "k", "v", "foo"], ["set", "k", "v", "persist"], ["setnx", "k", "x"], ["setnx", "k9", "x"], ["setex", "k", "10", "v"],
  ["setex", "k", "0", "v"], ["setex", "k", "x", "v"], ["psetex", "k", "0", "v"], ["psetex", "k", "100000", "v"], ["mget", "k", "k9", "nokey"], ["mset", "a", "1", "b"],
  ["mset", "a", "1", "b", "2"], ["msetnx", "a", "1", "c", "3"], ["msetnx", "c", "3", "d", "4"], ["msetnx", "e"], ["getset", "a", "9"], ["getset", "zz", "9"],
  ["getdel", "a"], ["getdel", "a"], ["getex", "b"], ["getex", "b", "ex", "100"], ["ttl", "b"], ["getex", "b", "persist"],
  ["ttl", "b"], ["getex", "b", "ex", "10", "px", "10"], ["getex", "b", "persist", "ex", "10"], ["getex", "b", "nx"], ["getex", "b", "ex", "0"], ["getex", "b", "keepttl"],
  ["getex", "nokey", "ex", "10"], ["getex", "b", "exat", "1"], ["exists", "b"], ["#flush"], ["incr", "i"], ["incrby", "i", "10"],
  ["decr", "i"], ["decrby", "i", "5"], ["incrby", "i", "abc"], ["incrby", "i", " 1"], ["incrby", "i", "+1"], ["incrby", "i", "01"],
  ["set", "i", "9223372036854775806"], ["incr", "i"], ["incr", "i"], ["set", "i", "-9223372036854775807"], ["decr", "i"], ["decr", "i"],
  ["decrby", "i", "-9223372036854775808"], ["set", "i", "5"], ["decrby", "i", "-9223372036854775808"], ["incrby", "i", "9223372036854775807"], ["incrby", "i", "9223372036854775800"], ["get", "i"],
  ["set", "i", "1.5"], ["incr", "i"], ["set", "i", " 1"], ["incr", "i"], ["set", "i", "123456789012345678901"], ["incr", "i"],
  ["set", "i", "9007199254740993"], ["incr", "i"], ["incrby", "i", "9007199254740993"], ["set", "f", "10.5"], ["incrbyfloat", "f", "0.1"], ["incrbyfloat", "f", "-5.0e3"],
  ["incrbyfloat", "f", "abc"], ["incrbyfloat", "f", "inf"], ["incrbyfloat", "f", "nan"], ["incrbyfloat", "f", " 1"], ["incrbyfloat", "f", "1e400"], ["incrbyfloat", "f", "0x1p-2"],
  ["set", "f", "abc"], ["incrbyfloat", "f", "1"], ["incrbyfloat", "nf", "3"], ["incrbyfloat", "nf2", "1e-30"], ["set", "f", "1e308"], ["incrbyfloat", "f", "1e308"],
  ["set", "f", "-0"], ["incrbyfloat", "f", "0"], ["set", "f", "5"], ["incrbyfloat", "f", "-5"], ["#flush"], ["append", "s", "hello"],
  ["append", "s", " world"], ["strlen", "s"], ["strlen", "nokey"], ["getrange", "s", "0", "4"], ["getrange", "s", "-5", "-1"], ["getrange", "s", "0", "-100"],
  ["getrange", "s", "-100", "-200"], ["getrange", "s", "5", "3"], ["getrange", "s", "100", "200"], ["getrange", "s", "0", "abc"], ["getrange", "nokey", "0", "5"], ["substr", "s", "1", "3"],
  ["getrange", "s", "-1", "-5"], ["getrange", "s", "-3", "100"], ["setrange", "s", "6", "WORLD"], ["get", "s"], ["setrange", "s", "20", "!"], ["get", "s"],
  ["setrange", "s", "-1", "x"], ["setrange", "s", "x", "x"], ["setrange", "n2", "0", ""], ["exists", "n2"], ["setrange", "s", "0", ""], ["setrange", "n3", "3", "abc"],
  ["get", "n3"], ["setrange", "s", "536870912", "x"], ["setrange", "s", "536870911", ""], ["set", "int", "12345"], ["append", "int", "6"], ["get", "int"],
  ["set", "a", "ohmytext"], ["set", "b", "mynewtext"], ["lcs", "a", "b"], ["lcs", "a", "b", "len"], ["lcs", "a", "b", "idx"], ["lcs", "a", "b", "idx", "minmatchlen", "4"],
  ["lcs", "a", "b", "idx", "withmatchlen"], ["lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"], ["lcs", "a", "b", "len", "idx"], ["lcs", "a", "b", "foo"], ["lcs", "a", "b", "minmatchlen"], ["lcs", "a", "b", "minmatchlen", "x"],
  ["lcs", "a", "nokey"], ["lcs", "a", "nokey", "idx"], ["lcs", "a", "b", "idx", "minmatchlen", "-5"], ["set", "x1", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA"], ["set", "x2", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"], ["lcs", "x1", "x2", "idx", "withmatchlen"],
  ["lcs", "x1", "x2"], ["#flush"], ["set", "a", "1"], ["set", "b", "2"], ["set", "c", "3"], ["del", "a", "b", "nokey", "a"],
  ["exists", "a", "c", "c", "nokey"], ["unlink", "c"], ["dbsize"], ["set", "a", "1"], ["type", "a"], ["type", "nokey"],
  ["touch", "a", "a", "nokey"], ["rename", "nokey", "x"], ["rename", "a", "a"], ["renamenx", "a", "a"], ["renamenx", "nokey", "a"], ["set", "b", "2"],
  ["renamenx", "a", "b"], ["rename", "a", "b"], ["get", "b"], ["exists", "a"], ["expire", "b", "100"], ["rename", "b", "c"],
  ["ttl", "c"], ["set", "d", "x"], ["expire", "d", "50"], ["rename", "d", "c"], ["ttl", "c"], ["copy", "c", "e"],
  ["ttl", "e"], ["get", "e"], ["copy", "c", "e"], ["copy", "c", "e", "replace"], ["copy", "c", "c"], ["copy", "nokey", "z"],
  ["copy", "c", "f", "db"], ["copy", "c", "f", "db", "x"], ["copy", "c", "f", "db", "0"], ["copy", "c", "g", "foo"], ["copy", "c", "g", "replace", "replace"], ["#flush"],
  ["set", "k", "v"], ["expire", "k", "100", "nx"], ["expire", "k", "200", "nx"], ["ttl", "k"], ["expire", "k", "50", "xx"], ["ttl", "k"],
  ["expire", "k", "100", "gt"], ["ttl", "k"], ["expire", "k", "10", "gt"], ["expire", "k", "10", "lt"], ["ttl", "k"], ["expire", "k", "20", "lt"],
  ["persist", "k"], ["persist", "k"], ["expire", "k", "10", "xx"], ["expire", "k", "10", "gt"], ["expire", "k", "10", "lt"], ["ttl", "k"],
  ["expire", "k", "10", "nx", "xx"], ["expire", "k", "10", "gt", "lt"], ["expire", "k", "10", "nx", "gt"], ["expire", "k", "10", "foo"], ["expire", "k", "10", "xx", "Bar"], ["expire", "k", "abc"],
  ["expire", "k", "9223372036854775"], ["expire", "k", "9223372036854776"], ["expire", "k", "-9223372036854776"], ["pexpire", "k", "9223372036854775807"], ["expireat", "k", "9223372036854775"], ["pexpireat", "k", "9223372036854775807"],
  ["set", "k", "v"], ["expire", "nokey", "10"], ["ttl", "nokey"], ["expiretime", "nokey"], ["ttl", "k"], ["expiretime", "k"],
  ["expireat", "k", "4000000000"], ["expiretime", "k"], ["pexpireat", "k", "4000000000123"], ["expiretime", "k"], ["expire", "k", "-1"], ["exists", "k"],
  ["set", "k", "v"], ["expireat", "k", "1"], ["exists", "k"], ["set", "k", "v"], ["pexpire", "k", "0"], ["exists", "k"],
  ["set", "k", "v"], ["expire", "k", "0", "lt"], ["exists", "k"], ["persist", "nokey"], ["#flush"], ["set", "k1", "v"],
  ["set", "k2", "v"], ["set", "other", "v"], ["scan", "0", "type", "string", "count", "100", "match", "other"], ["scan", "0", "type", "hash", "count", "100"], ["flushdb", "async"], ["flushdb", "foo"],
  ["flushall", "sync"], ["flushall", "x", "y"], ["flushdb"], ["set", "i", "123"], ["set", "e", "hello"], ["set", "r", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
  ["set", "r44", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], ["object", "encoding", "i"], ["object", "encoding", "e"], ["object", "encoding", "r"], ["object", "encoding", "r44"], ["object", "encoding", "nokey"],
  ["object", "refcount", "i"], ["object", "refcount", "e"], ["object", "freq", "i"], ["object", "freq", "nokey"], ["object", "foo", "i"], ["object", "encoding"],
  ["object", "help", "x"], ["set", "i2", "-0"], ["object", "encoding", "i2"], ["set", "i3", "12345678901234567890"], ["object", "encoding", "i3"], ["set", "i4", "9223372036854775807"],
  ["object", "encoding", "i4"], ["#flush"], ["set", "k", "v"], ["expire", "k", "-9223372036854776"], ["expire", "k", "-9223372036854775"], ["exists", "k"],
  ["set", "k", "v"], ["expireat", "k", "9223372036854775"], ["expireat", "k", "9223372036854776"], ["set", "k", "v", "exat", "9223372036854776"], ["set", "k", "v", "exat", "9223372036854775"], ["set", "k", "v", "ex", "9223372036854776"],
  ["getex", "k", "exat", "9223372036854776"], ["set", "k", "v", "pxat", "9223372036854775807"], ["pexpireat", "k", "9223372036854775807"], ["pexpireat", "k", "-9223372036854775808"], ["exists", "k"],
];


let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the command parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
