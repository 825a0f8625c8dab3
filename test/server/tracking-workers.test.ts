// Client tracking and WATCH with two workers (spawnServer's default): keys on both workers, reads
// forwarded to the owner are tracked, the owner's changes (writes, expiry, FLUSHALL) reach the
// reader's worker; real clients: raw RESP3, ioredis (RESP2 REDIRECT), node-redis clientSideCache.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { createClient } from "redis";
import { infoField, keysByWorker } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
const KEYS = keysByWorker(2, 20, "tw");
const open: { close(): void }[] = [];

beforeAll(async () => {
  srv = await spawnServer(["--workers", "2"]);
}, 30000);

afterAll(async () => {
  for (const c of open) c.close();
  if (process.env.TRACKING_DEBUG) console.log(srv.stderr());
  await srv.stop();
});

/** A RESP3 raw client on worker `w` (connections spread over workers; bounded tries). */
async function rawOn(w: number, resp: 2 | 3 = 3): Promise<RawClient> {
  for (let tries = 0; tries < 200; tries++) {
    const c = await RawClient.connect(srv.port);
    const here = Number(infoField(text(await c.command("INFO", "cores")), "worker_index"));
    if (here === w) {
      if (resp === 3) await c.command("HELLO", "3");
      open.push(c);
      return c;
    }
    c.close();
  }
  throw new Error(`no connection reached worker ${w}`);
}

/** A reply as text (RESP3 INFO and CLIENT INFO are verbatim strings). */
const text = (v: unknown): string => (typeof v === "object" && v !== null && "verbatim" in v ? String((v as { verbatim: string }).verbatim) : String(v));

let next = 0;
/** A fresh key owned by worker `w`. */
const keyOn = (w: number): string => KEYS[w]![next++]!;

describe("client tracking over two workers", () => {
  test("RESP3: reads of keys on both workers are invalidated by writes on either", async () => {
    const a = await rawOn(0);
    const b = await rawOn(1);
    const local = keyOn(0);
    const remote = keyOn(1);
    expect(await a.command("CLIENT", "TRACKING", "ON")).toBe("OK");
    expect(await a.command("GET", remote)).toBeNull();
    expect(await a.command("GET", local)).toBeNull();
    expect(await b.command("SET", remote, "1")).toBe("OK");
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [remote]] }]);
    expect(await b.command("SET", local, "1")).toBe("OK");
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [local]] }]);
    // Once per read: a second write sends nothing until the key is read again.
    expect(await b.command("SET", remote, "2")).toBe("OK");
    expect(await a.command("GET", remote)).toBe("2");
    expect(await a.command("DEL", remote)).toBe(1);
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [remote]] }]);
    // Expiry on the owner invalidates too.
    expect(await b.command("SET", remote, "x", "PX", "30")).toBe("OK");
    expect(await a.command("GET", remote)).toBe("x");
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [remote]] }]);
    // FLUSHALL: a null.
    a.sendCommand("FLUSHALL");
    expect(await a.read(2)).toEqual(["OK", { push: ["invalidate", null] }]);
    // After the flush the owner is asked again on the next read.
    expect(await a.command("GET", remote)).toBeNull();
    expect(await b.command("SET", remote, "after")).toBe("OK");
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [remote]] }]);
    const info = text(await a.command("INFO", "clients"));
    expect(infoField(info, "tracking_clients")).toBe("1");
    expect(await a.command("CLIENT", "TRACKING", "OFF")).toBe("OK");
  }, 30000);

  test("ioredis RESP2: invalidations as messages on __redis__:invalidate through REDIRECT", async () => {
    // The redirect target must be a client of the same worker: find two ioredis clients on worker 0.
    const onWorker = async (w: number): Promise<Redis> => {
      for (let tries = 0; tries < 200; tries++) {
        const r = new Redis(srv.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 1 });
        await r.connect();
        if (Number(infoField(await r.info("cores"), "worker_index")) === w) return r;
        r.disconnect();
      }
      throw new Error("no ioredis connection on the worker");
    };
    // The subscriber: a raw RESP2 connection (ioredis 6 drops these array-payload messages, against redis-server too).
    const sub = await rawOn(0, 2);
    const tracker = await onWorker(0);
    const writer = await onWorker(1);
    try {
      const subId = Number(await sub.command("CLIENT", "ID"));
      expect(await sub.command("SUBSCRIBE", "__redis__:invalidate")).toEqual(["subscribe", "__redis__:invalidate", 1]);
      expect(await tracker.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(subId))).toBe("OK");
      expect(await tracker.call("CLIENT", "GETREDIR")).toBe(subId);
      const remote = keyOn(1);
      expect(await tracker.get(remote)).toBeNull();
      expect(await tracker.get(keyOn(0))).toBeNull();
      await writer.set(remote, "v");
      expect(await sub.read(1)).toEqual([["message", "__redis__:invalidate", [remote]]]);
      const list = String(await tracker.client("LIST", "ID", String(await tracker.client("ID"))));
      expect(list).toContain("flags=t ");
      expect(list).toContain(`redir=${subId} `);
    } finally {
      for (const r of [tracker, writer]) r.disconnect();
    }
  }, 30000);

  test("BCAST with prefixes and NOLOOP", async () => {
    // BCAST sees the changes of its own worker's keys (see src/commands/tracking.ts).
    const a = await rawOn(0);
    const b = await rawOn(0);
    const [mine, k1, k2] = keysByWorker(2, 3, "bc:")[0]!;
    expect(await a.command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "bc:", "NOLOOP")).toBe("OK");
    expect(await a.command("SET", mine!, "1")).toBe("OK");
    expect(await b.command("MSET", k2!, "1", k1!, "2", keyOn(0), "3")).toBe("OK");
    expect(await a.read(1)).toEqual([{ push: ["invalidate", [k1!, k2!].sort()] }]);
    const stats = text(await a.command("INFO", "stats"));
    expect(infoField(stats, "tracking_total_prefixes")).toBe("1");
    expect(text(await a.command("CLIENT", "INFO"))).toContain("flags=tB ");
    expect(await a.command("CLIENT", "TRACKING", "OFF")).toBe("OK");
  }, 30000);

  test("tracking-table-max-keys: over the limit, remembered keys are invalidated", async () => {
    const a = await rawOn(0);
    expect(await a.command("CONFIG", "SET", "tracking-table-max-keys", "1")).toBe("OK");
    try {
      const [k1, k2] = [keyOn(0), keyOn(0)];
      expect(await a.command("CLIENT", "TRACKING", "ON")).toBe("OK");
      expect(await a.command("GET", k1)).toBeNull();
      expect(await a.command("GET", k2)).toBeNull();
      expect(await a.read(1)).toEqual([{ push: ["invalidate", [k1]] }]);
      expect(infoField(text(await a.command("INFO", "stats")), "tracking_total_keys")).toBe("1");
    } finally {
      expect(await a.command("CONFIG", "SET", "tracking-table-max-keys", "1000000")).toBe("OK");
      await a.command("CLIENT", "TRACKING", "OFF");
    }
  }, 30000);

  test("node-redis clientSideCache serves cached reads and drops them on invalidation", async () => {
    const writer = await rawOn(1);
    const client = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
    await client.connect();
    try {
      const keys = [keyOn(0), keyOn(1)];
      for (const k of keys) await writer.command("SET", k, "first");
      const cache = client.clientSideCache!;
      for (const k of keys) {
        expect(await client.get(k)).toBe("first");
        expect(await client.get(k)).toBe("first"); // from the cache
      }
      expect(cache.stats().hitCount).toBe(2);
      for (const k of keys) {
        const dropped = new Promise<void>((resolve) => {
          const on = (key: unknown): void => {
            if (key !== null && String(key) === k) {
              cache.off("invalidate", on);
              resolve();
            }
          };
          cache.on("invalidate", on);
        });
        expect(await writer.command("SET", k, "second")).toBe("OK");
        await dropped;
        expect(await client.get(k)).toBe("second");
      }
    } finally {
      await client.quit();
    }
  }, 30000);
});

describe("WATCH of keys another worker owns", () => {
  test("a write by a client of the owner makes EXEC answer nil; no change runs it", async () => {
    const a = await rawOn(0);
    const b = await rawOn(1);
    const k = keyOn(1);
    expect(await a.command("WATCH", k)).toBe("OK");
    expect(await b.command("SET", k, "theirs")).toBe("OK");
    expect(await a.command("MULTI")).toBe("OK");
    expect(await a.command("SET", k, "mine")).toBe("QUEUED");
    expect(await a.command("EXEC")).toBeNull();
    expect(await a.command("GET", k)).toBe("theirs");
    expect(await a.command("WATCH", k)).toBe("OK");
    expect(await a.command("MULTI")).toBe("OK");
    expect(await a.command("SET", k, "mine")).toBe("QUEUED");
    expect(await a.command("EXEC")).toEqual(["OK"]);
    expect(await b.command("GET", k)).toBe("mine");
  }, 30000);

  test("expiry on the owner and FLUSHALL make EXEC answer nil", async () => {
    const a = await rawOn(0);
    const b = await rawOn(1);
    const watcher = await rawOn(0);
    const k = keyOn(1);
    expect(await b.command("SET", k, "v", "PX", "40")).toBe("OK");
    // The expiry is seen through a tracking client's invalidation (no sleep).
    expect(await watcher.command("CLIENT", "TRACKING", "ON")).toBe("OK");
    expect(await watcher.command("GET", k)).toBe("v");
    expect(await a.command("WATCH", k)).toBe("OK");
    expect(await watcher.read(1)).toEqual([{ push: ["invalidate", [k]] }]);
    expect(await a.command("MULTI")).toBe("OK");
    expect(await a.command("SET", k, "late")).toBe("QUEUED");
    expect(await a.command("EXEC")).toBeNull();
    const f = keyOn(1);
    expect(await b.command("SET", f, "1")).toBe("OK");
    expect(await a.command("WATCH", f)).toBe("OK");
    expect(await watcher.command("GET", f)).toBe("1");
    expect(await b.command("FLUSHALL")).toBe("OK");
    expect(await watcher.read(1)).toEqual([{ push: ["invalidate", null] }]);
    expect(await a.command("MULTI")).toBe("OK");
    expect(await a.command("SET", f, "x")).toBe("QUEUED");
    expect(await a.command("EXEC")).toBeNull();
    await watcher.command("CLIENT", "TRACKING", "OFF");
  }, 30000);
});
