import { expect, test } from "bun:test";
import { hashBytes, Utf8Scratch } from "../../src/engine/bytes.ts";
import { seededRandom } from "../support/fake-clock.ts";

test("encodeHashed gives the same bytes as TextEncoder and the same hash as hashBytes", () => {
  const rnd = seededRandom(42);
  const scratch = new Utf8Scratch();
  const alphabet = ["a", "Z", "0", ":", " ", "é", "€", "😀", "\u0000", "\u007f"];
  for (let n = 0; n < 2000; n++) {
    const len = Math.floor(rnd() * 90);
    let s = "";
    for (let i = 0; i < len; i++) s += rnd() < 0.9 ? String.fromCharCode(32 + Math.floor(rnd() * 95)) : alphabet[Math.floor(rnd() * alphabet.length)]!;
    const expected = new TextEncoder().encode(s);
    const got = scratch.encodeHashed(s);
    expect(Array.from(got)).toEqual(Array.from(expected));
    expect(scratch.hash).toBe(hashBytes(expected));
  }
});
