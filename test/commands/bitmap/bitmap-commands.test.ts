// The bitmap family (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) through the real
// command table over a real Keyspace, in RESP2 and RESP3. Every expected reply below was recorded
// from redis-server 7.0.15 running the same script (test/e2e/bits-redis-parity.test.ts keeps
// comparing them live).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

type Step = [string[], unknown];

function script(h: Harness, steps: Step[]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

/** Runs `steps` on a fresh keyspace in RESP2 and in RESP3 (the decoded replies are the same). */
function bothProtocols(steps: Step[]): void {
  for (const resp of [2, 3] as const) script(createHarness({ resp }), steps);
}

const SETBIT_STEPS: Step[] = [
  [["setbit", "b", "7", "1"], 0],
  [["get", "b"], "\u0001"],
  [["setbit", "b", "7", "1"], 1],
  [["setbit", "b", "7", "0"], 1],
  [["setbit", "b", "100", "1"], 0],
  [["strlen", "b"], 13],
  [["getbit", "b", "100"], 1],
  [["getbit", "b", "101"], 0],
  [["getbit", "b", "1000000"], 0],
  [["getbit", "nosuch", "5"], 0],
  [["setbit", "b", "4294967296", "1"], { error: "ERR bit offset is not an integer or out of range" }],
  [["setbit", "b", "-1", "1"], { error: "ERR bit offset is not an integer or out of range" }],
  [["setbit", "b", "1", "2"], { error: "ERR bit is not an integer or out of range" }],
  [["setbit", "b", "1", "-1"], { error: "ERR bit is not an integer or out of range" }],
  [["setbit", "b", "1", "x"], { error: "ERR bit is not an integer or out of range" }],
  [["setbit", "b", "01", "1"], { error: "ERR bit offset is not an integer or out of range" }],
  [["getbit", "b", "x"], { error: "ERR bit offset is not an integer or out of range" }],
];

const BITCOUNT_STEPS: Step[] = [
  [["set", "s", "foobar"], "OK"],
  [["bitcount", "s"], 26],
  [["bitcount", "s", "0", "0"], 4],
  [["bitcount", "s", "1", "1"], 6],
  [["bitcount", "s", "1", "-2"], 18],
  [["bitcount", "s", "-2", "-1"], 7],
  [["bitcount", "s", "5", "30", "bit"], 17],
  [["bitcount", "s", "0", "-1", "BIT"], 26],
  [["bitcount", "s", "-5", "-1", "bit"], 2],
  [["bitcount", "s", "2", "1"], 0],
  [["bitcount", "s", "-1", "-5"], 0],
  [["bitcount", "s", "-1", "-5", "junk"], 0],
  [["bitcount", "s", "100", "200"], 0],
  [["bitcount", "s", "-100", "-90"], 4],
  [["bitcount", "s", "1"], { error: "ERR syntax error" }],
  [["bitcount", "s", "1", "2", "bit", "x"], { error: "ERR syntax error" }],
  [["bitcount", "s", "a", "1"], { error: "ERR value is not an integer or out of range" }],
  [["bitcount", "nosuch", "a", "b", "c", "d"], 0],
];

const BITFIELD_STEPS: Step[] = [
  [["bitfield", "bf", "set", "u8", "0", "255", "get", "u8", "0"], [0, 255]],
  [["bitfield", "bf", "incrby", "u8", "0", "1"], [0]],
  [["bitfield", "bf", "overflow", "sat", "incrby", "u8", "0", "300"], [255]],
  [["bitfield", "bf", "overflow", "fail", "incrby", "u8", "0", "1", "get", "u8", "0"], [null, 255]],
  [["bitfield", "bf", "overflow", "sat", "incrby", "u8", "0", "-1000"], [0]],
  [["bitfield", "bf", "set", "i8", "#1", "-128", "get", "i8", "#1", "incrby", "i8", "#1", "-1"], [0, -128, 127]],
  [["bitfield", "bf", "overflow", "sat", "incrby", "i8", "8", "-1000", "overflow", "fail", "incrby", "i8", "8", "-1"], [-128, null]],
  [["bitfield", "bf", "overflow", "sat", "set", "i8", "8", "1000", "get", "i8", "8"], [-128, 127]],
  [["bitfield", "bf", "set", "i8", "8", "200", "get", "i8", "8"], [127, -56]],
  [["bitfield", "bf", "set", "u8", "8", "-1", "get", "u8", "8"], [200, 255]],
  [["bitfield", "bf", "overflow", "fail", "set", "u8", "8", "256"], [null]],
  [["bitfield", "bf", "overflow", "sat", "set", "u4", "3", "-5", "get", "u4", "3"], [0, 15]],
  [["bitfield", "bf", "set", "i64", "0", "-9223372036854775808", "get", "i64", "0", "incrby", "i64", "0", "-1"], [2233503940199055360n, -9223372036854775808n, 9223372036854775807n]],
  [["bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "-1", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "9223372036854775807"], [9223372036854775806n, 9223372036854775807n, 9223372036854775807n]],
  [["bitfield", "bf", "overflow", "fail", "incrby", "i64", "0", "1"], [null]],
  [["bitfield", "bf", "set", "u63", "1", "9223372036854775807", "get", "u63", "1", "overflow", "sat", "incrby", "u63", "1", "5", "overflow", "wrap", "incrby", "u63", "1", "1"], [9223372036854775807n, 9223372036854775807n, 9223372036854775807n, 0]],
  [["bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-9223372036854775808", "get", "i8", "0"], [0, 127]],
  [["bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-9223372036854775800", "get", "i8", "0"], [127, 127]],
  [["bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-300", "get", "i8", "0"], [127, -128]],
  [["bitfield", "bf", "set", "i5", "100", "31", "get", "i5", "100", "get", "u1", "100", "get", "i1", "100"], [0, -1, 1, -1]],
  [["strlen", "bf"], 14],
  [["bitfield", "bf", "get", "u16", "1000", "get", "i64", "999999"], [0, 0]],
  [["strlen", "bf"], 14],
  [["bitfield", "bf"], []],
  [["bitfield", "nosuch", "get", "u8", "0"], [0]],
  [["exists", "nosuch"], 0],
  [["bitfield", "grow", "overflow", "fail", "incrby", "u2", "100", "10"], [null]],
  [["strlen", "grow"], 13],
  [["get", "grow"], "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"],
];

describe("SETBIT GETBIT", () => {
  test("bits are set and read MSB first, the value grows with zero bytes, offsets and bits are checked", () => {
    bothProtocols([
      ...SETBIT_STEPS,
    ]);
  });

  test("a bit that does not change writes nothing; a change keeps the TTL", () => {
    const h = createHarness();
    script(h, [[["setbit", "k", "3", "1"], 0], [["expire", "k", "100"], 1]]);
    const sets = h.keyspace.stats().sets;
    expect(h.run(["setbit", "k", "3", "1"])).toBe(1);
    expect(h.keyspace.stats().sets).toBe(sets);
    expect(h.run(["setbit", "k", "3", "0"])).toBe(1);
    expect(h.run(["setbit", "k", "20", "1"])).toBe(0);
    expect(h.run(["ttl", "k"])).toBe(100);
    expect([...h.keyspace.get(new TextEncoder().encode("k"))!]).toEqual([0, 0, 8]);
  });

  test("the offset limit follows proto-max-bulk-len", () => {
    const h = createHarness({ config: { "proto-max-bulk-len": "1048576" } });
    expect(h.run(["setbit", "k", String(8 * 1048576), "1"])).toEqual({ error: "ERR bit offset is not an integer or out of range" });
    expect(h.run(["setbit", "k", String(8 * 1048576 - 1), "1"])).toBe(0);
    expect(h.run(["strlen", "k"])).toBe(1048576);
  });

  test("SETBIT that grows a value past maxmemory under noeviction answers -OOM and keeps the old value", () => {
    const h = createHarness({ keyspace: { maxMemory: 200_000, policy: "noeviction" } });
    expect(h.run(["setbit", "k", "7", "1"])).toBe(0);
    expect(h.run(["setbit", "k", String(8 * 400_000), "1"])).toEqual({ error: "OOM command not allowed when used memory > 'maxmemory'." });
    expect(h.run(["strlen", "k"])).toBe(1);
    expect(h.run(["getbit", "k", "7"])).toBe(1);
  });
});

describe("WRONGTYPE", () => {
  test("every bit command refuses a list; BITOP overwrites a destination of any type", () => {
    bothProtocols([
      ...SETBIT_STEPS,
      [["lpush", "l", "a"], 1],
      [["setbit", "l", "1", "1"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["getbit", "l", "1"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitcount", "l"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitpos", "l", "1"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitfield", "l", "get", "u8", "0"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitfield_ro", "l", "get", "u8", "0"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitop", "and", "d", "l"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["bitop", "and", "l", "b"], 13],
      [["type", "l"], "string"],
    ]);
  });
});

describe("BITCOUNT", () => {
  test("whole value, byte and bit ranges, negative and clamped ends, Redis 7.0's argument order", () => {
    bothProtocols([
      ...BITCOUNT_STEPS,
    ]);
  });
});

describe("BITPOS", () => {
  test("first set or clear bit, with byte and bit ranges, implicit and explicit ends", () => {
    bothProtocols([
      ...BITCOUNT_STEPS,
      [["set", "z", "\u0000\u0000\u0000"], "OK"],
      [["bitpos", "z", "1"], -1],
      [["bitpos", "z", "0"], 0],
      [["set", "f", "\u0000\u0000\u00ff"], "OK"],
      [["bitpos", "f", "1"], 16],
      [["bitpos", "f", "0", "1"], 8],
      [["set", "o", "\u00ff\u00ff\u00ff"], "OK"],
      [["bitpos", "o", "0"], 2],
      [["bitpos", "o", "0", "0"], 2],
      [["bitpos", "o", "0", "0", "-1"], 2],
      [["bitpos", "o", "1", "2", "-1", "byte"], 16],
      [["bitpos", "o", "1", "7", "15", "bit"], 7],
      [["bitpos", "o", "0", "7", "15", "bit"], 9],
      [["bitpos", "s", "1", "7", "15", "bit"], 9],
      [["bitpos", "s", "0", "3", "-3", "bit"], 3],
      [["bitpos", "s", "1", "-1"], 41],
      [["bitpos", "s", "1", "5", "2"], -1],
      [["bitpos", "s", "0", "100"], -1],
      [["bitpos", "nosuch", "0"], 0],
      [["bitpos", "nosuch", "1", "x"], -1],
      [["bitpos", "s", "2"], { error: "ERR The bit argument must be 1 or 0." }],
      [["bitpos", "s", "1", "0", "1", "bits"], { error: "ERR syntax error" }],
      [["bitpos", "s", "1", "x"], { error: "ERR value is not an integer or out of range" }],
      [["bitpos", "s", "1", "0", "x"], { error: "ERR value is not an integer or out of range" }],
      [["bitpos", "s", "1", "0", "1", "bit", "x"], { error: "ERR syntax error" }],
    ]);
  });

  test("an empty string holds neither a 0 nor a 1", () => {
    bothProtocols([
      [["set", "e", ""], "OK"],
      [["bitpos", "e", "0"], -1],
      [["bitpos", "e", "1"], -1],
      [["bitcount", "e"], 0],
      [["bitcount", "e", "0", "-1"], 0],
    ]);
  });
});

describe("BITFIELD BITFIELD_RO", () => {
  test("GET SET INCRBY with WRAP SAT FAIL at the edges of signed and unsigned types, #N offsets", () => {
    bothProtocols([
      ...BITFIELD_STEPS,
    ]);
  });

  test("types, offsets, OVERFLOW modes and BITFIELD_RO are checked before the key is touched", () => {
    bothProtocols([
      ...BITFIELD_STEPS,
      [["bitfield", "bf", "get", "u64", "0"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield", "bf", "get", "i65", "0"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield", "bf", "get", "i0", "0"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield", "bf", "get", "x8", "0"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield", "bf", "get", "U8", "0"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield", "bf", "get", "u8", "-1"], { error: "ERR bit offset is not an integer or out of range" }],
      [["bitfield", "bf", "get", "u8", "#-1"], { error: "ERR bit offset is not an integer or out of range" }],
      [["bitfield", "bf", "get", "u8", "#x"], { error: "ERR bit offset is not an integer or out of range" }],
      [["bitfield", "bf", "get", "u8", "4294967296"], { error: "ERR bit offset is not an integer or out of range" }],
      [["bitfield", "bf", "get", "u8", "#536870912"], { error: "ERR bit offset is not an integer or out of range" }],
      [["bitfield", "bf", "get", "u8", "#536870911"], [0]],
      [["bitfield", "bf", "set", "u8", "0", "x"], { error: "ERR value is not an integer or out of range" }],
      [["bitfield", "bf", "set", "u8", "0"], { error: "ERR syntax error" }],
      [["bitfield", "bf", "overflow", "bogus", "get", "u8", "0"], { error: "ERR Invalid OVERFLOW type specified" }],
      [["bitfield", "bf", "overflow"], { error: "ERR syntax error" }],
      [["bitfield", "bf", "nope", "u8", "0"], { error: "ERR syntax error" }],
      [["bitfield", "bf", "get", "u8", "0", "set", "u8"], { error: "ERR syntax error" }],
      [["bitfield_ro", "bf", "get", "u8", "0", "get", "i4", "#3"], [128, 0]],
      [["bitfield_ro", "bf", "get", "u8", "0", "set", "u8", "0", "1"], { error: "ERR BITFIELD_RO only supports the GET subcommand" }],
      [["bitfield_ro", "bf", "incrby", "u8", "0", "1"], { error: "ERR BITFIELD_RO only supports the GET subcommand" }],
      [["bitfield_ro", "bf", "overflow", "sat"], []],
      [["bitfield_ro", "bf", "get", "x8", "0", "set", "u8", "0", "1"], { error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is." }],
      [["bitfield_ro", "nosuch", "get", "u8", "0"], [0]],
    ]);
  });

  test("FAIL's nil is a null bulk in RESP2 and a RESP3 null", () => {
    const dec = new TextDecoder();
    const two = createHarness();
    expect(dec.decode(two.runRaw(["bitfield", "k", "overflow", "fail", "incrby", "u2", "0", "9"]))).toBe("*1\r\n$-1\r\n");
    const three = createHarness({ resp: 3 });
    expect(dec.decode(three.runRaw(["bitfield", "k", "overflow", "fail", "incrby", "u2", "0", "9", "get", "i64", "0"]))).toBe("*2\r\n_\r\n:0\r\n");
  });
});

describe("BITOP", () => {
  test("AND OR XOR NOT over values of different lengths and missing keys; an empty result deletes the destination", () => {
    bothProtocols([
      [["set", "a", "abc"], "OK"],
      [["set", "b", "b\u0001"], "OK"],
      [["bitop", "and", "d", "a", "b"], 3],
      [["get", "d"], "`\u0000\u0000"],
      [["bitop", "or", "d", "a", "b"], 3],
      [["get", "d"], "ccc"],
      [["bitop", "xor", "d", "a", "b"], 3],
      [["get", "d"], "\u0003cc"],
      [["bitop", "not", "d", "a"], 3],
      [["strlen", "d"], 3],
      [["bitop", "and", "d", "a", "nosuch"], 3],
      [["get", "d"], "\u0000\u0000\u0000"],
      [["bitop", "or", "d", "nosuch", "a"], 3],
      [["get", "d"], "abc"],
      [["expire", "d", "100"], 1],
      [["bitop", "or", "d", "a"], 3],
      [["ttl", "d"], -1],
      [["bitop", "and", "d", "nosuch", "nosuch2"], 0],
      [["exists", "d"], 0],
      [["bitop", "not", "d", "nosuch"], 0],
      [["bitop", "nand", "d", "a"], { error: "ERR syntax error" }],
      [["bitop", "not", "d", "a", "b"], { error: "ERR BITOP NOT must be called with a single source key." }],
      [["bitop", "and", "a", "a", "b"], 3],
      [["get", "a"], "`\u0000\u0000"],
      [["set", "e", ""], "OK"],
      [["bitop", "or", "d", "e"], 0],
      [["exists", "d"], 0],
      [["bitop", "OR", "d", "a", "e"], 3],
      [["get", "d"], "`\u0000\u0000"],
    ]);
  });

  test("long values take the word path and agree with a byte-by-byte reference", () => {
    const h = createHarness();
    const a = new Uint8Array(10_003).map((_, i) => (i * 7 + 3) & 0xff);
    const b = new Uint8Array(4_001).map((_, i) => (i * 13 + 1) & 0xff);
    h.run([new TextEncoder().encode("set"), new TextEncoder().encode("a"), a]);
    h.run([new TextEncoder().encode("set"), new TextEncoder().encode("b"), b]);
    const ops: [string, (x: number, y: number) => number][] = [["and", (x, y) => x & y], ["or", (x, y) => x | y], ["xor", (x, y) => x ^ y]];
    for (const [op, f] of ops) {
      expect(h.run(["bitop", op, "d", "a", "b"])).toBe(10_003);
      const want = a.map((x, i) => f(x, i < b.length ? b[i]! : 0));
      expect(h.keyspace.get(new TextEncoder().encode("d"))).toEqual(want);
    }
    expect(h.run(["bitop", "not", "d", "a"])).toBe(10_003);
    expect(h.keyspace.get(new TextEncoder().encode("d"))).toEqual(a.map((x) => ~x & 0xff));
  });
});

describe("WATCH", () => {
  test("SETBIT, BITFIELD, BITOP and PFADD by another client abort a transaction watching the key; a no-op SETBIT does not", () => {
    const h = createHarness();
    const other = h.newClient();
    h.run(["setbit", "k", "3", "1"]);
    const writes: string[][] = [["setbit", "k", "5", "1"], ["bitfield", "k", "incrby", "u8", "0", "1"], ["bitop", "not", "k", "k"], ["del", "k"]];
    for (const w of writes) {
      expect(h.run(["watch", "k"])).toBe("OK");
      h.runAs(other, w);
      h.run(["multi"]);
      h.run(["get", "k"]);
      expect([w, h.run(["exec"])]).toEqual([w, null]);
    }
    expect(h.run(["watch", "h"])).toBe("OK");
    h.runAs(other, ["pfadd", "h", "a"]);
    h.run(["multi"]);
    expect(h.run(["exec"])).toBeNull();
    h.run(["setbit", "k", "3", "1"]);
    expect(h.run(["watch", "k"])).toBe("OK");
    expect(h.runAs(other, ["setbit", "k", "3", "1"])).toBe(1);
    h.run(["multi"]);
    h.run(["getbit", "k", "3"]);
    expect(h.run(["exec"])).toEqual([1]);
  });
});
