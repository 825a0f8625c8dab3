import { expect, test } from "bun:test";
import { parseBlockTimeout } from "../../src/commands/block-timeout.ts";

const t = (s: string) => parseBlockTimeout(new TextEncoder().encode(s));

test("block timeouts parse like Redis 7.0", () => {
  expect(t("0")).toEqual({ ms: 0 });
  expect(t("0.05")).toEqual({ ms: 50 });
  expect(t("1")).toEqual({ ms: 1000 });
  expect(t("abc")).toEqual({ error: "ERR timeout is not a float or out of range" });
  expect(t("-1")).toEqual({ error: "ERR timeout is negative" });
  expect(t("1e400")).toEqual({ error: "ERR timeout is negative" });
});

test("an infinite timeout is 'negative' as 7.0.15 casts it to long long", () => {
  expect(t("inf")).toEqual({ error: "ERR timeout is negative" });
  expect(t("-inf")).toEqual({ error: "ERR timeout is negative" });
  expect(t("nan")).toEqual({ error: "ERR timeout is not a float or out of range" });
  expect(t("1e-9")).toEqual({ ms: 1 });
});
