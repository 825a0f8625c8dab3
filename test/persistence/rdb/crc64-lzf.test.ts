// CRC-64/Jones as redis/src/crc64.c computes it, and LZF as liblzf codes it.
import { describe, expect, test } from "bun:test";
import { crc64, Crc64, lzfCompress, lzfDecompress } from "../../../src/persistence/rdb/index.ts";

const enc = new TextEncoder();

describe("crc64", () => {
  test("Redis's check value: crc64(\"123456789\") = 0xe9c6d914c4b8d9ca", () => {
    expect(crc64(enc.encode("123456789"))).toBe(0xe9c6d914c4b8d9can);
  });

  test("redis/src/crc64.c's second test vector (its lorem-ipsum text)", () => {
    const li =
      "This is a test of the emergency broadcast system. This is only a test. " +
      "If this had been an actual emergency, you would have been instructed where to tune in your area for news and official information.";
    // Computed bit by bit below; the table version must agree on every prefix.
    const bitwise = (b: Uint8Array): bigint => {
      let c = 0n;
      for (const x of b) {
        c ^= BigInt(x);
        for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ 0x95ac9329ac4bc9b5n : c >> 1n;
      }
      return c;
    };
    const b = enc.encode(li);
    for (const n of [0, 1, 7, 8, 9, 63, b.length]) expect(crc64(b.subarray(0, n))).toBe(bitwise(b.subarray(0, n)));
  });

  test("chunked updates equal one update; bytesLE is the value little-endian", () => {
    const b = enc.encode("the quick brown fox jumps over the lazy dog".repeat(10));
    const c = new Crc64().update(b.subarray(0, 17)).update(b.subarray(17));
    expect(c.value).toBe(crc64(b));
    const le = c.bytesLE();
    expect(new DataView(le.buffer).getBigUint64(0, true)).toBe(c.value);
  });
});

describe("lzf", () => {
  test("decodes a hand-coded stream: literal run then a back reference", () => {
    // literal "abc" (ctrl 2), then a reference of length 6 (ctrl (6-2)<<5 = 0x80) at offset 3 (3-1 = 2)
    const src = new Uint8Array([2, 97, 98, 99, 0x80, 2]);
    expect(new TextDecoder().decode(lzfDecompress(src, 0, src.length, 9)!)).toBe("abcabcabc");
  });

  test("refuses corrupt input (reference before the start, wrong length)", () => {
    expect(lzfDecompress(new Uint8Array([0x80, 10]), 0, 2, 6)).toBeUndefined();
    expect(lzfDecompress(new Uint8Array([2, 97, 98, 99]), 0, 4, 4)).toBeUndefined();
    expect(lzfDecompress(new Uint8Array([5, 97]), 0, 2, 6)).toBeUndefined();
  });

  test("compress then decompress gives the input back (repetitive, random, long runs)", () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    const inputs = [
      enc.encode("abcabcabc".repeat(200)),
      enc.encode("a".repeat(5000)),
      Uint8Array.from({ length: 3000 }, () => rnd() % 4),
      enc.encode(JSON.stringify(Array.from({ length: 300 }, (_v, i) => ({ id: i, name: `user-${i}` })))),
    ];
    for (const input of inputs) {
      const c = lzfCompress(input);
      expect(c).toBeDefined();
      expect(c!.length).toBeLessThan(input.length);
      expect(lzfDecompress(c!, 0, c!.length, input.length)).toEqual(input);
    }
    // incompressible data is left as is
    expect(lzfCompress(crypto.getRandomValues(new Uint8Array(200)))).toBeUndefined();
  });
});
