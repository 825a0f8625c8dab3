// A primary of two workers is one primary to its replicas: whichever worker the shared port gives
// a replica's connection, worker 0 serves it (the other relays), so
// - WAIT counts every replica: three redis-server replicas, 30 fresh connections (spread over the
//   workers) each writing keys owned by both workers, then WAIT 3 gets 3 — and at that moment every
//   replica holds those writes; asking for more replicas than there are waits out the timeout;
// - a replica whose link is cut reconnects to either worker and resumes with +CONTINUE (no second
//   full sync), and ROLE / INFO replication list the replicas on every connection.
import { describe, expect, test } from "bun:test";
import { spawnServer } from "../support/server-process.ts";
import { pipeline } from "../persistence/e2e-helpers.ts";
import { ask, imageOf, randomWrites, REDIS_SERVER, replInfo, startRedis, until, writeAndWait, type RedisProcess } from "./helpers.ts";

const stat = async (port: number, field: string): Promise<number> =>
  Number(new RegExp(`${field}:(\\d+)`).exec(String(await ask(port, "INFO", "stats")))![1]);

if (REDIS_SERVER === null) console.log("skipping WAIT over workers: redis-server is not installed (apt-get install redis-server)");

describe.skipIf(REDIS_SERVER === null)("WAIT on a primary of two workers", () => {
  test("counts the replicas of every worker, after the writes of the connection reached them", async () => {
    await using primary = await spawnServer(["--workers", "2", "--appendonly", "no"]);
    const replicas: RedisProcess[] = [];
    try {
      for (let i = 0; i < 3; i++) replicas.push(await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]));
      for (const r of replicas) await until(async () => (await replInfo(r.port, "master_link_status")) === "up", 20000, "a replica's link");
      for (let i = 0; i < 30; i++) {
        const keys = [`w:${i}:a`, `w:${i}:b`, `w:${i}:c`, `w:${i}:d`];
        const n = await writeAndWait(primary.port, [...keys.map((k) => ["SET", k, String(i)]), ["RPUSH", `l:${i}`, "x", "y"]], 3, 15000);
        expect(n).toBe(3);
        for (const r of replicas) {
          expect(await ask(r.port, "MGET", ...keys)).toEqual(keys.map(() => String(i)));
          expect(await ask(r.port, "LRANGE", `l:${i}`, "0", "-1")).toEqual(["x", "y"]);
        }
      }
      // More than there are: the timeout, then the count.
      expect(await writeAndWait(primary.port, [["SET", "more", "1"]], 4, 300)).toBe(3);
      expect(await ask(primary.port, "WAIT", "0", "0")).toBeGreaterThanOrEqual(0);
    } finally {
      for (const r of replicas) await r.stop();
    }
  }, 120_000);

  test("a replica cut off reconnects to either worker and resumes with a partial resync; ROLE and INFO show it on every connection", async () => {
    await using primary = await spawnServer(["--workers", "2", "--appendonly", "no"]);
    await pipeline(primary.port, randomWrites(500, 41));
    const replica = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 20000, "the replica's link");
      expect(await stat(primary.port, "sync_full")).toBe(1);
      for (let round = 0; round < 6; round++) {
        expect(await ask(primary.port, "CLIENT", "KILL", "TYPE", "replica")).toBe(1);
        await pipeline(primary.port, randomWrites(300, 50 + round));
        await until(async () => (await replInfo(replica.port, "master_link_status")) === "up", 20000, "the link to come back");
        expect(await writeAndWait(primary.port, [["SET", "fence", String(round)]], 1, 15000)).toBe(1);
      }
      expect(await stat(primary.port, "sync_full")).toBe(1);
      expect(await stat(primary.port, "sync_partial_ok")).toBe(6);
      expect(await imageOf(replica.port)).toEqual(await imageOf(primary.port));
      for (let i = 0; i < 6; i++) {
        // Fresh connections land on both workers: each sees the one replica.
        expect(await replInfo(primary.port, "connected_slaves")).toBe("1");
        const role = (await ask(primary.port, "ROLE")) as [string, number, string[][]];
        expect(role[0]).toBe("master");
        expect(role[2].length).toBe(1);
        expect(role[2][0]![1]).toBe(String(replica.port));
      }
    } finally {
      await replica.stop();
    }
  }, 120_000);
});
