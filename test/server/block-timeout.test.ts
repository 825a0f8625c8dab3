import { expect, test } from "bun:test";
import { parseBlockTimeout } from "../../src/server/blocking/timeout.ts";

const t = (s: string) => parseBlockTimeout(new TextEncoder().encode(s));

test("block timeouts parse like Redis 7.0", () => {
  expect(t("0")).toEqual({ ms: 0 });
  expect(t("0.05")).toEqual({ ms: 50 });
  expect(t("1")).toEqual({ ms: 1000 });
  expect(t("abc")).toEqual({ error: "ERR timeout is not a float or out of range" });
  expect(t("-1")).toEqual({ error: "ERR timeout is negative" });
  expect(t("1e400")).toEqual({ error: "ERR timeout is negative" });
});
