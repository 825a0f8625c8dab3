// String and key commands through ioredis against the real server process (RESP2, pipelined).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
let redis: Redis;

beforeAll(async () => {
  srv = await spawnServer();
  redis = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  redis?.disconnect();
  await srv?.stop();
});

beforeEach(async () => {
  await redis.flushall();
});

/** The error message a command rejects with. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the command to fail");
}

describe("string commands over ioredis", () => {
  test("SET options and GET round-trip", async () => {
    expect(await redis.set("k", "v")).toBe("OK");
    expect(await redis.get("k")).toBe("v");
    expect(await redis.set("k", "w", "NX")).toBeNull();
    expect(await redis.set("k", "w", "XX", "GET")).toBe("v");
    expect(await redis.set("t", "v", "EX", 100)).toBe("OK");
    expect(await redis.ttl("t")).toBe(100);
    expect(await redis.set("t", "v2", "KEEPTTL")).toBe("OK");
    expect(await redis.ttl("t")).toBe(100);
    expect(await redis.get("missing")).toBeNull();
  });

  test("binary and large values come back byte for byte", async () => {
    const bin = Buffer.from([0, 1, 2, 13, 10, 255, 254, 36, 42]);
    await redis.set("bin", bin);
    expect(Buffer.compare((await redis.getBuffer("bin"))!, bin)).toBe(0);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    big[12345] = 9;
    await redis.set("big", big);
    expect(Buffer.compare((await redis.getBuffer("big"))!, big)).toBe(0);
    expect(await redis.strlen("big")).toBe(big.length);
  });

  test("a pipeline of mixed commands replies in order", async () => {
    const results = await redis
      .pipeline()
      .mset("a", "1", "b", "2")
      .incr("a")
      .incrby("b", 40)
      .incrbyfloat("c", "2.5")
      .append("s", "hello")
      .append("s", " world")
      .getrange("s", 0, 4)
      .setrange("s", 6, "WORLD")
      .mget("a", "b", "c", "s", "missing")
      .getdel("a")
      .exec();
    expect(results!.map(([err, v]) => err ?? v)).toEqual([
      "OK",
      2,
      42,
      "2.5",
      5,
      11,
      "hello",
      11,
      ["2", "42", "2.5", "hello WORLD", null],
      "2",
    ]);
  });

  test("errors keep Redis's text", async () => {
    await redis.set("s", "abc");
    expect(await errorOf(redis.incr("s"))).toBe("ERR value is not an integer or out of range");
    expect(await errorOf(redis.incrbyfloat("s", 1))).toBe("ERR value is not a valid float");
    expect(await errorOf(redis.set("k", "v", "EX", 0))).toBe("ERR invalid expire time in 'set' command");
    expect(await errorOf(redis.call("set", "k", "v", "NX", "XX"))).toBe("ERR syntax error");
    await redis.set("n", "9223372036854775807");
    expect(await errorOf(redis.incr("n"))).toBe("ERR increment or decrement would overflow");
  });

  test("GETEX, SETEX, PSETEX and SETNX", async () => {
    expect(await redis.setex("e", 50, "v")).toBe("OK");
    expect(await redis.ttl("e")).toBe(50);
    expect(await redis.psetex("p", 50_000, "v")).toBe("OK");
    expect(await redis.getex("p", "PERSIST")).toBe("v");
    expect(await redis.ttl("p")).toBe(-1);
    expect(await redis.setnx("e", "x")).toBe(0);
    expect(await redis.setnx("new", "x")).toBe(1);
    expect(await redis.msetnx("new", "1", "other", "2")).toBe(0);
  });

  test("LCS", async () => {
    await redis.mset("a", "ohmytext", "b", "mynewtext");
    expect(await redis.call("lcs", "a", "b")).toBe("mytext");
    expect(await redis.call("lcs", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")).toEqual([
      "matches",
      [[[4, 7], [5, 8], 4]],
      "len",
      6,
    ]);
  });
});

describe("key commands over ioredis", () => {
  test("DEL, EXISTS, TYPE, RENAME, COPY", async () => {
    await redis.mset("a", "1", "b", "2");
    expect(await redis.exists("a", "b", "nokey")).toBe(2);
    expect(await redis.type("a")).toBe("string");
    expect(await redis.rename("a", "c")).toBe("OK");
    expect(await redis.renamenx("c", "b")).toBe(0);
    expect(await redis.copy("c", "d")).toBe(1);
    expect(await redis.del("b", "c", "nokey")).toBe(2);
    expect(await redis.get("d")).toBe("1");
    expect(await errorOf(redis.rename("nokey", "x"))).toBe("ERR no such key");
  });

  test("an expiry in the past removes the key and a future one is reported", async () => {
    await redis.mset("a", "1", "b", "2");
    expect(await redis.pexpireat("a", 1)).toBe(1);
    expect(await redis.exists("a")).toBe(0);
    const at = Math.floor(Date.now() / 1000) + 1000;
    expect(await redis.expireat("b", at)).toBe(1);
    expect(await redis.expiretime("b")).toBe(at);
    expect(await redis.expire("b", 10, "GT")).toBe(0);
    expect(await redis.persist("b")).toBe(1);
    expect(await redis.ttl("b")).toBe(-1);
  });

  test("a key set with a short PX disappears (bounded wait, no timing assertion)", async () => {
    await redis.set("short", "v", "PX", 30);
    let exists = 1;
    for (let i = 0; i < 200 && exists === 1; i++) {
      await Bun.sleep(10);
      exists = await redis.exists("short");
    }
    expect(exists).toBe(0);
  });

  test("scanStream visits every key exactly once", async () => {
    const want: string[] = [];
    const p = redis.pipeline();
    for (let i = 0; i < 1000; i++) {
      p.set(`user:${i}`, "v");
      want.push(`user:${i}`);
    }
    p.set("other", "v");
    await p.exec();
    const seen: string[] = [];
    const stream = redis.scanStream({ match: "user:*", count: 100 });
    for await (const batch of stream) seen.push(...(batch as string[]));
    expect(seen.sort()).toEqual(want.sort());
    expect((await redis.keys("user:1?")).sort()).toEqual(["user:10", "user:11", "user:12", "user:13", "user:14", "user:15", "user:16", "user:17", "user:18", "user:19"]);
    expect(await redis.dbsize()).toBe(1001);
  });

  test("OBJECT and MEMORY USAGE", async () => {
    await redis.mset("i", "12", "s", "hello");
    expect(await redis.object("ENCODING", "i")).toBe("int");
    expect(await redis.object("ENCODING", "s")).toBe("embstr");
    expect(await redis.memory("USAGE", "s")).toBeGreaterThan(5);
    expect(await redis.memory("USAGE", "nokey")).toBeNull();
  });

  test("FLUSHDB ASYNC empties the keyspace", async () => {
    await redis.mset("a", "1", "b", "2");
    expect(await redis.flushdb("ASYNC")).toBe("OK");
    expect(await redis.dbsize()).toBe(0);
    expect(await redis.randomkey()).toBeNull();
  });
});
