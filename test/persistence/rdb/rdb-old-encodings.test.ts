// Hand-built RDB files in the older encodings Redis 7.0 still loads (ziplist, zipmap, intset,
// QUICKLIST v1, ZSET with text scores, EXPIRETIME in seconds), built here from their
// specifications (redis/src/ziplist.c, zipmap.c, intset.c, rdb.c). The same file is loaded by
// redis-server directly and by fast-cache (then written back and loaded by a second
// redis-server): both must show the same data.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../../../src/engine/compound/all-types.ts";
import { Databases } from "../../../src/engine/databases.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { Crc64, loadRdb, parseRdb, RdbError, writeRdb } from "../../../src/persistence/rdb/index.ts";
import { dataView, REDIS_SERVER, startRedis, viewDiffs } from "./rdb-helpers.ts";

const enc = new TextEncoder();
const bytesOf = (parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());
const u32le = (v: number): number[] => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
const u16le = (v: number): number[] => [v & 255, (v >>> 8) & 255];

function rdbLen(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 255];
  return [0x80, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
const rdbStr = (s: string | Uint8Array): number[] => {
  const b = typeof s === "string" ? enc.encode(s) : s;
  return [...rdbLen(b.length), ...b];
};

/** A ziplist of strings and integers (each integer in the smallest encoding). */
function ziplist(items: (string | number | bigint)[]): Uint8Array {
  const entries: number[][] = [];
  let prev = 0;
  for (const it of items) {
    const prevlen = prev < 254 ? [prev] : [0xfe, ...u32le(prev)];
    let body: number[];
    if (typeof it === "string") {
      const b = [...enc.encode(it)];
      body = b.length < 64 ? [b.length, ...b] : b.length < 16384 ? [0x40 | (b.length >> 8), b.length & 255, ...b] : [0x80, ...u32le(b.length).reverse(), ...b];
    } else {
      const v = BigInt(it);
      const le = (w: number): number[] => Array.from({ length: w }, (_x, i) => Number((BigInt.asUintN(w * 8, v) >> BigInt(8 * i)) & 255n));
      if (v >= 0n && v <= 12n) body = [0xf1 + Number(v)];
      else if (v >= -128n && v <= 127n) body = [0xfe, ...le(1)];
      else if (v >= -32768n && v <= 32767n) body = [0xc0, ...le(2)];
      else if (v >= -8388608n && v <= 8388607n) body = [0xf0, ...le(3)];
      else if (v >= -2147483648n && v <= 2147483647n) body = [0xd0, ...le(4)];
      else body = [0xe0, ...le(8)];
    }
    const e = [...prevlen, ...body];
    entries.push(e);
    prev = e.length;
  }
  const header = 10;
  let size = header + 1;
  for (const e of entries) size += e.length;
  const tail = size - 1 - (entries.at(-1)?.length ?? 0);
  return bytesOf([u32le(size), u32le(entries.length === 0 ? header : tail), u16le(entries.length), ...entries, [0xff]]);
}

function zipmap(pairs: [string, string][]): Uint8Array {
  const out: number[] = [pairs.length];
  for (const [k, v] of pairs) {
    const kb = [...enc.encode(k)];
    const vb = [...enc.encode(v)];
    out.push(kb.length, ...kb, vb.length, 0, ...vb);
  }
  out.push(0xff);
  return Uint8Array.from(out);
}

function intset(values: bigint[], width: 2 | 4 | 8): Uint8Array {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : 1));
  const out: number[] = [...u32le(width), ...u32le(sorted.length)];
  for (const v of sorted) for (let i = 0; i < width; i++) out.push(Number((BigInt.asUintN(width * 8, v) >> BigInt(8 * i)) & 255n));
  return Uint8Array.from(out);
}

/** An RDB version 9 file of `records` (type byte, key, value bytes), with its CRC64. */
function rdbFile(records: number[][]): Uint8Array {
  const body = bytesOf([[...enc.encode("REDIS0009")], [0xfa, ...rdbStr("redis-ver"), ...rdbStr("5.0.14")], [0xfe, 0], ...records, [0xff]]);
  const crc = new Crc64().update(body).bytesLE();
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  out.set(crc, body.length);
  return out;
}

const future = Math.floor(Date.now() / 1000) + 100000;
const bigText = "y".repeat(300);
const RECORDS: number[][] = [
  [10, ...rdbStr("l:ziplist"), ...rdbStr(ziplist(["a", 0, 12, 13, -1, 300, -40000, 70000, 5000000000, -5000000000n, bigText, ""]))],
  [14, ...rdbStr("l:quicklist"), ...rdbLen(2), ...rdbStr(ziplist(["n1", 1, 2])), ...rdbStr(ziplist(["n2", "last"]))],
  [9, ...rdbStr("h:zipmap"), ...rdbStr(zipmap([["f1", "v1"], ["f2", ""], ["num", "123"]]))],
  [13, ...rdbStr("h:ziplist"), ...rdbStr(ziplist(["f", "v", "n", 42, "neg", -7]))],
  [11, ...rdbStr("s:intset16"), ...rdbStr(intset([3n, -2n, 1000n], 2))],
  [11, ...rdbStr("s:intset64"), ...rdbStr(intset([1n, 9007199254740993n, -5n], 8))],
  [12, ...rdbStr("z:ziplist"), ...rdbStr(ziplist(["c", "-inf", "a", 1, "b", "2.5", "d", 7]))],
  // ZSET (type 3) with text scores: 253 nan is not allowed, 254 +inf, 255 -inf
  [3, ...rdbStr("z:text"), ...rdbLen(3), ...rdbStr("x"), 3, ...enc.encode("1.5"), ...rdbStr("y"), 254, ...rdbStr("z"), 255],
  // EXPIRETIME (seconds) before a plain string; an int-encoded string
  [0xfd, ...u32le(future), 0, ...rdbStr("s:expires"), ...rdbStr("soon")],
  [0, ...rdbStr("s:int"), 0xc1, ...u16le(-1234 & 0xffff)],
];

describe("old encodings, hand-built", () => {
  test("parseRdb decodes every record; a wrong ziplist length is refused", () => {
    const file = rdbFile(RECORDS);
    const keys: string[] = [];
    const s = parseRdb(file, (e) => void keys.push(new TextDecoder().decode(e.key)));
    expect(keys.length).toBe(RECORDS.length);
    expect(s.version).toBe(9);
    const set = new Databases(new Keyspace(), 16, () => new Keyspace());
    loadRdb(set, file);
    expect(set.at(0).expireAt(set.at(0).peek(enc.encode("s:expires")))).toBe(future * 1000);
    const zl = ziplist(["a", "b"]);
    zl[8] = 3; // zllen says 3
    expect(() => parseRdb(rdbFile([[10, ...rdbStr("bad"), ...rdbStr(zl)]]), () => {})).toThrow(RdbError);
  });

  test.skipIf(!REDIS_SERVER)("redis-server loading the file directly and fast-cache's rewrite of it show the same data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fc-rdb-old-"));
    try {
      const file = rdbFile(RECORDS);
      writeFileSync(join(dir, "old.rdb"), file);
      const set = new Databases(new Keyspace(), 16, () => new Keyspace());
      loadRdb(set, file);
      writeFileSync(join(dir, "ours.rdb"), writeRdb(set));
      const direct = await startRedis({ dir, dbfilename: "old.rdb" });
      const viaUs = await startRedis({ dir, dbfilename: "ours.rdb" });
      try {
        const want = await dataView(direct.client, 1);
        expect(want.size).toBe(RECORDS.length);
        expect(viewDiffs(want, await dataView(viaUs.client, 1))).toEqual([]);
      } finally {
        await direct.stop();
        await viaUs.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
