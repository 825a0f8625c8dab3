// RDB files written by redis-server 7.0.15 (every type, small and large encodings, expiries,
// databases 0..3) are read into fast-cache keyspaces, written back by our writer, and loaded by a
// second redis-server: both servers must then hold the same data, key by key.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import "../../../src/engine/compound/all-types.ts";
import { Databases } from "../../../src/engine/databases.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { loadRdb, parseRdb, writeRdb } from "../../../src/persistence/rdb/index.ts";
import { dataView, fillCommands, REDIS_SERVER, run, startRedis, viewDiffs } from "./rdb-helpers.ts";

const newSet = (): Databases => new Databases(new Keyspace(), 16, () => new Keyspace());

const ENCODINGS: Record<string, string[]> = {
  small: [],
  // every collection in its non-compact encoding (listpack limits 0)
  large: ["--list-max-listpack-size", "1", "--hash-max-listpack-entries", "0", "--zset-max-listpack-entries", "0", "--set-max-intset-entries", "0", "--list-compress-depth", "1"],
};

describe.skipIf(!REDIS_SERVER)("RDB files: redis-server → fast-cache → redis-server", () => {
  for (const [name, args] of Object.entries(ENCODINGS)) {
    test(`${name} encodings round-trip`, async () => {
      const src = await startRedis({ args });
      let dst: Awaited<ReturnType<typeof startRedis>> | undefined;
      try {
        await run(src.client, fillCommands({ streams: true }));
        expect(await src.client.command("SAVE")).toBe("OK");
        const want = await dataView(src.client);
        const bytes = readFileSync(join(src.dir, "dump.rdb"));
        const set = newSet();
        const r = loadRdb(set, bytes);
        expect(r.loaded).toBe(want.size);
        expect(r.aux["redis-ver"]).toBe("7.0.15");
        const ours = writeRdb(set);
        let seen = 0;
        parseRdb(ours, () => void seen++);
        expect(seen).toBe(want.size);
        writeFileSync(join(src.dir, "ours.rdb"), ours);
        dst = await startRedis({ dir: src.dir, dbfilename: "ours.rdb" });
        const got = await dataView(dst.client);
        expect(viewDiffs(want, got)).toEqual([]);
      } finally {
        await dst?.stop();
        await src.stop();
      }
    });
  }
});

if (!REDIS_SERVER) console.log("rdb-roundtrip: redis-server not installed, skipped");
