import { describe, expect, test } from "bun:test";
import {
  BULK_PREALLOC_MAX,
  parseAll,
  PROTO_INLINE_MAX_SIZE,
  RespParser,
  SMALL_ARG_MAX,
  splitInlineArgs,
} from "../../src/protocol/resp-parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const strs = (cmds: Uint8Array[][]): string[][] => cmds.map((a) => a.map((x) => dec.decode(x)));
const mb = (...args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${enc.encode(a).length}\r\n${a}\r\n`).join("");

/** Feeds `chunks` to one parser and collects commands and the error. */
function feedAll(chunks: Uint8Array[], setup?: (p: RespParser) => void): { cmds: string[][]; error?: string } {
  const p = new RespParser();
  setup?.(p);
  const got: Uint8Array[][] = [];
  for (const c of chunks) {
    const err = p.feed(c, (argv) => {
      got.push(argv);
      return true;
    });
    if (err !== undefined) return { cmds: strs(got), error: err };
  }
  return { cmds: strs(got) };
}

describe("multibulk commands", () => {
  test("a pipeline in one chunk yields every command in order", () => {
    const input = bytes(mb("SET", "k", "v") + mb("GET", "k") + mb("PING"));
    expect(strs(parseAll(input).commands)).toEqual([["SET", "k", "v"], ["GET", "k"], ["PING"]]);
  });

  test("a pipeline split at every byte boundary parses the same", () => {
    const input = bytes(mb("SET", "key", "a\r\nb") + "PING\r\n" + mb("DEL", "x", "") + "\r\n" + mb("ECHO", "é"));
    const want = strs(parseAll(input).commands);
    expect(want).toEqual([["SET", "key", "a\r\nb"], ["PING"], ["DEL", "x", ""], ["ECHO", "é"]]);
    for (let i = 0; i <= input.length; i++) {
      expect(feedAll([input.subarray(0, i), input.subarray(i)]).cmds).toEqual(want);
    }
    for (let i = 1; i < input.length; i++) {
      for (let j = i; j < input.length; j++) {
        expect(feedAll([input.subarray(0, i), input.subarray(i, j), input.subarray(j)]).cmds).toEqual(want);
      }
    }
  });

  test("one byte per chunk parses the same", () => {
    const input = bytes(mb("SET", "k", "0123456789") + mb("GET", "k"));
    const chunks = Array.from(input, (b) => Uint8Array.of(b));
    expect(feedAll(chunks).cmds).toEqual([["SET", "k", "0123456789"], ["GET", "k"]]);
  });

  test("a whole bulk longer than SMALL_ARG_MAX is a view into the received chunk", () => {
    const key = "k".repeat(SMALL_ARG_MAX + 1);
    const input = bytes(mb("GET", key));
    const argv = parseAll(input).commands[0]!;
    expect(argv[1]!.buffer).toBe(input.buffer);
    expect(new TextDecoder().decode(argv[1]!)).toBe(key);
  });

  test("a whole bulk of at most SMALL_ARG_MAX bytes is a copy with the same bytes", () => {
    const key = "k".repeat(SMALL_ARG_MAX);
    const input = bytes(mb("GET", key, ""));
    const argv = parseAll(input).commands[0]!;
    expect(argv[1]!.buffer).not.toBe(input.buffer);
    expect(new TextDecoder().decode(argv[1]!)).toBe(key);
    expect(argv[2]!.length).toBe(0);
  });

  test("headers with the most digits the fast path reads, and one more, parse alike", () => {
    const input = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n0123456789\r\n*1\r\n$4\r\nPING\r\n");
    expect(parseAll(input).commands.length).toBe(2);
    expect(parseAll(bytes("*1\r\n$12345678901\r\n"), { maxBulkLen: 2 ** 40 }).error).toBeUndefined();
    expect(parseAll(bytes("*1\r\n$12345678901\r\n")).error).toBe("ERR Protocol error: invalid bulk length");
  });

  test("a large bulk over many chunks arrives intact", () => {
    const value = "x".repeat(300_000) + "end";
    const input = bytes(mb("SET", "k", value));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 7_919) chunks.push(input.subarray(i, i + 7_919));
    const { cmds } = feedAll(chunks);
    expect(cmds.length).toBe(1);
    expect(cmds[0]![2]!.length).toBe(value.length);
    expect(cmds[0]![2]!.endsWith("end")).toBe(true);
  });

  test("a bulk declared larger than the prealloc cap grows to its exact length", () => {
    const len = BULK_PREALLOC_MAX + 5;
    const p = new RespParser();
    const got: Uint8Array[][] = [];
    const sink = (a: Uint8Array[]): boolean => (got.push(a), true);
    expect(p.feed(bytes(`*2\r\n$3\r\nset\r\n$${len}\r\n`), sink)).toBeUndefined();
    const block = new Uint8Array(1024 * 1024).fill(97);
    let sent = 0;
    while (sent < len) {
      const n = Math.min(block.length, len - sent);
      expect(p.feed(block.subarray(0, n), sink)).toBeUndefined();
      sent += n;
    }
    expect(p.bufferedBytes()).toBeGreaterThan(len);
    p.feed(bytes("\r\n"), sink);
    expect(got.length).toBe(1);
    expect(got[0]![1]!.length).toBe(len);
    expect(p.bufferedBytes()).toBe(0);
  });

  test("empty multibulk counts and empty lines are skipped", () => {
    expect(strs(parseAll(bytes("*0\r\n*-1\r\n\r\n\n" + mb("PING") + "  \r\n")).commands)).toEqual([["PING"]]);
  });

  test("bufferedBytes counts the incomplete command only", () => {
    const p = new RespParser();
    p.feed(bytes(mb("PING") + "*2\r\n$3\r\nGE"), () => true);
    expect(p.bufferedBytes()).toBe("*2\r\n$3\r\nGE".length);
    p.feed(bytes("T\r\n$1\r\nk\r\n"), () => true);
    expect(p.bufferedBytes()).toBe(0);
  });

  test("a sink returning false stops parsing", () => {
    const got: string[][] = [];
    new RespParser().feed(bytes(mb("QUIT") + mb("PING")), (a) => (got.push(strs([a])[0]!), false));
    expect(got).toEqual([["QUIT"]]);
  });
});

describe("inline commands", () => {
  test.each([
    ["set a b", ["set", "a", "b"]],
    ["  set   a\tb  ", ["set", "a", "b"]],
    ['set "a b" c', ["set", "a b", "c"]],
    ['set "a\\nb\\r\\t\\b\\a" x', ["set", "a\nb\r\t\b\x07", "x"]],
    ['set "\\x41\\x4a\\x4" x', ["set", "AJx4", "x"]],
    ['set "q\\"q"', ["set", 'q"q']],
    ["set 'a \"b' c", ["set", 'a "b', "c"]],
    ["set 'it\\'s' x", ["set", "it's", "x"]],
    ["set 'a\\nb'", ["set", "a\\nb"]],
    ['set ab"cd ef"', ["set", "abcd ef"]],
    ['set ""', ["set", ""]],
  ] as const)("%j splits like sdssplitargs", (line, want) => {
    const input = bytes(line + "\r\n");
    expect(strs(parseAll(input).commands)).toEqual([[...want]]);
  });

  test("a bare LF ends an inline command", () => {
    expect(strs(parseAll(bytes("ping\nping\r\n")).commands)).toEqual([["ping"], ["ping"]]);
  });

  test("a NUL byte ends the arguments, as in C", () => {
    expect(strs(parseAll(bytes("set a\0b c\r\n")).commands)).toEqual([["set", "a"]]);
  });

  test.each([['set "abc'], ["set 'abc"], ['set "a"b'], ["set 'a'b"]])("%j has unbalanced quotes", (line) => {
    expect(splitInlineArgs(bytes(line), 0, line.length)).toBeNull();
    expect(parseAll(bytes(line + "\r\n")).error).toBe("ERR Protocol error: unbalanced quotes in request");
  });
});

describe("protocol errors", () => {
  const cases: [string, string][] = [
    ["*abc\r\n", "invalid multibulk length"],
    ["*1x\r\n", "invalid multibulk length"],
    ["*01\r\n", "invalid multibulk length"],
    ["*+1\r\n", "invalid multibulk length"],
    ["*2147483648\r\n", "invalid multibulk length"],
    ["*99999999999999999999\r\n", "invalid multibulk length"],
    ["*1\n", "invalid multibulk length"],
    ["*1\r\n$-1\r\n", "invalid bulk length"],
    ["*1\r\n$-0\r\n", "invalid bulk length"],
    ["*1\r\n$x\r\n", "invalid bulk length"],
    ["*1\r\n$\r\n", "invalid bulk length"],
    [`*1\r\n$${512 * 1024 * 1024 + 1}\r\n`, "invalid bulk length"],
    ["*1\r\nx\r\n", "expected '$', got 'x'"],
    ["*2\r\n$1\r\na\r\n:1\r\n", "expected '$', got ':'"],
  ];
  test.each(cases)("%j → %s", (input, detail) => {
    const full = bytes(input);
    expect(parseAll(full).error).toBe(`ERR Protocol error: ${detail}`);
    // The same error whatever the chunking.
    for (let i = 1; i < full.length; i++) {
      expect(feedAll([full.subarray(0, i), full.subarray(i)]).error).toBe(`ERR Protocol error: ${detail}`);
    }
  });

  test("the two bytes after bulk data are skipped unchecked, whatever the chunking (Redis 7.0)", () => {
    const full = bytes("*1\r\n$4\r\nPINGxxxx\r\n*1\r\n$4\r\nPINGx\r\nPING\r\n");
    const want = [["PING"], ["xx"], ["PING"], ["PING"]];
    expect(strs(parseAll(full).commands)).toEqual(want);
    for (let i = 1; i < full.length; i++) expect(feedAll([full.subarray(0, i), full.subarray(i)]).cmds).toEqual(want);
  });

  test("a multibulk count above 1,048,576 waits for its elements (Redis 7.0 allows up to INT_MAX)", () => {
    expect(parseAll(bytes("*2000000\r\n$4\r\nPING\r\n"))).toEqual({ commands: [] });
    expect(parseAll(bytes("*2147483647\r\n"))).toEqual({ commands: [] });
  });

  test("commands before the error are still delivered", () => {
    const r = parseAll(bytes(mb("PING") + "*1\r\n@\r\n" + mb("PING")));
    expect(strs(r.commands)).toEqual([["PING"]]);
    expect(r.error).toBe("ERR Protocol error: expected '$', got '@'");
  });

  test("an inline request over 64 KiB is too big, in one chunk or many", () => {
    const line = "a".repeat(PROTO_INLINE_MAX_SIZE + 10);
    expect(parseAll(bytes(line + "\r\n")).error).toBe("ERR Protocol error: too big inline request");
    const chunks = [];
    for (let i = 0; i < line.length; i += 1000) chunks.push(bytes(line.slice(i, i + 1000)));
    expect(feedAll(chunks).error).toBe("ERR Protocol error: too big inline request");
  });

  test("a header line over 64 KiB is a too big count string", () => {
    expect(feedAll([bytes("*" + "1".repeat(PROTO_INLINE_MAX_SIZE + 5))]).error).toBe(
      "ERR Protocol error: too big mbulk count string",
    );
    expect(feedAll([bytes("*1\r\n$" + "1".repeat(PROTO_INLINE_MAX_SIZE + 5))]).error).toBe(
      "ERR Protocol error: too big bulk count string",
    );
  });

  test("proto-max-bulk-len is configurable", () => {
    const p = new RespParser({ maxBulkLen: 10 });
    expect(p.feed(bytes("*1\r\n$11\r\n"), () => true)).toBe("ERR Protocol error: invalid bulk length");
  });

  test("unauthenticated clients get Redis's tighter limits until AUTH succeeds", () => {
    expect(feedAll([bytes("*11\r\n")], (p) => (p.restricted = true)).error).toBe(
      "ERR Protocol error: unauthenticated multibulk length",
    );
    expect(feedAll([bytes("*1\r\n$16385\r\n")], (p) => (p.restricted = true)).error).toBe(
      "ERR Protocol error: unauthenticated bulk length",
    );
    // The sink lifts the restriction (AUTH succeeded) before the next command is parsed.
    const p = new RespParser();
    p.restricted = true;
    const names: string[] = [];
    const err = p.feed(bytes(mb("AUTH", "pw") + mb(..."abcdefghijkl".split(""))), (a) => {
      names.push(dec.decode(a[0]!));
      p.restricted = false;
      return true;
    });
    expect(err).toBeUndefined();
    expect(names).toEqual(["AUTH", "a"]);
  });
});
