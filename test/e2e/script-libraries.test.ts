// The coordination libraries Redis users run, each through its real flow over ioredis, against
// fast-cache (always) and redis-server (when installed, so both are held to the same outcome):
// rate-limiter-flexible until blocked, redlock acquire/extend/release with a second locker kept
// out, redis-semaphore's Mutex and Semaphore; and ioredis's defineCommand (EVALSHA, falling back
// to EVAL on NOSCRIPT). They all run Lua scripts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import Redlock from "redlock";
import { Mutex, Semaphore } from "redis-semaphore";
import BeeQueue from "bee-queue";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let ours: ServerProcess;
let pair: ParityPair | undefined;
beforeAll(async () => {
  ours = await spawnServer(["--appendonly", "no"]);
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; the libraries run against fast-cache only");
});
afterAll(async () => {
  await ours.stop();
  await pair?.stop();
});

const targets = (): [string, number][] => [["fast-cache", ours.port], ...(pair !== undefined ? [["redis-server", pair.redisPort] as [string, number]] : [])];
const client = (port: number): Redis => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, enableOfflineQueue: true });

describe("Lua-based libraries", () => {
  test("rate-limiter-flexible: 5 points then blocked, with the right remaining points", async () => {
    for (const [name, port] of targets()) {
      const redis = client(port);
      try {
        const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `rl-${Date.now()}`, points: 5, duration: 60 });
        const left: number[] = [];
        for (let i = 0; i < 5; i++) left.push((await limiter.consume("user-1")).remainingPoints);
        expect(left, name).toEqual([4, 3, 2, 1, 0]);
        const blocked = await limiter.consume("user-1").then(() => "allowed", (r: { remainingPoints: number; msBeforeNext: number }) => r);
        expect(blocked, name).not.toBe("allowed");
        expect((blocked as { remainingPoints: number }).remainingPoints, name).toBe(0);
        expect((blocked as { msBeforeNext: number }).msBeforeNext, name).toBeGreaterThan(50_000);
        expect((await limiter.consume("user-2")).remainingPoints, name).toBe(4);
      } finally {
        redis.disconnect();
      }
    }
  });

  test("redlock: acquire, a second locker kept out, extend, release, then the second gets it", async () => {
    for (const [name, port] of targets()) {
      const a = client(port);
      const b = client(port);
      try {
        const one = new Redlock([a], { retryCount: 0 });
        const two = new Redlock([b], { retryCount: 0 });
        const resource = `lock:${name}:${Date.now()}`;
        const lock = await one.acquire([resource], 10_000);
        await expect(two.acquire([resource], 10_000), name).rejects.toThrow();
        const extended = await lock.extend(20_000);
        expect(extended.expiration, name).toBeGreaterThan(lock.expiration);
        await extended.release();
        const theirs = await two.acquire([resource], 5_000);
        await theirs.release();
      } finally {
        a.disconnect();
        b.disconnect();
      }
    }
  });

  test("redis-semaphore: a Mutex excludes, a Semaphore admits its limit", async () => {
    for (const [name, port] of targets()) {
      const redis = client(port);
      try {
        const key = `sem:${name}:${Date.now()}`;
        const m1 = new Mutex(redis, `${key}:m`, { acquireAttemptsLimit: 1 });
        const m2 = new Mutex(redis, `${key}:m`, { acquireAttemptsLimit: 1 });
        expect(await m1.tryAcquire(), name).toBe(true);
        expect(await m2.tryAcquire(), name).toBe(false);
        await m1.release();
        expect(await m2.tryAcquire(), name).toBe(true);
        await m2.release();
        const sems = [1, 2, 3].map(() => new Semaphore(redis, `${key}:s`, 2, { acquireAttemptsLimit: 1 }));
        const got = [];
        for (const s of sems) got.push(await s.tryAcquire());
        expect(got, name).toEqual([true, true, false]);
        for (const s of sems) await s.release();
      } finally {
        redis.disconnect();
      }
    }
  });

  test("bee-queue: 200 jobs, some delayed, processed by 5 concurrent workers, health counts as on redis-server", async () => {
    for (const [name, port] of targets()) {
      const q = new BeeQueue(`bee-${name}-${Date.now()}`, { redis: { host: "127.0.0.1", port }, removeOnSuccess: false, activateDelayedJobs: true });
      let done = 0;
      let sum = 0;
      q.process(5, async (job: { data: { n: number } }) => job.data.n * 2);
      q.on("succeeded", (_job: unknown, result: number) => {
        done++;
        sum += result;
      });
      try {
        await q.ready();
        for (let i = 0; i < 200; i++) await q.createJob({ n: i }).delayUntil(i % 10 === 0 ? Date.now() + 150 : Date.now()).save();
        const deadline = Date.now() + 20_000;
        while (done < 200 && Date.now() < deadline) await Bun.sleep(20);
        expect({ done, sum }, name).toEqual({ done: 200, sum: 200 * 199 });
        const health = await q.checkHealth();
        expect({ ...health, newestJob: undefined }, name).toEqual({ waiting: 0, active: 0, succeeded: 200, failed: 0, delayed: 0, newestJob: undefined });
      } finally {
        await q.close();
      }
    }
  }, 60_000);

  test("ioredis defineCommand: EVALSHA after SCRIPT FLUSH falls back to EVAL", async () => {
    const redis = client(ours.port);
    try {
      redis.defineCommand("addTo", { numberOfKeys: 1, lua: "return redis.call('incrby', KEYS[1], ARGV[1])" });
      const r = redis as Redis & { addTo(key: string, n: number): Promise<number> };
      expect(await r.addTo("counter", 5)).toBe(5);
      await redis.script("FLUSH");
      expect(await r.addTo("counter", 2)).toBe(7);
    } finally {
      redis.disconnect();
    }
  });
});
