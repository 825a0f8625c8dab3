// A replica away for longer than the in-memory backlog covers still resumes with a partial resync,
// from the disk backlog (src/replication/disk-backlog.ts): the replicas are stopped (SIGSTOP)
// while the primary writes many times its 16 KiB ring, their links are cut, and when they run
// again they PSYNC and get +CONTINUE — a redis-server replica and a fast-cache one — ending equal
// to the primary key by key with no second full sync. Past `repl-backlog-disk-size`, or with it
// set to 0, the same absence takes a full sync, and the data is equal all the same.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "../persistence/e2e-helpers.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";
import { ask, imageOf, randomWrites, REDIS_SERVER, replInfo, startRedis, until, writeAndWait, type RedisProcess } from "./helpers.ts";

if (REDIS_SERVER === null) console.log("skipping the disk backlog tests: redis-server is not installed (apt-get install redis-server)");

const stat = async (port: number, field: string): Promise<number> =>
  Number(new RegExp(`${field}:(\\d+)`).exec(String(await ask(port, "INFO", "stats")))![1]);

/** About `mb` MiB of writes: 1 KiB values over 2,000 keys, and writes of every type. */
function bulk(mb: number, seed: number): string[][] {
  const v = "x".repeat(1000);
  const out: string[][] = [];
  for (let i = 0; i < mb * 1000; i++) out.push(["SET", `big:${i % 2000}`, `${seed}:${i}:${v}`]);
  return [...out, ...randomWrites(1000, seed)];
}

/**
 * Stops both replicas and cuts their links (so nothing written next is in flight to them), writes
 * `mb` MiB on the primary, and lets them run again.
 */
async function absence(primary: ServerProcess, replicas: { pid: number }[], mb: number, seed: number): Promise<void> {
  for (const r of replicas) process.kill(r.pid, "SIGSTOP");
  try {
    expect(await ask(primary.port, "CLIENT", "KILL", "TYPE", "replica")).toBe(replicas.length);
    for (let i = 0; i < mb; i++) await pipeline(primary.port, bulk(1, seed * 100 + i));
  } finally {
    for (const r of replicas) process.kill(r.pid, "SIGCONT");
  }
}

async function bothUp(primary: ServerProcess, redis: RedisProcess, ours: ServerProcess): Promise<void> {
  try {
    await until(async () => (await replInfo(primary.port, "connected_slaves")) === "2", 30000, "both replicas to reconnect");
  } catch (e) {
    // Seen once under the full suite's load: say which side did not come back.
    const links = `redis replica ${await replInfo(redis.port, "master_link_status")}, ours ${await replInfo(ours.port, "master_link_status")}`;
    throw new Error(`${(e as Error).message} (${links}); primary log tail:\n${primary.stdout().slice(-3000)}\nour replica's:\n${ours.stdout().slice(-2000)}`);
  }
  expect(await writeAndWait(primary.port, [["SET", "fence", String(Date.now())]], 2, 30000)).toBe(2);
  const want = await imageOf(primary.port);
  expect(await imageOf(redis.port)).toEqual(want);
  expect(await imageOf(ours.port)).toEqual(want);
}

describe.skipIf(REDIS_SERVER === null)("the disk backlog", () => {
  test("replicas away for 6 MiB of stream (384x the ring) resume with +CONTINUE; past the disk limit or with it off, a full sync", async () => {
    await using primary = await spawnServer(["--workers", "1", "--appendonly", "yes", "--repl-backlog-size", "16kb", "--repl-backlog-disk-size", "64mb"]);
    await pipeline(primary.port, randomWrites(800, 5));
    const redis = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      await using ours = await spawnServer(["--workers", "1", "--appendonly", "no", "--replicaof", `127.0.0.1 ${primary.port}`]);
      await until(async () => (await replInfo(redis.port, "master_link_status")) === "up", 15000, "the redis replica's link");
      await until(async () => (await replInfo(ours.port, "master_link_status")) === "up", 15000, "our replica's link");
      expect(await stat(primary.port, "sync_full")).toBe(2);

      await absence(primary, [redis.proc, ours.proc], 6, 1);
      await bothUp(primary, redis, ours);
      expect(await stat(primary.port, "sync_full")).toBe(2);
      expect(await stat(primary.port, "sync_partial_ok")).toBe(2);
      const files = readdirSync(join(primary.dir, "repl-backlog-0"));
      expect(files.length).toBeGreaterThan(0);
      expect(primary.stdout()).toContain("Replica resumed from the disk backlog");

      // A disk limit smaller than the absence: the older part is gone, so a full sync.
      expect(await ask(primary.port, "CONFIG", "SET", "repl-backlog-disk-size", "2mb")).toBe("OK");
      await absence(primary, [redis.proc, ours.proc], 6, 2);
      await bothUp(primary, redis, ours);
      expect(await stat(primary.port, "sync_full")).toBe(4);

      // Off: the files go, and an absence longer than the ring takes a full sync.
      expect(await ask(primary.port, "CONFIG", "SET", "repl-backlog-disk-size", "0")).toBe("OK");
      expect(readdirSync(join(primary.dir, "repl-backlog-0"))).toEqual([]);
      await absence(primary, [redis.proc, ours.proc], 1, 3);
      await bothUp(primary, redis, ours);
      expect(await stat(primary.port, "sync_full")).toBe(6);
      expect(await stat(primary.port, "sync_partial_ok")).toBe(2);
    } finally {
      await redis.stop();
    }
  }, 180_000);

  test("without the WAL there is no disk backlog", async () => {
    await using primary = await spawnServer(["--workers", "1", "--appendonly", "no", "--repl-backlog-size", "16kb"]);
    const redis = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      await until(async () => (await replInfo(redis.port, "master_link_status")) === "up", 15000, "the redis replica's link");
      await pipeline(primary.port, bulk(1, 9));
      expect(await writeAndWait(primary.port, [["SET", "fence", "1"]], 1, 20000)).toBe(1);
      expect(existsSync(join(primary.dir, "repl-backlog-0"))).toBe(false);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});
