// WAIT on a primary of two workers counts every worker's replicas: three redis-server replicas
// land on whichever worker the shared port gives them, and each of 30 fresh connections (also
// spread over the workers) writes keys owned by both workers, then WAIT 3 gets 3 — and at that
// moment every replica holds those writes. Asking for more replicas than there are waits out the
// timeout and answers the count that acked.
import { describe, expect, test } from "bun:test";
import { spawnServer } from "../support/server-process.ts";
import { ask, REDIS_SERVER, replInfo, startRedis, until, writeAndWait, type RedisProcess } from "./helpers.ts";

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
});
