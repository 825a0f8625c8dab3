// Bitmaps and HyperLogLog over two workers: BITOP, PFCOUNT and PFMERGE with keys owned by both
// workers give exact results (checked against the embedded Cache, which runs the same engine on
// one keyspace) and BITOP never sees a cross-worker MSET half done; a Redis Cluster port answers
// CROSSSLOT; and bitmap/HLL values written with fsync=always survive SIGKILL byte for byte.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { Cache } from "../../src/cache.ts";
import { clusterPortsOf, keysByWorker } from "../cluster/helpers.ts";
import { kill9, serverOn } from "../persistence/e2e-helpers.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { RawClient, spawnServer, tempDataDir, type ServerProcess } from "../support/server-process.ts";

const enc = new TextEncoder();
const [onW0, onW1] = keysByWorker(2, 4, "bk") as [string[], string[]];
const [hllW0, hllW1] = keysByWorker(2, 3, "hk") as [string[], string[]];
const elements = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("bitmaps and HyperLogLog with two workers", () => {
  let srv: ServerProcess;
  let ports: number[] = [];
  beforeAll(async () => {
    srv = await spawnServer(["--workers", "2", "--cluster-ports", "yes"]);
    ports = clusterPortsOf(srv.stdout());
  });
  afterAll(async () => {
    expect(await srv?.stop()).toBe(0);
  });

  test("BITOP over sources on both workers into a destination on either is exact", async () => {
    const c = await RawClient.connect(srv.port, { buffers: true });
    const [a, b] = [onW0[0]!, onW1[0]!];
    const va = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
    const vb = Uint8Array.from({ length: 170 }, (_, i) => (i * 91 + 5) & 0xff);
    await c.command("set", a, va);
    await c.command("set", b, vb);
    const ops: [string, (x: number, y: number) => number][] = [["and", (x, y) => x & y], ["or", (x, y) => x | y], ["xor", (x, y) => x ^ y]];
    for (const dest of [onW0[1]!, onW1[1]!]) {
      for (const [op, f] of ops) {
        expect(await c.command("bitop", op, dest, a, b, "nosuch-" + dest)).toBe(300);
        const got = (await c.command("get", dest)) as Uint8Array;
        expect([...got]).toEqual([...va].map((x, i) => (op === "and" ? 0 : f(x, i < vb.length ? vb[i]! : 0))));
      }
      expect(await c.command("bitop", "not", dest, b)).toBe(170);
      expect([...((await c.command("get", dest)) as Uint8Array)]).toEqual([...vb].map((x) => ~x & 0xff));
      expect(await c.command("bitop", "and", dest, "nosuch1", "nosuch2")).toBe(0);
      expect(await c.command("exists", dest)).toBe(0);
    }
    c.close();
  });

  test("BITOP never sees a cross-worker MSET half done", async () => {
    const c = await RawClient.connect(srv.port);
    const w = await RawClient.connect(srv.port);
    const [a, b, d] = [onW0[2]!, onW1[2]!, onW0[3]!];
    // Both sources always hold the same value, so their XOR is all zeros unless a write is torn.
    const rounds = 80;
    for (let i = 0; i < rounds; i++) {
      const v = i % 2 === 0 ? "pppppppp" : "QqQqQqQq";
      w.sendCommand("mset", a, v, b, v);
      c.sendCommand("bitop", "xor", d, a, b);
      c.sendCommand("bitcount", d);
    }
    expect((await w.read(rounds)).every((r) => r === "OK")).toBe(true);
    const replies = await c.read(rounds * 2);
    for (let i = 0; i < rounds; i++) {
      // Before the first MSET lands both are missing (0 bytes, key deleted); after, 8 zero bytes.
      expect([0, 8]).toContain(replies[2 * i] as number);
      expect(replies[2 * i + 1]).toBe(0);
    }
    c.close();
    w.close();
  });

  test("PFCOUNT and PFMERGE across workers equal the same HLLs built in one keyspace", async () => {
    const c = await RawClient.connect(srv.port, { buffers: true });
    const local = new Cache();
    const [x, y] = [hllW0[0]!, hllW1[0]!];
    const sets: [string, string[]][] = [[x, elements("a", 2500)], [y, elements("b", 600)]];
    for (const [key, els] of sets) {
      for (let i = 0; i < els.length; i += 500) {
        const chunk = els.slice(i, i + 500);
        expect(await c.command("pfadd", key, ...chunk)).toBe(local.pfadd(key, ...chunk) ? 1 : 0);
      }
    }
    expect(await c.command("pfcount", x, y, "nosuch")).toBe(local.pfcount(x, y, "nosuch"));
    for (const dest of [hllW1[1]!, hllW0[1]!]) {
      expect(await c.command("pfmerge", dest, x, y)).toEqual(enc.encode("OK"));
      local.pfmerge(dest, x, y);
      expect(await c.command("get", dest)).toEqual(local.get(dest)!);
      expect(await c.command("pfcount", dest)).toBe(local.pfcount(dest));
    }
    await c.command("set", hllW1[2]!, "not an hll");
    expect(await c.command("pfcount", x, hllW1[2]!)).toEqual({ error: "WRONGTYPE Key is not a valid HyperLogLog string value." });
    await local.close();
    c.close();
  });

  test("a cluster port answers CROSSSLOT for BITOP, PFCOUNT and PFMERGE over different slots", async () => {
    const c = await RawClient.connect(ports[0]!);
    const k = onW0[0]!;
    await c.command("set", k, "x".repeat(300));
    const crossslot = { error: "CROSSSLOT Keys in request don't hash to the same slot" };
    expect(await c.command("bitop", "or", `{${k}}d`, k, `{${k}}x`)).toBe(300);
    expect(await c.command("bitop", "or", `{${k}}d`, k, onW0[1]!)).toEqual(crossslot);
    expect(await c.command("pfcount", `{${k}}h`, onW0[2]!)).toEqual(crossslot);
    expect(await c.command("pfmerge", `{${k}}h`, onW0[2]!)).toEqual(crossslot);
    expect(await c.command("pfadd", `{${k}}h`, "a")).toBe(1);
    expect(await c.command("pfmerge", `{${k}}m`, `{${k}}h`)).toBe("OK");
    c.close();
  });
});

describe("bitmaps and HyperLogLog survive SIGKILL", () => {
  test("SETBIT, BITFIELD, BITOP, PFADD and PFMERGE results are recovered byte for byte", async () => {
    const dir = tempDataDir();
    try {
      let srv = await serverOn(dir, ["--appendfsync", "always"]);
      let c = await RawClient.connect(srv.port, { buffers: true });
      for (const off of [0, 7, 13, 1000, 999_999]) await c.command("setbit", "bm", String(off), "1");
      await c.command("setbit", "bm", "7", "0");
      await c.command("bitfield", "bm", "set", "i16", "#3", "-1234", "incrby", "u8", "40", "300");
      await c.command("bitop", "not", "inv", "bm");
      await c.command("pfadd", "hs", ...elements("s", 300));
      for (let i = 0; i < 12_000; i += 1000) await c.command("pfadd", "hd", ...elements("d", 1000).map((e) => `${e}-${i}`));
      await c.command("pfcount", "hd"); // writes the cached count into the value
      await c.command("pfmerge", "hm", "hs", "hd");
      const keys = ["bm", "inv", "hs", "hd", "hm"];
      const before: RespValue[] = [];
      for (const k of keys) before.push(await c.command("get", k));
      c.close();
      await kill9(srv);
      srv = await serverOn(dir, ["--appendfsync", "always"]);
      c = await RawClient.connect(srv.port, { buffers: true });
      for (let i = 0; i < keys.length; i++) expect([keys[i], await c.command("get", keys[i]!)]).toEqual([keys[i], before[i]]);
      expect(await c.command("pfcount", "hm")).toBeGreaterThan(11_000);
      c.close();
      expect(await srv.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
