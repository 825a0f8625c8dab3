// FUNCTION and FCALL against redis-server 7.0.15, over RESP2 and RESP3, with the default workers:
// the empty library set first, then loading (every metadata and registration error), FCALL and
// FCALL_RO with flags, LIST (one library at a time: the order of several is a hash order), STATS,
// DELETE and FLUSH. Skipped, with a notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair, type ReplyNormalizer } from "../support/redis-parity.ts";
import type { RespValue } from "../support/resp-decode.ts";

/** FUNCTION LIST: a library's functions sorted by name (Redis lists them in its dict's hash order, seeded per process). */
const normalize: ReplyNormalizer = (argv, v) => {
  if (argv[0] !== "function" || argv[1] !== "list" || !Array.isArray(v)) return v;
  const name = (f: RespValue): string => JSON.stringify(f instanceof Map ? f.get("name") : Array.isArray(f) ? f[1] : f);
  return v.map((lib) => {
    if (lib instanceof Map) {
      const fns = lib.get("functions");
      if (Array.isArray(fns)) lib.set("functions", [...fns].sort((a, b) => (name(a) < name(b) ? -1 : 1)));
      return lib;
    }
    if (Array.isArray(lib)) {
      const i = lib.indexOf("functions");
      const fns = lib[i + 1];
      if (i >= 0 && Array.isArray(fns)) lib[i + 1] = [...fns].sort((a, b) => (name(a) < name(b) ? -1 : 1));
    }
    return lib;
  });
};

const SCRIPT: string[][] = [
  ["#flush"], ["function", "flush"], ["function", "flush", "async"], ["function", "flush", "SYNC"], ["function", "flush", "x"],
  ["function", "flush", "a", "b"], ["function"], ["function", "list"], ["function", "list", "withcode"], ["function", "list", "libraryname", "x*"],
  ["function", "list", "libraryname"], ["function", "list", "withcode", "withcode"], ["function", "list", "foo"], ["function", "stats"],
  ["function", "stats", "x"], ["function", "delete", "lib"], ["function", "delete"], ["function", "kill"], ["function", "bogus"],
  ["set", "k", "v"], ["getex", "nokey", "ex", "abc"], ["getex", "nokey", "ex", "-1"], ["getex", "nokey", "foo"], ["getex", "k", "ex", "abc"],
  ["getex", "k", "ex", "0"], ["hset", "h", "f", "v"], ["getex", "h", "ex", "abc"], ["getex", "h", "persist"], ["getex", "k", "persist"], ["ttl", "k"],
  // libraries
  ["function", "load", "return 1"], ["function", "load", "#!lua\nreturn 1"], ["function", "load", "#!lua name=lib\nreturn 1"],
  ["function", "load", "#!lua name=lib foo=bar\nredis.register_function('x', function() return 1 end)"], ["function", "load", "#!js name=lib\nx"],
  ["function", "load", "#!lua name=bad-name\nx"], ["function", "load", "#!lua name=lib\nredis.register_function('bad name', function() return 1 end)"],
  ["function", "load", "#!lua name=lib\nredis.call('ping')"], ["function", "load", "#!lua name=lib\nredis.register_function('f', 1)"],
  ["function", "load", "#!lua name=lib\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)"],
  ["function", "load", "#!lua name=lib\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}"],
  ["function", "load", "#!lua name=lib\nredis.register_function('incr1', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)"],
  ["function", "load", "#!lua name=lib\nredis.register_function('other', function() return 1 end)"],
  ["function", "load", "#!lua name=lib2\nredis.register_function('incr1', function() return 1 end)"],
  ["function", "load", "#!lua name=ro\nredis.register_function{function_name='get1', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads one'}\nredis.register_function{function_name='sneaky', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}"],
  ["fcall", "incr1", "1", "{c}n", "5"], ["fcall", "incr1", "1", "{c}n", "2"], ["fcall_ro", "incr1", "1", "{c}n", "1"], ["fcall_ro", "get1", "1", "{c}n"],
  ["fcall", "get1", "1", "{c}n"], ["fcall", "sneaky", "1", "{c}n"], ["fcall", "nosuch", "0"], ["fcall", "incr1", "x"], ["fcall", "incr1", "-1"], ["fcall", "incr1", "3", "a"],
  ["function", "list", "libraryname", "ro"], ["function", "list", "withcode", "libraryname", "lib"], ["function", "stats"],
  ["function", "load", "replace", "#!lua name=lib\nredis.register_function('incr1', function(keys, args) return 'replaced' end)"], ["fcall", "incr1", "0"],
  ["function", "load", "#!lua name=err\nredis.register_function('boom', function() error('oops') end)\nredis.register_function('rerr', function(keys) return redis.call('incr', keys[1]) end)"],
  ["fcall", "boom", "0"], ["set", "{c}s", "text"], ["fcall", "rerr", "1", "{c}s"],
  ["function", "delete", "ro"], ["function", "delete", "ro"], ["fcall_ro", "get1", "1", "{c}n"], ["function", "flush"], ["function", "list"], ["fcall", "incr1", "0"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the FUNCTION parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("FUNCTION, FCALL and GETEX's check order match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp, normalize)).toEqual([]);
  });
});
