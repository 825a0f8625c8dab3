// FAILOVER (Redis 6.2) as Redis 7.0.15 does it: the same errors, in the same order of checks; a
// coordinated switch between fast-cache nodes and with redis-server either way (the old primary
// follows the new one with a partial resync, no acknowledged write lost, held writes answered
// -READONLY after the switch); FAILOVER ABORT rolls back.
import { describe, expect, test } from "bun:test";
import { PipeClient } from "../persistence/e2e-helpers.ts";
import { RawClient, spawnServer } from "../support/server-process.ts";
import { ask, REDIS_SERVER, replInfo, startRedis, until, writeAndWait } from "./helpers.ts";

const ERROR_CASES: string[][] = [
  ["FAILOVER"],
  ["FAILOVER", "ABORT"],
  ["FAILOVER", "ABORT", "FORCE"],
  ["FAILOVER", "TIMEOUT", "0"],
  ["FAILOVER", "TIMEOUT", "-5"],
  ["FAILOVER", "TIMEOUT", "abc"],
  ["FAILOVER", "TO", "127.0.0.1"],
  ["FAILOVER", "TO", "127.0.0.1", "x"],
  ["FAILOVER", "FORCE", "FORCE"],
  ["FAILOVER", "BOGUS"],
  ["FAILOVER", "FORCE"],
  ["FAILOVER", "TIMEOUT", "100", "FORCE"],
];

/** A primary with one replica of `replicaKind`, both fresh; returns their ports and a stop. */
async function pair(primaryKind: "fast-cache" | "redis", replicaKind: "fast-cache" | "redis") {
  const stops: (() => Promise<unknown>)[] = [];
  const start = async (kind: "fast-cache" | "redis", args: string[]): Promise<number> => {
    if (kind === "redis") {
      const r = await startRedis(["--repl-diskless-sync-delay", "0", ...args]);
      stops.push(() => r.stop());
      return r.port;
    }
    const s = await spawnServer(["--workers", "1", "--appendonly", "no", ...args]);
    stops.push(() => s.stop());
    return s.port;
  };
  const primary = await start(primaryKind, []);
  const replica = await start(replicaKind, ["--replicaof", "127.0.0.1", String(primary)]);
  await until(async () => (await replInfo(replica, "master_link_status")) === "up", 20_000, "the replica's link");
  return { primary, replica, stop: () => Promise.all(stops.map((s) => s())) };
}

async function role(port: number): Promise<string> {
  return String(((await ask(port, "ROLE")) as unknown[])[0]);
}

describe.skipIf(!REDIS_SERVER)("FAILOVER", () => {
  test("errors match redis-server 7.0.15, without and with a replica", async () => {
    const ours = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    const redis = await startRedis();
    try {
      for (const argv of ERROR_CASES) expect({ argv, r: await ask(ours.port, ...argv) }).toEqual({ argv, r: await ask(redis.port, ...argv) });
      for (const argv of [["FAILOVER", "TO", "127.0.0.1", "1"], ["FAILOVER"], ["FAILOVER", "ABORT"]]) {
        // On a replica: refused.
        const a = (await ask(ours.port, "REPLICAOF", "127.0.0.1", "1")) as string;
        const b = (await ask(redis.port, "REPLICAOF", "127.0.0.1", "1")) as string;
        expect(a).toBe(b);
        expect({ argv, r: await ask(ours.port, ...argv) }).toEqual({ argv, r: await ask(redis.port, ...argv) });
        await ask(ours.port, "REPLICAOF", "NO", "ONE");
        await ask(redis.port, "REPLICAOF", "NO", "ONE");
      }
    } finally {
      await ours.stop();
      await redis.stop();
    }
    // With a replica: a target that is not one, and FORCE without both TO and TIMEOUT.
    for (const kind of ["fast-cache", "redis"] as const) {
      const p = await pair(kind, "fast-cache");
      try {
        expect(await ask(p.primary, "FAILOVER", "TO", "127.0.0.1", "1")).toEqual({ error: "ERR FAILOVER target HOST and PORT is not a replica." });
        expect(await ask(p.primary, "FAILOVER", "TO", "127.0.0.1", String(p.replica), "FORCE")).toEqual({
          error: "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        });
        // FAILOVER then ABORT in one write (one read on the server): rolled back before anything moved.
        const raw = await RawClient.connect(p.primary);
        raw.send(["FAILOVER", "INFO replication", "FAILOVER ABORT", "SET after-abort 1"].map((l) => `${l}\r\n`).join(""));
        const r = await raw.read(4);
        raw.close();
        expect([r[0], String(r[1]).includes("master_failover_state:waiting-for-sync"), r[2], r[3]]).toEqual(["OK", true, "OK", "OK"]);
        expect(await role(p.primary)).toBe("master");
        expect(await replInfo(p.primary, "master_failover_state")).toBe("no-failover");
      } finally {
        await p.stop();
      }
    }
  }, 90_000);

  for (const [primaryKind, replicaKind] of [["fast-cache", "fast-cache"], ["fast-cache", "redis"], ["redis", "fast-cache"]] as const) {
    test(`${primaryKind} primary hands over to its ${replicaKind} replica`, async () => {
      const p = await pair(primaryKind, replicaKind);
      try {
        const acked: string[] = [];
        for (let i = 0; i < 200; i++) acked.push(`k${i}`);
        expect(await writeAndWait(p.primary, acked.map((k) => ["SET", k, `v-${k}`]))).toBe(1);
        // A writer that keeps writing through the switch: each write is OK (before) or -READONLY (after).
        const writer = await PipeClient.connect(p.primary);
        const target = ["FAILOVER", "TO", "127.0.0.1", String(p.replica), "TIMEOUT", "15000"];
        expect(await ask(p.primary, ...target)).toBe("OK");
        for (let i = 0; i < 50; i++) writer.send("SET", `during${i}`, "x");
        await until(async () => (await role(p.replica)) === "master" && (await role(p.primary)) === "slave", 20_000, "the roles to swap");
        await until(async () => (await replInfo(p.primary, "master_failover_state")) === "no-failover", 20_000, "the failover to end");
        await writer.settle(20_000);
        const replies = writer.replies.map((r) => (typeof r === "object" && r !== null && "error" in r ? String((r as { error: string }).error).split(" ")[0] : r));
        writer.close();
        expect(replies.length).toBe(50);
        for (const r of replies) expect(["OK", "READONLY"]).toContain(r as string);
        // Every acknowledged write is on the new primary; its writes reach the old one.
        const okDuring = replies.flatMap((r, i) => (r === "OK" ? [`during${i}`] : []));
        const want = [...acked, ...okDuring];
        expect(await ask(p.replica, "MGET", ...want)).toEqual(want.map((k) => (k.startsWith("during") ? "x" : `v-${k}`)));
        await until(async () => (await replInfo(p.primary, "master_link_status")) === "up", 20_000, "the old primary's link");
        expect(await writeAndWait(p.replica, [["SET", "new-primary", "yes"]])).toBe(1);
        expect(await ask(p.primary, "GET", "new-primary")).toBe("yes");
        expect(await ask(p.primary, "SET", "x", "1")).toEqual({ error: "READONLY You can't write against a read only replica." });
        // The old primary resumed the new one's history without a full sync.
        const stats = String(await ask(p.replica, "INFO", "stats"));
        expect(stats).toMatch(/sync_partial_ok:[1-9]/);
        expect(stats).toMatch(/sync_full:0\r/);
      } finally {
        await p.stop();
      }
    }, 90_000);
  }
});

if (!REDIS_SERVER) console.log("failover: redis-server not installed, skipped");
