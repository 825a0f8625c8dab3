// The client libraries Redis users start with, on every data type, against fast-cache (two
// workers) and redis-server (when installed), with identical results: node-redis (its `database`
// option too) and Bun's built-in RedisClient.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { createClient } from "redis";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let ours: ServerProcess;
let pair: ParityPair | undefined;
beforeAll(async () => {
  ours = await spawnServer(["--appendonly", "no"]);
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; the client libraries run against fast-cache only");
});
afterAll(async () => {
  await ours.stop();
  await pair?.stop();
});

async function nodeRedisFlow(port: number): Promise<unknown[]> {
  const c = createClient({ socket: { host: "127.0.0.1", port }, database: 3 });
  await c.connect();
  try {
    await c.flushDb();
    return [
      await c.hSet("h", { a: "1", b: "2" }), await c.hGetAll("h"), await c.hIncrBy("h", "a", 5),
      await c.lPush("l", ["x", "y"]), await c.lRange("l", 0, -1), await c.sAdd("s", ["m", "n"]), (await c.sMembers("s")).sort(),
      await c.zAdd("z", [{ score: 1, value: "a" }, { score: 2.5, value: "b" }]), await c.zRangeWithScores("z", 0, -1), await c.zScore("z", "b"),
      await c.eval("return redis.call('incr', KEYS[1])", { keys: ["n"] }), await c.xAdd("st", "1-1", { f: "v" }), await c.xLen("st"),
      await c.pfAdd("hll", ["a", "b", "c"]), await c.pfCount("hll"), await c.setBit("bits", 7, 1), await c.bitCount("bits"),
      await c.dbSize(), await c.set("k", "v", { EX: 100 }), await c.get("k"),
    ];
  } finally {
    await c.quit();
  }
}

async function bunClientFlow(port: number): Promise<unknown[]> {
  const c = new RedisClient(`redis://127.0.0.1:${port}/5`);
  await c.connect();
  try {
    await c.send("FLUSHDB", []);
    return [
      await c.hset("h", "f", "v"), await c.hget("h", "f"), await c.send("HGETALL", ["h"]),
      await c.send("RPUSH", ["l", "a", "b"]), await c.send("LRANGE", ["l", "0", "-1"]), await c.sadd("s", "m"), await c.sismember("s", "m"),
      await c.send("ZADD", ["z", "3", "c"]), await c.send("ZRANGE", ["z", "0", "-1", "WITHSCORES"]), await c.incr("n"), await c.exists("h"),
      await c.send("DBSIZE", []),
    ];
  } finally {
    c.close();
  }
}

test("node-redis: every type, the database option, EVAL, streams, HLL and bitmaps", async () => {
  const got = await nodeRedisFlow(ours.port);
  expect(got[1]).toEqual({ a: "1", b: "2" });
  expect(got[17]).toBe(8);
  if (pair !== undefined) expect(got).toEqual(await nodeRedisFlow(pair.redisPort));
});

test("Bun's RedisClient: hashes, lists, sets, sorted sets, counters in database 5", async () => {
  const got = await bunClientFlow(ours.port);
  expect(got[1]).toBe("v");
  if (pair !== undefined) expect(got).toEqual(await bunClientFlow(pair.redisPort));
});
