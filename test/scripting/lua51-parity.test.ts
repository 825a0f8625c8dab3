// Lua 5.1 as Redis 7.0.15 runs it, on the Lua 5.4 WebAssembly VM: the 5.1 names scripts use
// (unpack, loadstring, math.pow, table.getn...), number conversions both ways (floats with an
// integral value, truncation, redis.call arguments), the bit library's 32-bit edge cases, and
// runtime error texts in 5.1's words. Compared reply for reply with redis-server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const E = (body: string, ...rest: string[]): string[] => ["eval", body, ...rest];
const SCRIPT: string[][] = [
  ["#flush"],
  // 5.1 names
  E("return unpack({1, 2, 3})", "0"), E("return {unpack({1, 2, 3}, 2)}", "0"), E("return table.getn({1, 2, 3, 4})", "0"),
  E("return math.pow(2, 10)", "0"), E("return math.mod(7, 3)", "0"), E("return type(loadstring)", "0"),
  E("return loadstring('return 1 + 1')()", "0"), E("return type(loadstring(string.dump(function() return 1 end)))", "0"),
  E("local f = loadstring('return ...') return f(7)", "0"),
  E("return string.format('%5.2f|%d|%s', 3.14159, 42, 'x')", "0"), E("return #string.rep('ab', 3)", "0"),
  E("return select('#', 1, 2, 3)", "0"), E("return {string.byte('ABC', 1, 3)}", "0"), E("return table.concat({1, 2, 3}, ',')", "0"),
  E("local t = {3, 1, 2}; table.sort(t); return t", "0"), E("return tonumber('0x10')", "0"), E("return tonumber('12', 8)", "0"),
  E("return type(os)", "0"), E("return type(io)", "0"), E("return type(dofile)", "0"), E("return type(print)", "0"),
  // numbers: Lua → Redis truncates, 5.1 prints integral floats without ".0"
  E("return 3.0", "0"), E("return 10 / 2", "0"), E("return -7 / 2", "0"), E("return {1.5, 2.0, -0.5}", "0"),
  E("return tostring(10 / 2)", "0"), E("return tostring(3.5)", "0"), E("return tostring(1e15)", "0"), E("return tostring(2^53)", "0"),
  E("return tostring(1/3)", "0"), E("return tostring(100)", "0"), E("return tostring(math.floor(7.9))", "0"),
  E("return math.floor(-3.5)", "0"), E("return math.huge > 1", "0"), E("return 7 % 3", "0"), E("return 2^31", "0"),
  E("return tonumber(ARGV[1]) + 1", "0", "41"), E("return ARGV[1] + 1", "0", "41"), E("return ARGV[1] * 2", "0", "2.5"),
  // numbers as redis.call arguments
  E("redis.call('set', KEYS[1], 2.0); return redis.call('get', KEYS[1])", "1", "n"),
  E("redis.call('set', KEYS[1], 10 / 4); return redis.call('get', KEYS[1])", "1", "n"),
  E("redis.call('set', KEYS[1], -17); return redis.call('get', KEYS[1])", "1", "n"),
  E("redis.call('set', KEYS[1], 12345678); return redis.call('get', KEYS[1])", "1", "n"),
  E("return redis.call('incrby', KEYS[1], 5)", "1", "c"), E("return redis.call('expire', KEYS[1], 100.0)", "1", "c"),
  // bit (LuaBitOp)
  E("return bit.tobit(0xffffffff)", "0"), E("return bit.tobit(2^32 + 5)", "0"), E("return bit.bnot(0)", "0"), E("return bit.bor(1, 2, 4, 8)", "0"),
  E("return bit.rshift(-1, 28)", "0"), E("return bit.arshift(-256, 4)", "0"), E("return bit.lshift(1, 31)", "0"), E("return bit.rol(0x12345678, 8)", "0"),
  E("return bit.tohex(-1)", "0"), E("return bit.tohex(0x1234, -4)", "0"), E("return bit.tohex(0xabcdef, 3)", "0"), E("return bit.bswap(0x12345678)", "0"),
  // runtime errors in 5.1's words
  E("local a; return a + 1", "0"), E("local a; return a .. 'x'", "0"), E("local t = {}; return t.x.y", "0"), E("local t = {}; t.f()", "0"),
  E("return 1 < 'x'", "0"), E("return #nil", "0"), E("local s = 'x'; return s:nosuch()", "0"), E("return ('x'):rep()", "0"),
  E("return string.sub()", "0"), E("return math.floor('a')", "0"), E("return tostring()", "0"), E("return redis.call('get', KEYS[1], nil)", "1", "k"),
  E("local function f() local up; return function() return up.x end end; return f()()", "0"),
  // cjson and cmsgpack numbers
  E("return cjson.encode({1.5, 3, -2, 10 / 2})", "0"), E("return cjson.encode({a = 0.1})", "0"), E("return cjson.decode('[1.25]')[1] * 4", "0"),
  E("return cmsgpack.unpack(cmsgpack.pack(1.5)) * 2", "0"), E("return cmsgpack.unpack(cmsgpack.pack(-300))", "0"),
  E("return cmsgpack.unpack(cmsgpack.pack(2^40))", "0"),
  E("local t = {} for i = 1, 100 do t[i] = i end return {cmsgpack.unpack(cmsgpack.pack(unpack(t)))}", "0"),
  E("local t = {} local c = t for i = 1, 40 do c[1] = {} c = c[1] end return #cmsgpack.pack(t)", "0"),
  E("return {cmsgpack.unpack(cmsgpack.pack(1, -1, 300, -300, 70000, -70000, 5000000000, 1.5, 'abc', true, false))}", "0"),
  E("local t = cmsgpack.unpack(cmsgpack.pack({a = {1, 2, {b = 'c'}}, d = 'e'})) return {t.a[3].b, t.d, #t.a}", "0"),
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the Lua 5.1 parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("Lua 5.1 behaviour matches redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
