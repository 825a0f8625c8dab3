// `expired` (active sweep and lazy lookup) and `evicted` (maxmemory + allkeys-lru) events come
// from the engine's removals, on the owning worker, to a subscriber on any worker.
import { expect, test } from "bun:test";
import { RawClient, spawnServer } from "../../support/server-process.ts";
import { EventLog } from "./event-log.ts";

test("keys that expire by themselves (active expiry) publish expired", async () => {
  await using server = await spawnServer(["--notify-keyspace-events", "Ex"]);
  const log = await EventLog.subscribe(server.port, 2, "__keyevent@0__:expired");
  const c = await RawClient.connect(server.port);
  try {
    const keys = Array.from({ length: 10 }, (_, i) => `active:${i}`);
    for (const k of keys) c.sendCommand("set", k, "v", "px", "30");
    await c.read(keys.length);
    // Nobody reads them: only the sweep can find them.
    const got = await log.untilAll(keys.map((k) => `__keyevent@0__:expired ${k}`), 15000);
    expect(new Set(got)).toEqual(new Set(keys.map((k) => `__keyevent@0__:expired ${k}`)));
  } finally {
    log.close();
    c.close();
  }
});

test("a lookup of an expired key publishes expired before its reply, then keymiss with m", async () => {
  // hz 1: the sweep seldom runs, so the GET is what finds the key expired.
  await using server = await spawnServer(["--workers", "1", "--hz", "1", "--notify-keyspace-events", "KExm"]);
  const log = await EventLog.subscribe(server.port, 3);
  const c = await RawClient.connect(server.port);
  try {
    expect(await c.command("set", "lazy", "v", "px", "30")).toBe("OK"); // long enough for PEXPIRETIME to see it alive on a loaded machine
    // PEXPIRETIME is in the past once the clock moved past it; wait for that without sleeping blind.
    const at = Number(await c.command("pexpiretime", "lazy"));
    while (Date.now() <= at + 2) await Bun.sleep(2);
    expect(await c.command("get", "lazy")).toBeNull();
    const got = await log.until("__keyevent@0__:keymiss lazy");
    expect(got).toContain("__keyspace@0__:lazy expired");
    expect(got.indexOf("__keyevent@0__:expired lazy")).toBeLessThan(got.indexOf("__keyevent@0__:keymiss lazy"));
  } finally {
    log.close();
    c.close();
  }
});

test("maxmemory with allkeys-lru publishes evicted for the keys it removes (two workers)", async () => {
  await using server = await spawnServer(["--workers", "2", "--maxmemory", "24mb", "--maxmemory-policy", "allkeys-lru", "--notify-keyspace-events", "Ee"]);
  const log = await EventLog.subscribe(server.port, 2, "__keyevent@0__:evicted");
  const c = await RawClient.connect(server.port);
  try {
    const value = "x".repeat(16 * 1024);
    const n = 3000; // about 48 MB of values: far past the limit
    const replies = [];
    // In batches: RawClient's writes past the socket's buffer must not interleave.
    for (let i = 0; i < n; i += 20) {
      for (let j = i; j < i + 20; j++) c.sendCommand("set", `big:${j}`, value);
      replies.push(...(await c.read(20)));
    }
    expect(replies.filter((r) => r !== "OK")).toEqual([]);
    const size = Number(await c.command("dbsize"));
    expect(size).toBeLessThan(n);
    // The first key written is the least recently used: it went first.
    const got = await log.until("__keyevent@0__:evicted big:0", 15000);
    expect(got.every((e) => e.startsWith("__keyevent@0__:evicted big:"))).toBe(true);
  } finally {
    log.close();
    c.close();
  }
});
