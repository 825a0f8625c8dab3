// The HyperLogLog family (PFADD PFCOUNT PFMERGE) through the real command table over a real
// Keyspace, in RESP2 and RESP3. The replies of SCRIPT and the counts below were recorded from
// redis-server 7.0.15 for the same input (test/e2e/bits-redis-parity.test.ts compares the bytes
// of the values with a live redis-server).
import { afterEach, describe, expect, test } from "bun:test";
import { limits } from "../../../src/engine/compound/limits.ts";
import { HLL_DENSE_SIZE } from "../../../src/engine/hll/hll-format.ts";
import { createHarness, type Harness } from "../../support/command-harness.ts";

type Step = [string[], unknown];
const enc = new TextEncoder();

function script(h: Harness, steps: Step[]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

/** Elements e1..en, as the parity test adds them. */
const elements = (n: number): string[] => Array.from({ length: n }, (_, i) => `e${i + 1}`);
const value = (h: Harness, key: string): Uint8Array => h.keyspace.get(enc.encode(key))!;

const SCRIPT: Step[] = [
  [["pfadd", "h"], 1],
  [["strlen", "h"], 18],
  [["pfadd", "h"], 0],
  [["pfcount", "h"], 0],
  [["pfadd", "h", "a", "b", "c"], 1],
  [["pfadd", "h", "a"], 0],
  [["pfcount", "h"], 3],
  [["pfcount", "h", "nosuch"], 3],
  [["set", "s", "foo"], "OK"],
  [["pfadd", "s", "a"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfcount", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfmerge", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfmerge", "d", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfcount", "h", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfcount", "nosuch", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["set", "c", "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u007f\u0000"], "OK"],
  [["pfcount", "c"], 0],
  [["pfcount", "h", "c"], { error: "INVALIDOBJ Corrupted HLL object detected" }],
  [["pfmerge", "d", "c"], { error: "INVALIDOBJ Corrupted HLL object detected" }],
  [["pfadd", "c", "a"], 1],
  [["pfadd", "c", "e100"], 1],
  [["exists", "d"], 0],
  [["lpush", "l", "x"], 1],
  [["pfadd", "l", "a"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
  [["pfcount", "l"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
  [["pfcount", "h", "l"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
  [["pfcount", "s", "l"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfmerge", "l", "h"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
  [["pfmerge", "h", "l"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
  [["pfmerge", "m"], "OK"],
  [["strlen", "m"], 18],
  [["pfcount", "m"], 0],
  [["pfmerge", "m2", "h", "nosuch"], "OK"],
  [["pfcount", "m2"], 3],
  [["expire", "h", "1000"], 1],
  [["pfadd", "h", "zz"], 1],
  [["ttl", "h"], 1000],
  [["pfcount", "h"], 4],
  [["ttl", "h"], 1000],
  [["set", "hd", "HYLL\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"], "OK"],
  [["pfcount", "hd"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["pfadd", "hd", "a"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["set", "hx", "HYLL\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"], "OK"],
  [["pfadd", "hx", "a"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["set", "short", "HYLL\u0001"], "OK"],
  [["pfadd", "short", "a"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
  [["set", "empty", "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"], "OK"],
  [["pfcount", "empty"], 0],
  [["pfadd", "empty", "a"], { error: "INVALIDOBJ Corrupted HLL object detected" }],
  [["pfadd"], { error: "ERR wrong number of arguments for 'pfadd' command" }],
  [["pfcount"], { error: "ERR wrong number of arguments for 'pfcount' command" }],
  [["pfmerge"], { error: "ERR wrong number of arguments for 'pfmerge' command" }],
];

describe("PFADD PFCOUNT PFMERGE", () => {
  test.each([2, 3] as const)("replies and errors match redis-server 7.0.15 (RESP%d)", (resp) => {
    script(createHarness({ resp }), SCRIPT);
  });

  test("a new HLL is the 18-byte sparse value with one XZERO; PFADD marks its cache stale, PFCOUNT writes it back", () => {
    const h = createHarness();
    expect(h.run(["pfadd", "h"])).toBe(1);
    expect([...value(h, "h")]).toEqual([72, 89, 76, 76, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f, 0xff]);
    expect(h.run(["pfcount", "h"])).toBe(0);
    expect(value(h, "h")[15]).toBe(0);
    expect(h.run(["pfadd", "h", "a", "b", "c"])).toBe(1);
    expect(value(h, "h")[15]! & 0x80).toBe(0x80);
    expect(h.run(["pfcount", "h"])).toBe(3);
    expect([...value(h, "h").subarray(8, 16)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("counts equal Redis's for 10, 1000 (sparse) and 20000 (dense) elements, alone and merged", () => {
    const h = createHarness();
    for (const n of [10, 1000, 20000]) {
      const all = elements(n);
      for (let i = 0; i < all.length; i += 500) h.run(["pfadd", `h${n}`, ...all.slice(i, i + 500)]);
    }
    expect(value(h, "h10").length).toBe(48);
    expect(value(h, "h1000").length).toBe(1906);
    expect(value(h, "h1000")[4]).toBe(1);
    expect(value(h, "h20000").length).toBe(HLL_DENSE_SIZE);
    expect(value(h, "h20000")[4]).toBe(0);
    expect(h.run(["pfcount", "h10"])).toBe(10);
    expect(h.run(["pfcount", "h1000"])).toBe(1008);
    expect(h.run(["pfcount", "h20000"])).toBe(19899);
    expect(h.run(["pfcount", "h1000", "h20000", "h10"])).toBe(19899);
    expect(h.run(["pfmerge", "m", "h1000", "h20000"])).toBe("OK");
    // Same registers; the merged value's cache is stale where the counted ones hold their count.
    expect(value(h, "m").subarray(16)).toEqual(value(h, "h20000").subarray(16));
    expect(value(h, "m")[15]! & 0x80).toBe(0x80);
    expect(h.run(["pfmerge", "m2", "h1000"])).toBe("OK");
    expect(value(h, "m2").subarray(16)).toEqual(value(h, "h1000").subarray(16));
  });

  test("a sparse HLL whose registers do not add up answers INVALIDOBJ once its cache is stale", () => {
    const h = createHarness();
    const corrupt = new Uint8Array(18);
    corrupt.set([72, 89, 76, 76, 1]);
    corrupt[15] = 0x80;
    corrupt.set([0x7f, 0x00], 16); // XZERO of 16129 registers, not 16384
    h.run([enc.encode("set"), enc.encode("c"), corrupt]);
    expect(h.run(["pfcount", "c"])).toEqual({ error: "INVALIDOBJ Corrupted HLL object detected" });
    expect(h.run(["pfcount", "c", "nosuch"])).toEqual({ error: "INVALIDOBJ Corrupted HLL object detected" });
    expect(h.run(["pfmerge", "d", "c"])).toEqual({ error: "INVALIDOBJ Corrupted HLL object detected" });
    expect(h.run(["exists", "d"])).toBe(0);
  });
});

describe("corrupt sparse values (redis-server 7.0.15's answers)", () => {
  /** A stale-cache sparse value with these opcodes after the header. */
  const sparse = (...ops: number[]): Uint8Array => Uint8Array.from([72, 89, 76, 76, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, ...ops]);
  // VAL(25)x1, XZERO x14951, VAL(1)x1, XZERO x1428, VAL(22)x3: exactly 16384 registers.
  const exact = [0xe0, 0x7a, 0x66, 0x80, 0x45, 0x93, 0xd6];

  test("opcodes that cover exactly 16384 registers count; one VAL past the end is corrupt everywhere", () => {
    const h = createHarness();
    h.run([enc.encode("set"), enc.encode("ok"), sparse(...exact)]);
    expect(h.run(["pfcount", "ok"])).toBe(5);
    expect(h.run(["pfcount", "ok", "nosuch"])).toBe(5);
    expect(h.run(["pfmerge", "m", "ok"])).toBe("OK");
    for (const tail of [[0x80, 0x80, 0x80], [0x00], [0x40, 0x00]]) {
      h.run([enc.encode("set"), enc.encode("bad"), sparse(...exact, ...tail)]);
      for (const argv of [["pfcount", "bad"], ["pfcount", "bad", "nosuch"], ["pfmerge", "m", "bad"]]) {
        expect([tail, argv, h.run(argv)]).toEqual([tail, argv, { error: "INVALIDOBJ Corrupted HLL object detected" }]);
      }
    }
  });

  test("a promotion to dense of a corrupt value answers INVALIDOBJ and keeps the value", () => {
    const h = createHarness();
    const saved = limits["hll-sparse-max-bytes"];
    limits["hll-sparse-max-bytes"] = 50;
    try {
      const v = sparse(...exact, ...new Array(30).fill(0x80));
      h.run([enc.encode("set"), enc.encode("bad"), v]);
      // "f308" lands in the first XZERO: the split needs 3 more bytes, past 50, so it promotes.
      expect(h.run(["pfadd", "bad", "f308"])).toEqual({ error: "INVALIDOBJ Corrupted HLL object detected" });
      expect(value(h, "bad")).toEqual(v);
    } finally {
      limits["hll-sparse-max-bytes"] = saved;
    }
  });
});

describe("PFDEBUG PFSELFTEST", () => {
  test("DECODE shows the sparse opcodes, GETREG and TODENSE convert to dense, ENCODING tells which", () => {
    const h = createHarness();
    script(h, [
      [["pfadd", "h", "a", "b", "c"], 1],
      [["pfdebug", "decode", "h"], "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"],
      [["pfdebug", "encoding", "h"], "sparse"],
      [["pfdebug", "todense", "h"], 1],
      [["pfdebug", "todense", "h"], 0],
      [["pfdebug", "encoding", "h"], "dense"],
      [["pfdebug", "decode", "h"], { error: "ERR HLL encoding is not sparse" }],
      [["pfcount", "h"], 3],
      [["pfdebug", "bogus", "h"], { error: "ERR Unknown PFDEBUG subcommand 'bogus'" }],
      [["pfdebug", "encoding", "nosuch"], { error: "ERR The specified key does not exist" }],
      [["set", "s", "x"], "OK"],
      [["pfdebug", "encoding", "s"], { error: "WRONGTYPE Key is not a valid HyperLogLog string value." }],
      [["pfselftest"], "OK"],
    ]);
    expect(value(h, "h").length).toBe(HLL_DENSE_SIZE);
    h.run(["pfadd", "g", "a", "b", "c"]);
    const regs = h.run(["pfdebug", "getreg", "g"]) as number[];
    expect(regs.length).toBe(16384);
    expect(regs.filter((r) => r > 0)).toEqual([1, 2, 1]);
    expect(h.run(["pfdebug", "encoding", "g"])).toBe("dense");
  });
});

describe("hll-sparse-max-bytes", () => {
  const saved = limits["hll-sparse-max-bytes"];
  afterEach(() => {
    limits["hll-sparse-max-bytes"] = saved;
  });

  test("a smaller limit promotes to dense sooner, with the same count", () => {
    const h = createHarness();
    limits["hll-sparse-max-bytes"] = 100;
    h.run(["pfadd", "s", ...elements(1000)]);
    expect(value(h, "s").length).toBe(HLL_DENSE_SIZE);
    expect(h.run(["pfcount", "s"])).toBe(1008);
    limits["hll-sparse-max-bytes"] = 3000;
    h.run(["pfadd", "t", ...elements(1000)]);
    expect(value(h, "t").length).toBe(1906);
  });

  test("CONFIG GET and SET know it", () => {
    const h = createHarness();
    expect(h.run(["config", "get", "hll-sparse-max-bytes"])).toEqual(["hll-sparse-max-bytes", "3000"]);
    expect(h.run(["config", "set", "hll-sparse-max-bytes", "500"])).toBe("OK");
    expect(h.run(["config", "get", "hll-sparse-max-bytes"])).toEqual(["hll-sparse-max-bytes", "500"]);
  });
});
