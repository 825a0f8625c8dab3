// Redis glob rules (stringmatchlen in util.c). Every case-sensitive row below was checked against
// redis-server 7.0.15 with `KEYS <pattern>` on a keyspace holding only `<subject>`.
import { describe, expect, test } from "bun:test";
import { globMatch } from "../../src/engine/glob.ts";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);

/** [pattern, subject, expected] */
const GLOB_CASES: readonly (readonly [string, string, boolean])[] = [
  // literals and the empty pattern
  ["", "", true],
  ["", "a", false],
  ["abc", "abc", true],
  ["abc", "abcd", false],
  ["abc", "ab", false],
  ["abc", "ABC", false],
  // *
  ["*", "", true],
  ["*", "anything at all", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ba", false],
  ["*c", "abc", true],
  ["*c", "abcd", false],
  ["a*c", "ac", true],
  ["a*c", "abbbc", true],
  ["a*c", "abbbd", false],
  ["a**c", "abc", true],
  ["*a*b*", "xxaxxbxx", true],
  ["*a*b*", "xxbxxaxx", false],
  ["user:*:name", "user:42:name", true],
  ["user:*:name", "user:42:email", false],
  // ?
  ["?", "a", true],
  ["?", "", false],
  ["?", "ab", false],
  ["h?llo", "hello", true],
  ["h?llo", "hallo", true],
  ["h?llo", "hllo", false],
  ["??", "ab", true],
  ["*?", "", false],
  ["*?", "x", true],
  // [abc]
  ["h[ae]llo", "hello", true],
  ["h[ae]llo", "hallo", true],
  ["h[ae]llo", "hillo", false],
  ["[abc]", "", false],
  ["[a]", "a", true],
  // [^a]
  ["h[^e]llo", "hallo", true],
  ["h[^e]llo", "hbllo", true],
  ["h[^e]llo", "hello", false],
  ["[^abc]", "d", true],
  ["[^abc]", "b", false],
  // [a-z]
  ["h[a-b]llo", "hallo", true],
  ["h[a-b]llo", "hbllo", true],
  ["h[a-b]llo", "hcllo", false],
  ["[0-9][0-9]", "42", true],
  ["[0-9][0-9]", "4x", false],
  ["[z-a]", "m", true], // a reversed range is swapped
  ["[^a-c]x", "dx", true],
  ["[^a-c]x", "bx", false],
  ["[a-cx-z]", "y", true],
  ["[a-cx-z]", "m", false],
  // \ escapes
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?", "?", true],
  ["\\?", "x", false],
  ["a\\[b", "a[b", true],
  ["\\a", "a", true],
  ["[\\]]", "]", true],
  ["[\\^a]", "^", true],
  ["[\\-]", "-", true],
  ["[a\\-z]", "m", false],
  ["\\\\", "\\", true],
  // a lone trailing backslash is a literal backslash
  ["a\\", "a\\", true],
  // an unterminated class ends at the end of the pattern
  ["[abc", "a", true],
  ["[abc", "d", false],
  ["[^", "x", true],
  // "x-]" inside a class is a range ending at "]" (Redis checks only for the "-"), and the class
  // is then unterminated
  ["[a-]", "-", false],
  ["[a-]", "]", true],
  ["[a-]", "a", true],
  ["[]]", "]", false],
  ["[^]", "x", true],
  ["[!a]", "b", false], // "!" is not a negation in Redis
];

/** [pattern, subject, expected] with nocase = true */
const NOCASE_CASES: readonly (readonly [string, string, boolean])[] = [
  ["abc", "ABC", true],
  ["ABC", "abc", true],
  ["a*C", "AbbC", true],
  ["h[AE]llo", "hello", true],
  ["h[^E]llo", "hello", false],
  ["[A-C]", "b", true],
  ["[a-c]", "B", true],
  ["[a-c]", "D", false],
  ["\\A", "a", true],
  ["abc", "abd", false],
];

describe("globMatch follows Redis glob rules", () => {
  test.each(GLOB_CASES)("pattern %p against %p is %p", (pattern, subject, expected) => {
    expect(globMatch(b(pattern), b(subject))).toBe(expected);
  });

  test.each(NOCASE_CASES)("nocase pattern %p against %p is %p", (pattern, subject, expected) => {
    expect(globMatch(b(pattern), b(subject), true)).toBe(expected);
  });

  test("matching is case-sensitive unless nocase is given", () => {
    expect(globMatch(b("Key*"), b("key1"))).toBe(false);
    expect(globMatch(b("Key*"), b("key1"), true)).toBe(true);
  });

  test("patterns and subjects are bytes: zero bytes and non-ASCII bytes match like any other", () => {
    expect(globMatch(new Uint8Array([0x61, 0x00, 0x2a]), new Uint8Array([0x61, 0x00, 0xff, 0x00]))).toBe(true);
    expect(globMatch(new Uint8Array([0x3f]), new Uint8Array([0x00]))).toBe(true);
    expect(globMatch(new Uint8Array([0x00]), new Uint8Array([0x01]))).toBe(false);
    // "?" is one byte, so a two-byte UTF-8 character needs "??"
    expect(globMatch(b("?"), b("é"))).toBe(false);
    expect(globMatch(b("??"), b("é"))).toBe(true);
    expect(globMatch(new Uint8Array([0x5b, 0x80, 0x2d, 0xff, 0x5d]), new Uint8Array([0xc3]))).toBe(true);
  });

  // Redis stops retrying a '*' once a later '*' has failed (skipLongerMatches), so nested stars
  // cost polynomial time; KEYS/SCAN MATCH with such a pattern must not hang the server. Run in a
  // child process so that a hang fails this test instead of freezing the whole run.
  test("a pattern with many stars finishes and gives the right answer", () => {
    const script = [
      `import { globMatch } from ${JSON.stringify(new URL("../../src/engine/glob.ts", import.meta.url).pathname)};`,
      `const b = (s) => new TextEncoder().encode(s);`,
      `console.log(globMatch(b("a*".repeat(30) + "b"), b("a".repeat(60))));`,
      `console.log(globMatch(b("*".repeat(5000) + "x"), b("yyx")));`,
    ].join("\n");
    const child = Bun.spawnSync([process.execPath, "-e", script], { timeout: 20_000, stderr: "pipe" });
    expect(child.stderr.toString()).toBe("");
    expect(child.stdout.toString()).toBe("false\ntrue\n");
    expect(child.exitCode).toBe(0);
  }, 30_000);
});
