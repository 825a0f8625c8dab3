// MIGRATE from fast-cache (--workers 2) to redis-server and to another fast-cache, and from
// redis-server to fast-cache: every type, COPY / REPLACE / AUTH / AUTH2 / KEYS, NOKEY, the
// target's errors and IOERR, compared key by key over the protocol.
import { describe, expect, test } from "bun:test";
import type { RespValue } from "../../support/resp-decode.ts";
import { freePort } from "../../support/redis-parity.ts";
import { RawClient, spawnServer } from "../../support/server-process.ts";
import { dataView, fillCommands, REDIS_SERVER, run, startRedis, viewDiffs } from "./rdb-helpers.ts";

const text = (v: RespValue): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : typeof v === "object" && v !== null && "error" in v ? `-${(v as { error: string }).error}` : String(v));

/** The fill of database 0 only (MIGRATE moves to one destination db). */
const db0Fill = (): string[][] => {
  const all = fillCommands({ streams: true });
  return all.slice(1, all.findIndex((c, i) => i > 0 && c[0] === "SELECT"));
};

async function keysOf(c: RawClient): Promise<string[]> {
  return ((await c.command("KEYS", "*")) as RespValue[]).map(text).sort();
}

describe.skipIf(!REDIS_SERVER)("MIGRATE", () => {
  test("fast-cache → redis-server: every type, COPY, KEYS (moves), REPLACE, NOKEY, AUTH/AUTH2, errors", async () => {
    const redis = await startRedis({ args: ["--requirepass", "pw"] });
    await using ours = await spawnServer(["--workers", "2"]);
    const c = await RawClient.connect(ours.port);
    try {
      await run(c, db0Fill());
      const want = await dataView(c, 1);
      const keys = await keysOf(c);
      // Without AUTH the target refuses.
      expect(text(await c.command("MIGRATE", "127.0.0.1", String(redis.port), keys[0]!, "0", "5000", "COPY"))).toBe(
        "-ERR Target instance replied with error: NOAUTH Authentication required.",
      );
      // One key at a time with COPY (single-key form: routed to the key's worker).
      for (const k of keys) expect(await c.command("MIGRATE", "127.0.0.1", String(redis.port), k, "0", "5000", "COPY", "AUTH", "pw")).toBe("OK");
      await redis.client.command("AUTH", "pw");
      expect(viewDiffs(want, await dataView(redis.client, 1))).toEqual([]);
      expect((await keysOf(c)).length).toBe(keys.length);
      // Again without REPLACE: the target's BUSYKEY comes back.
      expect(text(await c.command("MIGRATE", "127.0.0.1", String(redis.port), keys[0]!, "0", "5000", "COPY", "AUTH2", "default", "pw"))).toBe(
        "-ERR Target instance replied with error: BUSYKEY Target key name already exists.",
      );
      // KEYS with REPLACE and without COPY: the keys leave the source.
      await c.command("SET", "{t}a", "1");
      await c.command("SET", "{t}b", "2");
      expect(await c.command("MIGRATE", "127.0.0.1", String(redis.port), "", "3", "5000", "REPLACE", "AUTH", "pw", "KEYS", "{t}a", "{t}b", "{t}missing")).toBe("OK");
      expect(await c.command("EXISTS", "{t}a", "{t}b")).toBe(0);
      await redis.client.command("SELECT", "3");
      expect(text(await redis.client.command("GET", "{t}b"))).toBe("2");
      expect(await c.command("MIGRATE", "127.0.0.1", String(redis.port), "nope", "0", "5000")).toBe("NOKEY");
      expect(text(await c.command("MIGRATE", "127.0.0.1", String(redis.port), "k", "0", "5000", "KEYS", "x"))).toBe(
        "-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
      );
      expect(text(await c.command("MIGRATE", "127.0.0.1", String(redis.port), keys[0]!, "0", "5000", "BOGUS"))).toBe("-ERR syntax error");
      expect(text(await c.command("MIGRATE", "127.0.0.1", String(freePort()), keys[0]!, "0", "1000"))).toStartWith("-IOERR");
      expect(await c.command("EXISTS", keys[0]!)).toBe(1);
    } finally {
      await redis.stop();
    }
  });

  test("redis-server → fast-cache and fast-cache → fast-cache", async () => {
    const redis = await startRedis();
    await using a = await spawnServer(["--workers", "2"]);
    await using b = await spawnServer(["--workers", "2", "--requirepass", "s3cret"]);
    const ca = await RawClient.connect(a.port);
    const cb = await RawClient.connect(b.port);
    try {
      await run(redis.client, db0Fill());
      const want = await dataView(redis.client, 1);
      const keys = await keysOf(redis.client);
      expect(await redis.client.command("MIGRATE", "127.0.0.1", String(a.port), "", "0", "5000", "KEYS", ...keys)).toBe("OK");
      expect(await redis.client.command("DBSIZE")).toBe(0);
      expect(viewDiffs(want, await dataView(ca, 1))).toEqual([]);
      for (const k of keys) expect(await ca.command("MIGRATE", "127.0.0.1", String(b.port), k, "0", "5000", "AUTH", "s3cret")).toBe("OK");
      expect(await ca.command("DBSIZE")).toBe(0);
      await cb.command("AUTH", "s3cret");
      expect(viewDiffs(want, await dataView(cb, 1))).toEqual([]);
    } finally {
      await redis.stop();
    }
  });
});
