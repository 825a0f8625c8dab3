// EVAL/EVALSHA/SCRIPT parity with redis-server 7.0.15: a corpus of scripts exercising every
// conversion rule (Redis → Lua and back), redis.call / redis.pcall errors, globals protection,
// compile and runtime errors with Redis's texts, numkeys errors, cjson, cmsgpack, bit, and the
// script cache, over RESP2 and RESP3 (two workers: declared keys route the script to their owner).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const E = (body: string, ...rest: string[]): string[] => ["eval", body, ...rest];
const SCRIPT: string[][] = [
  ["#flush"], ["script", "flush"],
  // Lua → Redis
  E("return 1", "0"), E("return 3.99", "0"), E("return -3.99", "0"), E("return 'str'", "0"), E("return true", "0"), E("return false", "0"),
  E("return nil", "0"), E("return {1, 2, 3.7, 'x', nil, 'y'}", "0"), E("return {}", "0"), E("return {{1, {2, 'a'}}, 'b'}", "0"),
  E("return {ok = 'fine'}", "0"), E("return {err = 'bad thing'}", "0"), E("return redis.error_reply('E2 my')", "0"), E("return redis.status_reply('PONG')", "0"),
  E("return {true, false, 1}", "0"), E("return tostring(10 / 2)", "0"), E("return 2 ^ 10", "0"),
  // Redis → Lua
  E("return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"), E("return redis.call('get', KEYS[1])", "1", "k"),
  E("return type(redis.call('get', KEYS[1]))", "1", "nokey"), E("local r = redis.call('get', KEYS[1]); return tostring(r)", "1", "nokey"),
  E("return redis.call('incr', KEYS[1])", "1", "n"), E("return type(redis.call('incr', KEYS[1]))", "1", "n"),
  E("local r = redis.call('set', KEYS[1], 'x'); return r.ok", "1", "k"), E("return redis.call('rpush', KEYS[1], 'a', 'b', 'c')", "1", "{l}"),
  E("return redis.call('lrange', KEYS[1], 0, -1)", "1", "{l}"), E("return #redis.call('lrange', KEYS[1], 0, -1)", "1", "{l}"),
  E("return redis.call('hset', KEYS[1], 'f', 1, 'g', 2)", "1", "h"), E("return redis.call('hget', KEYS[1], 'f')", "1", "h"),
  E("return redis.call('exists', KEYS[1], KEYS[2])", "2", "{x}a", "{x}b"), E("return redis.call('mget', KEYS[1], KEYS[2])", "2", "{x}a", "{x}b"),
  E("return redis.call('set', KEYS[1], 3.5)", "1", "f"), E("return redis.call('get', KEYS[1])", "1", "f"), E("return redis.call('set', KEYS[1], 7)", "1", "f"),
  E("return redis.call('incrbyfloat', KEYS[1], '1.5')", "1", "f"),
  // errors
  E("return redis.call('incr', KEYS[1])", "1", "k"), E("return redis.pcall('incr', KEYS[1])", "1", "k"),
  E("local r = redis.pcall('incr', KEYS[1]); return r.err", "1", "k"), E("return redis.call('nosuch')", "0"), E("return redis.call('get')", "0"),
  E("return redis.call()", "0"), E("return redis.call('set', KEYS[1], {})", "1", "k"), E("return redis.call('eval', 'return 1', 0)", "0"),
  E("error('boom')", "0"), E("error({err = 'MYERR custom'})", "0"), E("local a = nil; return a.b", "0"), E("return x", "0"), E("x = 1", "0"),
  E("return 'a' +", "0"), E("return", "0"), E("return 1", "-1"), E("return 1", "5", "a"), E("return 1", "x"), E("return 1"),
  E("\n\nerror('on line three')", "0"), E("local t = {}\nt.x.y = 1", "0"),
  // libraries
  E("return cjson.encode({a = 1})", "0"), E("return cjson.encode({1, 2, 'x'})", "0"), E("return cjson.encode({})", "0"),
  E("return cjson.decode('[1,2,{\"a\":\"b\"}]')[3].a", "0"), E("return cjson.decode('{\"n\":12}').n", "0"),
  E("return cmsgpack.unpack(cmsgpack.pack({1, 2, 3}))[3]", "0"), E("return cmsgpack.unpack(cmsgpack.pack('hello'))", "0"),
  E("local t = cmsgpack.unpack(cmsgpack.pack({a = 'b', n = 300}))\nreturn {t.a, t.n}", "0"), E("return #cmsgpack.pack({1, 2, 3})", "0"),
  E("return bit.band(0xff, 0x0f)", "0"), E("return bit.bxor(5, 3)", "0"), E("return bit.tohex(255)", "0"), E("return bit.lshift(1, 10)", "0"),
  E("return redis.sha1hex('')", "0"), E("return unpack({1, 2})", "0"), E("return table.getn({1, 2, 3})", "0"),
  E("return string.format('%d-%s', 7, 'x')", "0"), E("return math.floor(7 / 2)", "0"), E("return type(KEYS)", "0"), E("return #ARGV", "0", "a", "b"),
  // the cache
  ["script", "load", "return 'loaded'"], ["evalsha", "1c8a1fc58bf9b5e2b41b1d3fe3c7dab13ae7e8d5", "0"], ["evalsha", "1C8A1FC58BF9B5E2B41B1D3FE3C7DAB13AE7E8D5", "0"],
  ["evalsha", "ffffffffffffffffffffffffffffffffffffffff", "0"], ["evalsha", "short", "0"],
  ["script", "exists", "1c8a1fc58bf9b5e2b41b1d3fe3c7dab13ae7e8d5", "ffffffffffffffffffffffffffffffffffffffff"], ["script", "load", "return +"],
  ["script", "flush", "bogus"], ["script", "flush", "async"], ["script", "exists", "1c8a1fc58bf9b5e2b41b1d3fe3c7dab13ae7e8d5"], ["script", "kill"],
  ["script", "foo"], ["eval_ro", "return redis.call('get', KEYS[1])", "1", "k"], ["eval_ro", "return redis.call('set', KEYS[1], 'x')", "1", "k"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the scripting parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("EVAL and SCRIPT replies match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
