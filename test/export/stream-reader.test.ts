import { expect, test } from "bun:test";
import { WalStreamError, WalStreamReader, type StreamItem } from "../../src/export/stream-reader.ts";
import { encodeFrame, frameSize } from "../../src/persistence/wal-format.ts";
import { transcodeToFcw2 } from "../../src/export/fcw2.ts";
import { bytes, text } from "./harness.ts";

function frames(n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const m = { op: 1 as const, cause: 0 as const, type: 0 as const, key: bytes(`k${i}`), value: bytes("v".repeat(i)), expireAt: 0 };
    const b = new Uint8Array(frameSize(m.key.length, m.value.length));
    parts.push(b.subarray(0, encodeFrame(b, 0, m, i, 0)));
  }
  return Buffer.concat(parts);
}

function describe(it: StreamItem): string {
  switch (it.kind) {
    case "error":
      return `error:${it.message}`;
    case "auth":
      return `auth:${it.token}`;
    case "fcw4":
      return `${it.frame.seq}:${text(it.frame.key)}`;
    case "fcw2":
      return `fcw2:${text(it.frame.key)}`;
  }
}

test("frames split at every possible byte come out whole and in order", () => {
  const all = frames(20);
  for (const step of [1, 3, 41, 1000]) {
    const r = new WalStreamReader();
    const seen: string[] = [];
    for (let off = 0; off < all.length; off += step) r.feed(all.subarray(off, off + step), (it) => seen.push(describe(it)));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}:k${i + 1}`));
    expect(r.buffered).toBe(0);
  }
});

test("an FCWAL-ERR line after frames comes out as an error item", () => {
  const r = new WalStreamReader();
  const seen: string[] = [];
  const tail = bytes("FCWAL-ERR/1 subscriber too slow\r\n");
  r.feed(Buffer.concat([frames(2), tail.subarray(0, 10)]), (it) => seen.push(describe(it)));
  r.feed(tail.subarray(10), (it) => seen.push(describe(it)));
  expect(seen).toEqual(["1:k1", "2:k2", "error:subscriber too slow"]);
});

test("a connect-mode stream's auth line comes out as an auth item before the frames", () => {
  const r = new WalStreamReader();
  const seen: string[] = [];
  r.feed(Buffer.concat([bytes("FCWAL-AUTH/1 tok en\r\n"), frames(1)]), (it) => seen.push(describe(it)));
  expect(seen).toEqual(["auth:tok en", "1:k1"]);
});

test("FCW2 frames are recognised by their magic", () => {
  const g = frames(3);
  const r = new WalStreamReader();
  const seen: string[] = [];
  r.feed(transcodeToFcw2(g, 3, 1), (it) => seen.push(describe(it)));
  expect(seen).toEqual(["fcw2:k1", "fcw2:k2", "fcw2:k3"]);
});

test("bytes that are no frame throw", () => {
  const r = new WalStreamReader();
  expect(() => r.feed(bytes("HELLO WORLD"), () => {})).toThrow(WalStreamError);
  const bad = frames(1);
  bad[bad.length - 1]! ^= 0xff; // a value byte
  expect(() => new WalStreamReader().feed(bad, () => {})).toThrow("CRC mismatch");
});
