// Replication on Redis's protocol with the real redis-server 7.0.15, both ways: a redis-server
// replica of fast-cache, and a fast-cache replica of redis-server. Data written before the link
// (full sync by RDB) and a random write load of every type after it (the stream) compare equal
// key by key; a link killed on either side resumes with a partial resync (PSYNC → +CONTINUE),
// and writes on a replica get -READONLY.
import { describe, expect, test } from "bun:test";
import { pipeline } from "../persistence/e2e-helpers.ts";
import { spawnServer } from "../support/server-process.ts";
import { ask, imageOf, randomWrites, REDIS_SERVER, replInfo, startRedis, until, writeAndWait } from "./helpers.ts";

if (REDIS_SERVER === null) console.log("skipping replication tests with redis-server: redis-server is not installed (apt-get install redis-server)");

const PRELOAD = randomWrites(800, 7);
const redisReplicaArgs = ["--repl-diskless-sync-delay", "0"];

describe.skipIf(REDIS_SERVER === null)("replication with redis-server 7.0.15", () => {
  test("a redis-server replica of fast-cache: full sync, stream, partial resync after a link kill, WAIT counts real acks", async () => {
    await using primary = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    await pipeline(primary.port, PRELOAD);
    const replica = await startRedis(["--replicaof", "127.0.0.1", String(primary.port), ...redisReplicaArgs]);
    try {
      await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 15000, "the redis replica's link to come up");
      expect(await writeAndWait(primary.port, randomWrites(3000, 11))).toBe(1);
      expect(await imageOf(replica.port)).toEqual(await imageOf(primary.port));
      expect(await ask(replica.port, "SET", "x", "1")).toEqual({ error: "READONLY You can't write against a read only replica." });

      // The link dies; the replica comes back with PSYNC and gets only what it missed.
      expect(await ask(primary.port, "CLIENT", "KILL", "TYPE", "replica")).toBe(1);
      await pipeline(primary.port, randomWrites(500, 12));
      await until(async () => (await replInfo(primary.port, "connected_slaves")) === "1", 15000, "the replica to reconnect");
      expect(await writeAndWait(primary.port, [["SET", "fence", "1"]])).toBe(1);
      expect(await imageOf(replica.port)).toEqual(await imageOf(primary.port));
      const stats = String(await ask(replica.port, "INFO", "replication"));
      expect(stats).toContain("master_link_status:up");
      const role = (await ask(primary.port, "ROLE")) as unknown[];
      expect(role[0]).toBe("master");
      expect((role[2] as unknown[]).length).toBe(1);
    } finally {
      await replica.stop();
    }
  }, 90_000);

  test("a fast-cache replica of redis-server (two workers): full sync of every type, stream, partial resync", async () => {
    const primary = await startRedis(["--repl-diskless-sync-delay", "0"]);
    try {
      await pipeline(primary.port, PRELOAD);
      await using replica = await spawnServer(["--workers", "2", "--appendonly", "no", "--replicaof", `127.0.0.1 ${primary.port}`]);
      await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 15000, "our link to come up");
      expect(await writeAndWait(primary.port, randomWrites(3000, 21))).toBe(1);
      expect(await imageOf(replica.port)).toEqual(await imageOf(primary.port));
      expect(await ask(replica.port, "SET", "x", "1")).toEqual({ error: "READONLY You can't write against a read only replica." });

      const fullBefore = Number(/sync_full:(\d+)/.exec(String(await ask(primary.port, "INFO", "stats")))![1]);
      expect(await ask(primary.port, "CLIENT", "KILL", "TYPE", "replica")).toBe(1);
      await pipeline(primary.port, randomWrites(500, 22));
      await until(async () => (await replInfo(primary.port, "connected_slaves")) === "1", 15000, "our replica to reconnect");
      expect(await writeAndWait(primary.port, [["SET", "fence", "1"]])).toBe(1);
      expect(await imageOf(replica.port)).toEqual(await imageOf(primary.port));
      const stats = String(await ask(primary.port, "INFO", "stats"));
      expect(Number(/sync_full:(\d+)/.exec(stats)![1])).toBe(fullBefore);
      expect(Number(/sync_partial_ok:(\d+)/.exec(stats)![1])).toBeGreaterThanOrEqual(1);

      // Promotion: REPLICAOF NO ONE makes it a writable primary holding the data.
      expect(await ask(replica.port, "REPLICAOF", "NO", "ONE")).toBe("OK");
      expect(await ask(replica.port, "SET", "after", "promotion")).toBe("OK");
      expect(((await ask(replica.port, "ROLE")) as unknown[])[0]).toBe("master");
    } finally {
      await primary.stop();
    }
  }, 90_000);

  test("a primary of two workers: one stream to a redis-server replica and to a fast-cache replica, both equal to it", async () => {
    await using primary = await spawnServer(["--workers", "2", "--appendonly", "no"]);
    await pipeline(primary.port, PRELOAD);
    const redisReplica = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      await using ours = await spawnServer(["--workers", "2", "--appendonly", "no", "--replicaof", `127.0.0.1 ${primary.port}`]);
      await until(async () => (await replInfo(redisReplica.port, "master_link_status")) === "up", 15000, "the redis replica's link");
      await until(async () => (await replInfo(ours.port, "master_link_status")) === "up", 15000, "our replica's link");
      await pipeline(primary.port, randomWrites(3000, 31));
      // WAIT counts the replicas of the worker the client is on (see README): with two workers a
      // replica may be served by the other one, so the test waits for equality itself (bounded).
      const image = await imageOf(primary.port);
      const same = async (port: number): Promise<boolean> => JSON.stringify(await imageOf(port)) === JSON.stringify(image);
      await until(() => same(redisReplica.port), 20000, "the redis replica to equal the primary").catch(() => {});
      await until(() => same(ours.port), 20000, "our replica to equal the primary").catch(() => {});
      expect(await imageOf(redisReplica.port)).toEqual(image);
      expect(await imageOf(ours.port)).toEqual(image);
    } finally {
      await redisReplica.stop();
    }
  }, 90_000);
});
