import { expect, test } from "bun:test";
import {
  decodeFrame, encodeFrame, findNextValidFrame, FRAME_BAD, FRAME_INCOMPLETE, frameSize, MAX_SEQ, newDecodedFrame,
} from "../../src/persistence/wal-format.ts";
import { bytes, record, text } from "./helpers.ts";

function encodeOne(m: ReturnType<typeof record>, seq: number, shard = 0): Uint8Array {
  const buf = new Uint8Array(frameSize(m.key.length, m.value.length));
  const end = encodeFrame(buf, 0, m, seq, shard);
  return buf.subarray(0, end);
}

test("a set frame round trips with seq, shard, type, key, value and absolute expiry", () => {
  const buf = encodeOne(record(1, "user:1", "hello", 1_700_000_123_456, 1), MAX_SEQ, 65535);
  const f = newDecodedFrame();
  expect(decodeFrame(buf, 0, buf.length, f)).toBe(buf.length);
  expect([f.seq, f.shard, f.op, f.type, f.expireAt, text(f.key), text(f.value)])
    .toEqual([MAX_SEQ, 65535, 1, 1, 1_700_000_123_456, "user:1", "hello"]);
});

test("delete, expire and clear frames carry no value and clear carries no key", () => {
  const buf = new Uint8Array(1024);
  let end = encodeFrame(buf, 0, record(2, "a", "ignored"), 1, 3);
  end = encodeFrame(buf, end, record(3, "b", "ignored", 42), 2, 3);
  end = encodeFrame(buf, end, record(4, "ignored"), 3, 3);
  const f = newDecodedFrame();
  const seen: string[] = [];
  for (let off = 0; off < end; ) {
    const n = decodeFrame(buf, off, end, f);
    expect(n).toBeGreaterThan(0);
    seen.push(`${f.seq}:${f.op}:${text(f.key)}:${text(f.value)}:${f.expireAt}`);
    off += n;
  }
  expect(seen).toEqual(["1:2:a::0", "2:3:b::42", "3:4:::0"]);
});

test("binary keys and empty values survive", () => {
  const m = { op: 1 as const, cause: 0 as const, type: 0 as const, key: new Uint8Array([0, 255, 13, 10]), value: new Uint8Array(0), expireAt: 0 };
  const buf = encodeOne(m, 7);
  const f = newDecodedFrame();
  expect(decodeFrame(buf, 0, buf.length, f)).toBe(buf.length);
  expect([...f.key]).toEqual([0, 255, 13, 10]);
  expect(f.value.length).toBe(0);
});

test("every proper prefix of a frame decodes as incomplete", () => {
  const buf = encodeOne(record(1, "key", "value", 5), 9);
  const f = newDecodedFrame();
  for (let cut = 0; cut < buf.length; cut++) expect(decodeFrame(buf, 0, cut, f)).toBe(FRAME_INCOMPLETE);
});

test("any single flipped bit makes the frame bad or incomplete, never a different valid frame", () => {
  const good = encodeOne(record(1, "key", "some value", 123456789), 77, 2);
  const f = newDecodedFrame();
  let bad = 0;
  for (let i = 0; i < good.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const b = good.slice();
      b[i]! ^= 1 << bit;
      const r = decodeFrame(b, 0, b.length, f);
      expect(r <= 0).toBe(true);
      if (r === FRAME_BAD) bad++;
    }
  }
  expect(bad).toBeGreaterThan(good.length * 7);
});

test("a CRC mismatch is reported by name", () => {
  const b = encodeOne(record(1, "k", "v"), 1).slice();
  b[b.length - 1]! ^= 0xff;
  const f = newDecodedFrame();
  expect(decodeFrame(b, 0, b.length, f)).toBe(FRAME_BAD);
  expect(f.error).toBe("CRC mismatch");
});

test("findNextValidFrame skips garbage to the next frame", () => {
  const a = encodeOne(record(1, "a", "1"), 1);
  const c = encodeOne(record(1, "c", "3"), 3);
  const buf = new Uint8Array(a.length + 10 + c.length);
  buf.set(a, 0);
  buf.set(bytes("FCW4garbag"), a.length);
  buf.set(c, a.length + 10);
  const f = newDecodedFrame();
  expect(findNextValidFrame(buf, a.length, buf.length, f)).toBe(a.length + 10);
  expect(findNextValidFrame(buf, a.length + 10, buf.length, f)).toBe(-1);
});

test("frames of another database carry it (op bit 3 + varint); database 0 frames spend no byte on it", () => {
  const zero = encodeOne(record(1, "k", "v"), 5);
  const m = { ...record(1, "k", "v"), db: 300 };
  const buf = encodeOne(m, 5);
  expect(buf.length).toBe(zero.length + 2); // 300 is a 2-byte varint
  const f = newDecodedFrame();
  expect(decodeFrame(buf, 0, buf.length, f)).toBe(buf.length);
  expect([f.db, f.op, text(f.key), text(f.value)]).toEqual([300, 1, "k", "v"]);
  expect(decodeFrame(zero, 0, zero.length, f)).toBe(zero.length);
  expect(f.db).toBe(0);
});

test("a swapdb frame names both databases and no key", () => {
  const buf = encodeOne({ op: 6, cause: 0, type: 0, key: bytes("ignored"), value: bytes("ignored"), expireAt: 9, db: 2 }, 11);
  const f = newDecodedFrame();
  expect(decodeFrame(buf, 0, buf.length, f)).toBe(buf.length);
  expect([f.op, f.db, f.expireAt, f.key.length, f.value.length]).toEqual([6, 2, 9, 0, 0]);
});
