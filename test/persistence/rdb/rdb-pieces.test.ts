// An RDB file read as it arrives (RdbParser, what a replica does during a full sync) gives the
// same keys, values and errors as the whole file read at once, however the bytes are cut: one
// byte at a time, small pieces, and pieces larger than the parser's buffer. Files are written by
// redis-server 7.0.15 with every type in small and large encodings.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRdb, RdbError, RdbParser } from "../../../src/persistence/rdb/index.ts";
import type { RdbEntry } from "../../../src/persistence/rdb/rdb-types.ts";
import { fillCommands, REDIS_SERVER, run, startRedis } from "./rdb-helpers.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const view = (e: RdbEntry): string => `${e.db} ${hex(e.key)} ${e.type} ${e.expireAt} ${hex(e.packed)}`;

/** Every entry and the error (if any) of `file` fed in pieces cut by `sizes`. */
function inPieces(file: Uint8Array, sizes: () => number): { entries: string[]; error: string | undefined } {
  const entries: string[] = [];
  const p = new RdbParser((e) => entries.push(view(e)));
  try {
    for (let at = 0; at < file.length; ) {
      const n = Math.min(sizes(), file.length - at);
      // A copy per piece, overwritten after feed as a socket's buffer may be.
      const piece = file.slice(at, at + n);
      p.feed(piece);
      piece.fill(0xee);
      at += n;
    }
    p.end();
    return { entries, error: undefined };
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    return { entries, error: e.message };
  }
}

function whole(file: Uint8Array): { entries: string[]; error: string | undefined } {
  const entries: string[] = [];
  try {
    parseRdb(file, (e) => entries.push(view(e)));
    return { entries, error: undefined };
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    return { entries, error: e.message };
  }
}

let seed = 7;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return 1 + (seed % n);
};

const CUTS: [string, () => number][] = [
  ["one byte", () => 1],
  ["7 bytes", () => 7],
  ["random 1..5000", () => rand(5000)],
  ["random up to 200 KiB", () => rand(200 * 1024)],
];

describe.skipIf(!REDIS_SERVER)("RDB read as it arrives", () => {
  test("same entries and errors as the whole file, for every way of cutting it", async () => {
    const src = await startRedis({ args: ["--list-max-listpack-size", "1", "--hash-max-listpack-entries", "0"] });
    try {
      await run(src.client, fillCommands({ streams: true }));
      // One large value (a string of 300 KiB) so a record spans many pieces.
      await src.client.command("SET", "big", "v".repeat(300 * 1024) + "end");
      expect(await src.client.command("SAVE")).toBe("OK");
      const file = new Uint8Array(readFileSync(join(src.dir, "dump.rdb")));
      const want = whole(file);
      expect(want.error).toBeUndefined();
      expect(want.entries.length).toBeGreaterThan(50);
      for (const [name, cut] of CUTS) {
        const got = inPieces(file, cut);
        expect({ name, ...got }).toEqual({ name, ...want });
      }
      // Damaged copies: truncated at several points, one byte flipped, bytes after the end.
      const damaged: Uint8Array[] = [file.subarray(0, 5), file.subarray(0, file.length - 1), file.subarray(0, file.length >> 1)];
      for (const at of [20, file.length >> 2, file.length - 4]) {
        const f = file.slice();
        f[at]! ^= 0x40;
        damaged.push(f);
      }
      const longer = new Uint8Array(file.length + 3);
      longer.set(file);
      damaged.push(longer);
      for (const f of damaged) {
        const w = whole(f);
        expect(w.error).toBeDefined();
        for (const [name, cut] of CUTS.slice(1)) {
          const got = inPieces(f, cut);
          expect({ name, error: got.error }).toEqual({ name, error: w.error });
        }
      }
    } finally {
      await src.stop();
    }
  });
});

if (!REDIS_SERVER) console.log("rdb-pieces: redis-server not installed, skipped");
