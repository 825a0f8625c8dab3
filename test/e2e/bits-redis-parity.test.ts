// Bitmap and HyperLogLog parity with redis-server 7.0.15: fixed scripts over RESP2 and RESP3,
// and the bytes of HLL values compared exactly (bulk replies read as bytes, never decoded):
// after PFADD of 10, 1000 (sparse) and 20000 (dense) elements, after PFCOUNT writes its cache,
// after PFMERGE of sparse and dense, with a smaller hll-sparse-max-bytes, and for values moved
// from redis-server to fast-cache and back with GET/SET. Skipped, with a notice, without redis-server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectWithRetry, parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import type { RespValue } from "../support/resp-decode.ts";
import { RawClient } from "../support/server-process.ts";

const BITMAP_SCRIPT: string[][] = [
  ["#flush"], ["setbit", "b", "7", "1"], ["get", "b"], ["setbit", "b", "7", "1"], ["setbit", "b", "7", "0"], ["setbit", "b", "100", "1"], ["strlen", "b"],
  ["getbit", "b", "100"], ["getbit", "b", "101"], ["getbit", "b", "1000000"], ["getbit", "nosuch", "5"], ["setbit", "b", "4294967296", "1"], ["setbit", "b", "-1", "1"],
  ["setbit", "b", "1", "2"], ["setbit", "b", "1", "x"], ["setbit", "b", "01", "1"], ["getbit", "b", "x"], ["setbit", "b", "#1", "1"],
  ["lpush", "l", "a"], ["setbit", "l", "1", "1"], ["getbit", "l", "1"], ["bitcount", "l"], ["bitpos", "l", "1"], ["bitfield", "l", "get", "u8", "0"], ["bitfield_ro", "l", "get", "u8", "0"],
  ["bitop", "and", "d", "l"], ["bitop", "and", "l", "b"], ["type", "l"],
  ["set", "s", "foobar"], ["bitcount", "s"], ["bitcount", "s", "1", "1"], ["bitcount", "s", "1", "-2"], ["bitcount", "s", "5", "30", "bit"], ["bitcount", "s", "-5", "-1", "bit"],
  ["bitcount", "s", "-1", "-5", "junk"], ["bitcount", "s", "-100", "-90"], ["bitcount", "s", "1"], ["bitcount", "s", "1", "2", "bit", "x"], ["bitcount", "s", "a", "1"], ["bitcount", "nosuch", "a", "b", "c", "d"],
  ["bitpos", "s", "1", "7", "15", "bit"], ["bitpos", "s", "0", "3", "-3", "bit"], ["bitpos", "s", "1", "-1"], ["bitpos", "s", "1", "5", "2"], ["bitpos", "s", "0", "100"], ["bitpos", "nosuch", "1", "x"],
  ["bitpos", "s", "2"], ["bitpos", "s", "1", "0", "1", "bits"], ["bitpos", "s", "1", "x"], ["set", "e", ""], ["bitpos", "e", "0"], ["bitcount", "e", "0", "-1"],
  ["bitfield", "bf", "set", "u8", "0", "255", "get", "u8", "0"], ["bitfield", "bf", "overflow", "fail", "incrby", "u8", "0", "1", "get", "u8", "0"],
  ["bitfield", "bf", "set", "i8", "#1", "-128", "get", "i8", "#1", "incrby", "i8", "#1", "-1"], ["bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-9223372036854775808", "get", "i8", "0"],
  ["bitfield", "bf", "set", "i64", "0", "-9223372036854775808", "incrby", "i64", "0", "-1"], ["bitfield", "bf", "set", "u63", "1", "9223372036854775807", "overflow", "sat", "incrby", "u63", "1", "5"],
  ["bitfield", "grow", "overflow", "fail", "incrby", "u2", "100", "10"], ["get", "grow"], ["bitfield", "bf"], ["bitfield", "bf", "get", "u64", "0"], ["bitfield", "bf", "get", "U8", "0"],
  ["bitfield", "bf", "get", "u8", "#536870912"], ["bitfield", "bf", "overflow", "bogus", "get", "u8", "0"], ["bitfield", "bf", "get", "u8", "0", "set", "u8"],
  ["bitfield_ro", "bf", "get", "u8", "0", "get", "i4", "#3"], ["bitfield_ro", "bf", "get", "u8", "0", "set", "u8", "0", "1"], ["bitfield_ro", "bf", "overflow", "sat"],
  ["set", "a", "abc"], ["set", "c", "b\u0001"], ["bitop", "and", "d", "a", "c"], ["get", "d"], ["bitop", "xor", "d", "a", "c", "nosuch"], ["get", "d"], ["bitop", "not", "d", "a"], ["get", "d"],
  ["expire", "d", "100"], ["bitop", "or", "d", "a"], ["ttl", "d"], ["bitop", "and", "d", "nosuch", "nosuch2"], ["exists", "d"], ["bitop", "nand", "d", "a"], ["bitop", "not", "d", "a", "c"],
  ["setbit"], ["bitop", "and", "d"], ["bitfield"],
];

const HLL_SCRIPT: string[][] = [
  ["#flush"], ["pfadd", "h"], ["strlen", "h"], ["pfadd", "h"], ["pfcount", "h"], ["pfadd", "h", "a", "b", "c"], ["pfadd", "h", "a"], ["pfcount", "h"], ["pfcount", "h", "nosuch"],
  ["set", "s", "foo"], ["pfadd", "s", "a"], ["pfcount", "s"], ["pfmerge", "d", "s"], ["pfcount", "h", "s"], ["lpush", "l", "x"], ["pfadd", "l", "a"], ["pfcount", "h", "l"], ["pfcount", "s", "l"],
  ["pfmerge", "m"], ["strlen", "m"], ["pfmerge", "m2", "h", "nosuch"], ["pfcount", "m2"], ["expire", "h", "1000"], ["pfadd", "h", "zz"], ["ttl", "h"],
  ["set", "hd", "HYLL\u0000" + "\u0000".repeat(11)], ["pfcount", "hd"], ["set", "empty", "HYLL\u0001" + "\u0000".repeat(11)], ["pfcount", "empty"], ["pfadd", "empty", "a"],
  ["pfadd"], ["pfcount"], ["config", "get", "hll-sparse-max-bytes"],
  ["pfadd", "g", "a", "b", "c"], ["pfdebug", "decode", "g"], ["pfdebug", "encoding", "g"], ["pfdebug", "getreg", "g"], ["pfdebug", "encoding", "g"], ["pfdebug", "todense", "g"],
  ["pfdebug", "decode", "g"], ["pfdebug", "bogus", "g"], ["pfdebug", "bogus", "nosuch"], ["pfdebug", "encoding", "s"], ["pfdebug", "encoding", "l"], ["pfadd", "g2", "a"],
  ["pfdebug", "todense", "g2"], ["pfdebug", "todense", "g2"], ["pfcount", "g2"], ["pfselftest"], ["pfdebug", "getreg"], ["pfselftest", "x"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the bitmap/HyperLogLog parity test");
});
afterAll(async () => {
  await pair?.stop();
});

/** Both servers with bytes-exact clients: every command goes to both, replies come back in pairs. */
interface Both {
  run(...argv: (string | Uint8Array)[]): Promise<[RespValue, RespValue]>;
  close(): void;
}

async function both(): Promise<Both> {
  const ref = await connectWithRetry(pair!.redisPort);
  const refBytes = await RawClient.connect(pair!.redisPort, { buffers: true });
  const mine = await RawClient.connect(pair!.ours.port, { buffers: true });
  ref.close();
  return {
    async run(...argv) {
      const [a, b] = await Promise.all([refBytes.command(...argv), mine.command(...argv)]);
      return [a!, b!];
    },
    close() {
      refBytes.close();
      mine.close();
    },
  };
}

const OK = new TextEncoder().encode("OK");
const elements = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `e${from + i}`);

/** PFADD of `els` in chunks of 500 on both servers; every reply equal. */
async function addAll(b: Both, key: string, els: string[]): Promise<void> {
  for (let i = 0; i < els.length; i += 500) {
    const [want, got] = await b.run("pfadd", key, ...els.slice(i, i + 500));
    expect(got).toEqual(want);
  }
}

/** GET `key` on both; the bytes must be identical. Returns redis-server's. */
async function sameBytes(b: Both, key: string): Promise<Uint8Array> {
  const [want, got] = await b.run("get", key);
  expect(want).toBeInstanceOf(Uint8Array);
  expect(got).toEqual(want);
  return want as Uint8Array;
}

describe.skipIf(!REDIS_SERVER)("bitmaps and HyperLogLog match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("bitmap script over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, BITMAP_SCRIPT, resp)).toEqual([]);
  });

  test.each([2, 3] as const)("HyperLogLog script over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, HLL_SCRIPT, resp)).toEqual([]);
  });

  test("HLL values are byte-identical after PFADD of 10, 1000 and 20000 elements, PFCOUNT and PFMERGE", async () => {
    const b = await both();
    try {
      await b.run("flushall");
      for (const n of [10, 1000, 20000]) {
        await addAll(b, `h${n}`, elements(0, n));
        await sameBytes(b, `h${n}`);
        const [want, got] = await b.run("pfcount", `h${n}`);
        expect(got).toEqual(want);
        // PFCOUNT wrote the cached cardinality into the value.
        await sameBytes(b, `h${n}`);
      }
      expect((await sameBytes(b, "h1000"))[4]).toBe(1);
      expect((await sameBytes(b, "h20000")).length).toBe(12304);
      for (const argv of [["pfcount", "h10", "h1000", "h20000"], ["pfcount", "h10", "nosuch", "h1000"], ["pfmerge", "sd", "h1000", "h20000"], ["pfmerge", "ss", "h10", "h1000"], ["pfmerge", "h10", "h1000"]]) {
        const [want, got] = await b.run(...argv);
        expect([argv, got]).toEqual([argv, want]);
      }
      for (const key of ["sd", "ss", "h10"]) await sameBytes(b, key);
      for (const key of ["sd", "ss", "h10"]) {
        const [want, got] = await b.run("pfcount", key);
        expect(got).toEqual(want);
      }
      // A smaller sparse limit promotes earlier, on both.
      expect(await b.run("config", "set", "hll-sparse-max-bytes", "200")).toEqual([OK, OK]);
      await addAll(b, "small", elements(5000, 300));
      expect((await sameBytes(b, "small")).length).toBe(12304);
      expect(await b.run("config", "set", "hll-sparse-max-bytes", "3000")).toEqual([OK, OK]);
    } finally {
      b.close();
    }
  });

  test("a seeded random mix of PFADD, PFMERGE, PFCOUNT and sparse limits keeps every value byte-identical", async () => {
    const b = await both();
    let seed = 11;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const keys = ["ra", "rb", "rc", "rd"];
    try {
      await b.run("flushall");
      for (let step = 0; step < 1500; step++) {
        const r = rnd(10);
        let argv: string[];
        if (r < 5) argv = ["pfadd", keys[rnd(4)]!, ...Array.from({ length: rnd(r === 0 ? 600 : 20) }, () => `x${rnd(100000)}`)];
        else if (r < 6) argv = ["pfmerge", keys[rnd(4)]!, keys[rnd(4)]!, keys[rnd(4)]!];
        else if (r < 7) argv = ["pfcount", keys[rnd(4)]!];
        else if (r < 8) argv = ["pfcount", keys[rnd(4)]!, keys[rnd(4)]!];
        else if (r < 9) argv = ["config", "set", "hll-sparse-max-bytes", String([0, 50, 300, 3000, 10000][rnd(5)])];
        else argv = ["get", keys[rnd(4)]!];
        const [want, got] = await b.run(...argv);
        if (!Bun.deepEquals(got, want)) expect([step, argv.slice(0, 3), got]).toEqual([step, argv.slice(0, 3), want]);
      }
      for (const k of keys) await sameBytes(b, k);
      expect(await b.run("config", "set", "hll-sparse-max-bytes", "3000")).toEqual([OK, OK]);
    } finally {
      b.close();
    }
  });

  test("random corrupt sparse values get the same replies and bytes as redis-server (and nothing crashes)", async () => {
    const b = await both();
    let seed = 5;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    try {
      for (const maxBytes of ["3000", "50"]) {
        expect(await b.run("config", "set", "hll-sparse-max-bytes", maxBytes)).toEqual([OK, OK]);
        for (let t = 0; t < 150; t++) {
          // A valid header, then random opcodes: runs that fall short of or overshoot 16384.
          const v = new Uint8Array(16 + rnd(60));
          v.set([72, 89, 76, 76, rnd(3) === 0 ? 0 : 1]);
          if (rnd(2)) v[15] = 0x80;
          for (let i = 16; i < v.length; i++) {
            const k = rnd(4);
            v[i] = k === 0 ? 0x7f : k === 1 ? 0x40 | rnd(64) : k === 2 ? rnd(256) : 0x80 | rnd(128);
          }
          const steps: (string | Uint8Array)[][] = [["set", "c", v], ["pfadd", "c", `e${rnd(1000)}`, `f${rnd(1000)}`], ["pfcount", "c"], ["pfcount", "c", "nosuch"], ["pfmerge", "m", "c"], ["get", "c"], ["get", "m"], ["del", "m"]];
          for (const argv of steps) {
            const [want, got] = await b.run(...argv);
            if (!Bun.deepEquals(got, want)) expect([t, argv[0], [...v], got]).toEqual([t, argv[0], [...v], want]);
          }
        }
      }
      expect(await b.run("config", "set", "hll-sparse-max-bytes", "3000")).toEqual([OK, OK]);
    } finally {
      b.close();
    }
  });

  test("a value made by redis-server works here, and one made here works there", async () => {
    const ref = await RawClient.connect(pair!.redisPort, { buffers: true });
    const mine = await RawClient.connect(pair!.ours.port, { buffers: true });
    try {
      await Promise.all([ref.command("flushall"), mine.command("flushall")]);
      for (const [key, n] of [["sparse", 700], ["dense", 9000]] as const) {
        for (let i = 0; i < n; i += 500) ref.sendCommand("pfadd", key, ...elements(i, Math.min(500, n - i)));
        await ref.read(Math.ceil(n / 500));
        const made = (await ref.command("get", key)) as Uint8Array;
        expect(await mine.command("set", key, made)).toEqual(OK);
        expect(await mine.command("pfcount", key)).toBe(await ref.command("pfcount", key));
        const more = elements(n, 300);
        expect(await mine.command("pfadd", key, ...more)).toBe(await ref.command("pfadd", key, ...more));
        const ours = (await mine.command("get", key)) as Uint8Array;
        expect(ours).toEqual((await ref.command("get", key)) as Uint8Array);
        // And back: redis-server reads what we wrote.
        expect(await ref.command("set", `${key}-back`, ours)).toEqual(OK);
        expect(await ref.command("pfcount", `${key}-back`)).toBe(await mine.command("pfcount", key));
      }
      // A corrupt sparse value with a stale cache: the same INVALIDOBJ on both, neither crashes.
      const corrupt = new Uint8Array(18);
      corrupt.set([72, 89, 76, 76, 1]);
      corrupt[15] = 0x80;
      corrupt.set([0x7f, 0x00], 16);
      for (const c of [ref, mine]) await c.command("set", "bad", corrupt);
      for (const argv of [["pfcount", "bad"], ["pfcount", "bad", "sparse"], ["pfmerge", "x", "bad"], ["pfadd", "bad", "e1", "e2", "e3"]]) {
        expect([argv, await mine.command(...argv)]).toEqual([argv, await ref.command(...argv)]);
      }
      expect(await mine.command("get", "bad")).toEqual(await ref.command("get", "bad"));
      expect(await mine.command("ping")).toEqual(new TextEncoder().encode("PONG"));
    } finally {
      ref.close();
      mine.close();
    }
  });
});
