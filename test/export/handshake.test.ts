import { expect, test } from "bun:test";
import { findLineEnd, FROM_NOW, fromShardsLine, LINE_INCOMPLETE, LINE_TOO_LONG, parseClientLine, TokenCheck } from "../../src/export/handshake.ts";
import { parseHostPort, resolveExportOptions } from "../../src/export/options.ts";
import { chunkAfter, groupShape } from "../../src/export/chunk.ts";
import { encodeFrame, frameSize } from "../../src/persistence/wal-format.ts";
import { bytes } from "./harness.ts";

test("a line may be 1024 bytes with its newline, not one more", () => {
  const ok = bytes("a".repeat(1023) + "\n");
  expect(findLineEnd(ok, ok.length)).toBe(1023);
  const long = bytes("a".repeat(1024) + "\n");
  expect(findLineEnd(long, long.length)).toBe(LINE_TOO_LONG);
  expect(findLineEnd(long, 1023)).toBe(LINE_INCOMPLETE);
});

test.each([
  ["FCWAL-AUTH/1 tok", { kind: "auth", token: bytes("tok") }],
  ["FCWAL-AUTH/1 tok\r", { kind: "auth", token: bytes("tok") }],
  ["FCWAL-FROM/1 0", { kind: "from", seq: 0 }],
  ["FCWAL-FROM/1 9007199254740991", { kind: "from", seq: 9007199254740991 }],
  ["FCWAL-FROM/1 9007199254740992", { kind: "bad-seq" }],
  ["FCWAL-FROM/1 -1", { kind: "bad-seq" }],
  ["FCWAL-FROM/1 $\r", { kind: "from-now" }],
  ["fcwal-auth/1 tok", { kind: "other" }],
  ["", { kind: "other" }],
] as const)("%p parses as expected", (line, want) => {
  expect(parseClientLine(bytes(line))).toEqual(want as never);
});

test.each([
  ["FCWAL-FROM/2 0:12,1:40", { kind: "from-shards", from: new Map([[0, 12], [1, 40]]) }],
  ["FCWAL-FROM/2 3:0\r", { kind: "from-shards", from: new Map([[3, 0]]) }],
  ["FCWAL-FROM/2 1:$,0:9007199254740991", { kind: "from-shards", from: new Map([[1, FROM_NOW], [0, 9007199254740991]]) }],
  ["FCWAL-FROM/2 65535:1", { kind: "from-shards", from: new Map([[65535, 1]]) }],
  ["FCWAL-FROM/2 $", { kind: "from-now" }],
  ["FCWAL-FROM/2 65536:1", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:1,0:2", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:9007199254740992", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:-1", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:1,", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:1, 1:2", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 7", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 ", { kind: "bad-seq" }],
  ["FCWAL-FROM/2 0:$$", { kind: "bad-seq" }],
] as const)("per-shard line %p parses as expected", (line, want) => {
  expect(parseClientLine(bytes(line))).toEqual(want as never);
});

test("fromShardsLine lists shards in ascending order and writes $ for from-now", () => {
  const line = new TextDecoder().decode(fromShardsLine(new Map<number, number | "$">([[2, 7], [0, 12], [1, FROM_NOW], [3, "$"]])));
  expect(line).toBe("FCWAL-FROM/2 0:12,1:$,2:7,3:$\n");
  expect(parseClientLine(bytes(line.trimEnd()))).toEqual({ kind: "from-shards", from: new Map([[0, 12], [1, FROM_NOW], [2, 7], [3, FROM_NOW]]) });
});

test("tokens compare equal only when identical", () => {
  const t = new TokenCheck("s3cret");
  expect(t.matches(bytes("s3cret"))).toBe(true);
  expect(t.matches(bytes("s3cret "))).toBe(false);
  expect(t.matches(bytes("s3cre"))).toBe(false);
  expect(t.matches(bytes(""))).toBe(false);
});

test("addresses and options are checked up front with the option named", () => {
  expect(parseHostPort("[::1]:7390")).toEqual({ host: "::1", port: 7390 });
  expect(parseHostPort("cache.local:0")).toEqual({ host: "cache.local", port: 0 });
  expect(() => parseHostPort("nohost")).toThrow("address must be host:port");
  expect(() => parseHostPort("h:70000")).toThrow(TypeError);
  expect(() => resolveExportOptions({ mode: "connect", address: "h:0" })).toThrow("connect mode needs a port");
  expect(() => resolveExportOptions({ mode: "listen", address: "h:1", token: "a\nb" })).toThrow("token must be");
  expect(() => resolveExportOptions({ mode: "listen", address: "h:1", maxPendingBytes: 10 })).toThrow("maxPendingBytes");
  expect(() => resolveExportOptions({ mode: "listen", address: "h:1", backoffMinMs: 10, backoffMaxMs: 5 })).toThrow("backoffMaxMs");
  expect(() => resolveExportOptions({ mode: "pull" as never, address: "h:1" })).toThrow("mode must be");
  expect(resolveExportOptions({ mode: "listen", address: "h:1" }).maxSubscribers).toBe(16);
});

test("a chunk is cut after a sequence number at the right frame", () => {
  const buf = new Uint8Array(5 * frameSize(1, 1));
  let off = 0;
  for (let s = 11; s <= 15; s++) off = encodeFrame(buf, off, { op: 1, cause: 0, type: 0, key: bytes("k"), value: bytes("v"), expireAt: 0 }, s, 0);
  const frameBytes = off / 5;
  const group = buf.subarray(0, off);
  const c = { buf: group, ...groupShape(group) };
  expect(c).toMatchObject({ frames: 5, firstSeq: 11, lastSeq: 15 });
  expect(chunkAfter(c, 10)).toBe(c);
  expect(chunkAfter(c, 15)).toBeUndefined();
  const rest = chunkAfter(c, 13)!;
  expect(rest).toMatchObject({ frames: 2, firstSeq: 14, lastSeq: 15 });
  expect(rest.buf.length).toBe(2 * frameBytes);
});
