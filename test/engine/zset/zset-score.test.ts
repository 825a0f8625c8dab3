import { describe, expect, test } from "bun:test";
import {
  aboveMin,
  belowMax,
  compareBytes,
  formatScore,
  lexAboveMin,
  lexBelowMax,
  parseLexBound,
  parseScore,
  parseScoreBound,
} from "../../../src/engine/zset/zset-score.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("zset scores", () => {
  test("format as Redis 7.0 %.17g (values read from redis-server 7.0.15 ZRANGE WITHSCORES)", () => {
    expect(formatScore(1.1)).toBe("1.1000000000000001");
    expect(formatScore(0.1)).toBe("0.10000000000000001");
    expect(formatScore(3)).toBe("3");
    expect(formatScore(1e20)).toBe("1e+20");
    expect(formatScore(-0)).toBe("-0");
    expect(formatScore(Infinity)).toBe("inf");
    expect(formatScore(-Infinity)).toBe("-inf");
    expect(formatScore(1.5e-7)).toBe("1.4999999999999999e-07");
    expect(formatScore(-2.5)).toBe("-2.5");
  });

  test("parse follows strtod and rejects NaN and junk", () => {
    expect(parseScore("1.5")).toBe(1.5);
    expect(parseScore("-.5e2")).toBe(-50);
    expect(parseScore("+inf")).toBe(Infinity);
    expect(parseScore("-INF")).toBe(-Infinity);
    expect(parseScore("nan")).toBeUndefined();
    expect(parseScore("a")).toBeUndefined();
    expect(parseScore(" 1")).toBeUndefined();
    expect(parseScore("")).toBeUndefined();
  });

  test("score bounds", () => {
    const min = parseScoreBound("(1");
    const max = parseScoreBound("2");
    if (!min || !max) throw new Error("bounds should parse");
    expect(aboveMin(1, min)).toBe(false);
    expect(aboveMin(1.5, min)).toBe(true);
    expect(belowMax(2, max)).toBe(true);
    expect(parseScoreBound("(a")).toBeUndefined();
  });

  test("lex bounds and byte order", () => {
    expect(parseLexBound(enc("a"))).toBeUndefined();
    const min = parseLexBound(enc("(b"));
    const max = parseLexBound(enc("+"));
    if (!min || !max) throw new Error("bounds should parse");
    expect(lexAboveMin(enc("b"), min)).toBe(false);
    expect(lexAboveMin(enc("ba"), min)).toBe(true);
    expect(lexBelowMax(enc("zzz"), max)).toBe(true);
    expect(compareBytes(enc("a"), enc("ab"))).toBeLessThan(0);
    expect(compareBytes(enc("b"), enc("ab"))).toBeGreaterThan(0);
  });
});
