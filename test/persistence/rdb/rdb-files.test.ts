// Files: a redis-server dump.rdb in --dir is loaded by fast-cache (--workers 2) at its first
// start; `--rdb-export FILE` writes our data as an RDB that redis-server loads; a corrupt
// dump.rdb refuses the start with a clear message, and a corrupt or truncated file is refused
// by loadRdb with RdbError with nothing loaded.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../../../src/engine/compound/all-types.ts";
import { Databases } from "../../../src/engine/databases.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { loadRdb, RdbError } from "../../../src/persistence/rdb/index.ts";
import { BUN, RawClient, runToExit, spawnServer } from "../../support/server-process.ts";
import { dataView, fillCommands, REDIS_SERVER, run, startRedis, viewDiffs } from "./rdb-helpers.ts";

const newSet = (): Databases => new Databases(new Keyspace(), 16, () => new Keyspace());

/** A dump.rdb from redis-server holding every type (and the view of its data). */
async function redisDump(): Promise<{ bytes: Uint8Array; want: Awaited<ReturnType<typeof dataView>> }> {
  const r = await startRedis();
  try {
    await run(r.client, fillCommands({ streams: true }));
    await run(r.client, [["FUNCTION", "LOAD", "#!lua name=rdblib\nredis.register_function('rdbf', function(keys, args) return 'hi' end)"]]);
    expect(await r.client.command("SAVE")).toBe("OK");
    return { bytes: new Uint8Array(readFileSync(join(r.dir, "dump.rdb"))), want: await dataView(r.client) };
  } finally {
    await r.stop();
  }
}

describe.skipIf(!REDIS_SERVER)("RDB files and fast-cache-server", () => {
  test("dump.rdb is loaded at the first start (2 workers), survives a restart, and --rdb-export feeds redis-server", async () => {
    const { bytes, want } = await redisDump();
    const dir = mkdtempSync(join(tmpdir(), "fc-rdb-files-"));
    try {
      writeFileSync(join(dir, "dump.rdb"), bytes);
      {
        await using srv = await spawnServer(["--dir", dir, "--workers", "2"]);
        const c = await RawClient.connect(srv.port);
        expect(viewDiffs(want, await dataView(c))).toEqual([]);
        expect(await c.command("FCALL", "rdbf", "0")).toBe("hi");
        await c.command("SET", "added-after", "1");
        expect(await c.command("DEL", "s:text")).toBe(1);
      }
      // The second start recovers our own files (the RDB is not loaded again over them).
      {
        await using srv = await spawnServer(["--dir", dir, "--workers", "2"]);
        const c = await RawClient.connect(srv.port);
        const got = await dataView(c);
        expect(got.get("0:added-after")?.contents).toBe("1");
        got.delete("0:added-after");
        // s:text stays deleted: the RDB was not loaded again over our own files.
        want.delete("0:s:text");
        expect(viewDiffs(want, got)).toEqual([]);
      }
      want.set("0:added-after", { type: "string", expireAt: -1, contents: "1" });
      const out = join(dir, "exported.rdb");
      const r = await runToExit([BUN, "src/cli.ts", "--dir", dir, "--rdb-export", out]);
      expect(r.stderr).toContain("wrote");
      expect(r.code).toBe(0);
      const redis = await startRedis({ dir, dbfilename: "exported.rdb" });
      try {
        expect(viewDiffs(want, await dataView(redis.client))).toEqual([]);
        expect(await redis.client.command("FCALL", "rdbf", "0")).toBe("hi");
      } finally {
        await redis.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a corrupt dump.rdb refuses the start with a clear message", async () => {
    const { bytes } = await redisDump();
    const dir = mkdtempSync(join(tmpdir(), "fc-rdb-bad-"));
    try {
      const bad = bytes.slice();
      bad[Math.floor(bad.length / 2)]! ^= 0x55;
      writeFileSync(join(dir, "dump.rdb"), bad);
      const r = await runToExit([BUN, "src/cli.ts", "--port", "0", "--dir", dir, "--workers", "1"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is corrupt or truncated, nothing of it was loaded");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("flipped bytes and truncations are refused by loadRdb with nothing loaded", async () => {
    const { bytes } = await redisDump();
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 200; i++) {
      const set = newSet();
      const cut = i % 2 === 0;
      const bad = cut ? bytes.slice(0, rnd(bytes.length)) : bytes.slice();
      if (!cut) bad[rnd(bad.length)]! ^= 1 + rnd(255);
      expect(() => loadRdb(set, bad)).toThrow(RdbError);
      expect(set.totalKeys).toBe(0);
    }
    // The intact file loads.
    const set = newSet();
    expect(loadRdb(set, bytes).loaded).toBeGreaterThan(0);
  });
});

if (!REDIS_SERVER) console.log("rdb-files: redis-server not installed, skipped");
