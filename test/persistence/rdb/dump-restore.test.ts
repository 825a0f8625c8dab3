// DUMP/RESTORE payloads both ways between redis-server 7.0.15 and fast-cache (--workers 2), for
// every type in small and large encodings, and RESTORE's errors word for word against Redis.
import { describe, expect, test } from "bun:test";
import { Crc64 } from "../../../src/persistence/rdb/index.ts";
import type { RespValue } from "../../support/resp-decode.ts";
import { RawClient, spawnServer } from "../../support/server-process.ts";
import { dataView, fillCommands, REDIS_SERVER, run, startRedis, viewDiffs } from "./rdb-helpers.ts";

const keysOf = async (c: RawClient, db: number): Promise<string[]> => {
  await c.command("SELECT", String(db));
  return ((await c.command("KEYS", "*")) as RespValue[]).map((k) => (k instanceof Uint8Array ? new TextDecoder().decode(k) : String(k)));
};

/** Moves every key of databases 0..3 from `from` to `to` by DUMP + PTTL + RESTORE. */
async function transfer(from: RawClient, to: RawClient): Promise<void> {
  for (let db = 0; db < 4; db++) {
    const keys = await keysOf(from, db);
    await to.command("SELECT", String(db));
    for (const k of keys) {
      const payload = await from.command("DUMP", k);
      expect(payload).toBeInstanceOf(Uint8Array);
      const pttl = Number(await from.command("PTTL", k));
      const r = await to.command("RESTORE", k, String(pttl > 0 ? pttl : 0), payload as Uint8Array);
      if (r !== "OK") throw new Error(`RESTORE ${k}: ${String(r)}`);
    }
  }
  await from.command("SELECT", "0");
  await to.command("SELECT", "0");
}

describe.skipIf(!REDIS_SERVER)("DUMP / RESTORE with redis-server", () => {
  for (const large of [false, true]) {
    test(`every type (${large ? "large" : "small"} encodings): redis → fast-cache → redis`, async () => {
      const args = large ? ["--hash-max-listpack-entries", "0", "--zset-max-listpack-entries", "0", "--set-max-intset-entries", "0", "--list-max-listpack-size", "1"] : [];
      const src = await startRedis({ args });
      const dst = await startRedis();
      await using ours = await spawnServer(["--workers", "2"]);
      const mine = await RawClient.connect(ours.port);
      const srcBin = await RawClient.connect(src.port, { buffers: true });
      const dstClient = dst.client;
      try {
        await run(src.client, fillCommands({ streams: true }));
        const want = await dataView(src.client);
        // Payloads must stay bytes: read them with a buffers client, send them as bytes.
        await transfer(srcBin, await RawClient.connect(ours.port));
        expect(viewDiffs(want, await dataView(mine))).toEqual([]);
        await transfer(await RawClient.connect(ours.port, { buffers: true }), dstClient);
        expect(viewDiffs(want, await dataView(dstClient))).toEqual([]);
      } finally {
        await src.stop();
        await dst.stop();
      }
    });
  }

  test("RESTORE errors and options match redis-server", async () => {
    const redis = await startRedis();
    await using ours = await spawnServer();
    const mine = await RawClient.connect(ours.port, { buffers: true });
    const ref = await RawClient.connect(redis.port, { buffers: true });
    try {
      const script: (string | Uint8Array)[][] = [];
      await ref.command("RPUSH", "src", "a", "b");
      const payload = (await ref.command("DUMP", "src")) as Uint8Array;
      const flipped = payload.slice();
      flipped[flipped.length - 1]! ^= 1;
      const badVersion = payload.slice();
      badVersion[badVersion.length - 10] = 11;
      const badBody = payload.slice();
      badBody[1] = 0x3f; // a list length far past the payload, under a valid checksum
      badBody.set(new Crc64().update(badBody, 0, badBody.length - 8).bytesLE(), badBody.length - 8);
      script.push(
        ["SET", "k", "v"],
        ["RESTORE", "k", "0", payload],
        ["RESTORE", "k2", "-1", payload],
        ["RESTORE", "k2", "abc", payload],
        ["RESTORE", "k2", "0", flipped],
        ["RESTORE", "k2", "0", badVersion],
        ["RESTORE", "k2", "0", badBody],
        ["RESTORE", "k2", "0", payload, "BOGUS"],
        ["RESTORE", "k2", "0", payload, "IDLETIME", "-1"],
        ["RESTORE", "k2", "0", payload, "FREQ", "256"],
        ["RESTORE", "k2", "0", payload, "IDLETIME", "5", "FREQ", "3"],
        ["RESTORE", "k", "0", payload, "REPLACE"],
        ["TYPE", "k"],
        ["LRANGE", "k", "0", "-1"],
        ["RESTORE", "k3", "100000", payload, "IDLETIME", "10"],
        ["RESTORE", "k4", "1", payload, "ABSTTL", "REPLACE"],
        ["EXISTS", "k4"],
        ["RESTORE", "k", "1", payload, "ABSTTL", "REPLACE"],
        ["EXISTS", "k"],
        ["RESTORE", "k5", String(Date.now() + 100000), payload, "ABSTTL", "FREQ", "7"],
        ["DUMP", "missing"],
      );
      const replies = async (c: RawClient): Promise<string[]> => {
        const out: string[] = [];
        for (const cmd of script) {
          const r = await c.command(...cmd);
          out.push(r instanceof Uint8Array ? new TextDecoder().decode(r) : r instanceof Error ? `ERR:${r.message}` : JSON.stringify(r));
        }
        return out;
      };
      const want = await replies(ref);
      const got = await replies(mine);
      expect(got).toEqual(want);
      expect(want[1]).toContain("BUSYKEY Target key name already exists.");
      expect(want[4]).toContain("DUMP payload version or checksum are wrong");
      const ttl = Number(await mine.command("PTTL", "k5"));
      expect(ttl).toBeGreaterThan(90000);
    } finally {
      await redis.stop();
    }
  });
});

if (!REDIS_SERVER) console.log("dump-restore: redis-server not installed, skipped");
