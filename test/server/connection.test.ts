// Connection layer: pipelining, the write backlog, limits, closing rules and the cron.
import { afterEach, describe, expect, test } from "bun:test";
import { buildCommandTable } from "../../src/commands/index.ts";
import type { ServerConfig } from "../../src/config/params.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { RawClient } from "../support/server-process.ts";
import { testCommands } from "./test-commands.ts";

const servers: RunningServer[] = [];
function start(config: Partial<ServerConfig> = {}): RunningServer {
  const s = startServer({ config: { port: 0, ...config }, commands: buildCommandTable([testCommands()]) });
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** Polls `cond` every 10 ms for at most `ms`. */
async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await Bun.sleep(10);
  }
  return true;
}

describe("pipelining and the backlog", () => {
  test("pipelined commands are answered in order", async () => {
    const s = start();
    using c = await RawClient.connect(s.port);
    let batch = "";
    for (let i = 0; i < 1000; i++) batch += `*2\r\n$4\r\necho\r\n$${String(i).length}\r\n${i}\r\n`;
    c.send(batch);
    const got = await c.read(1000);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  test("replies a paused reader cannot take are queued and delivered intact and in order", async () => {
    const s = start();
    using c = await RawClient.connect(s.port);
    c.pause();
    const sizes = [3_000_000, 10, 5_000_000, 1, 4_000_000];
    for (const n of sizes) c.sendCommand("big", String(n));
    c.sendCommand("echo", "last");
    const conn = () => [...s.context.clients.values()][0]!;
    expect(await until(() => conn().outputBufferBytes() > 0)).toBe(true);
    c.resume();
    const got = await c.read(sizes.length + 1, 20000);
    expect(got.slice(0, -1).map((v) => (v as string).length)).toEqual(sizes);
    expect(got.at(-1)).toBe("last");
    expect(await until(() => conn().outputBufferBytes() === 0)).toBe(true);
  });

  test("a client over the output buffer hard limit is disconnected and counted", async () => {
    const s = start({ "client-output-buffer-limit": { ...defaultLimits(), normal: { hard: 2 * 1024 * 1024, soft: 0, softSeconds: 0 } } });
    using c = await RawClient.connect(s.port);
    c.pause();
    for (let i = 0; i < 10; i++) c.sendCommand("big", String(1024 * 1024));
    expect(await until(() => s.context.stats.clientOutputLimitDisconnections === 1)).toBe(true);
    c.resume();
    expect(await c.waitClosed()).toBe(true);
    using d = await RawClient.connect(s.port);
    expect(await d.command("ping")).toBe("PONG");
  });
});

function defaultLimits(): ServerConfig["client-output-buffer-limit"] {
  return {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    replica: { hard: 0, soft: 0, softSeconds: 0 },
    pubsub: { hard: 0, soft: 0, softSeconds: 0 },
  };
}

describe("closing", () => {
  test("a protocol error is replied, then the connection closes; other clients keep working", async () => {
    const s = start();
    using bad = await RawClient.connect(s.port);
    using good = await RawClient.connect(s.port);
    bad.send("PING\r\n*1\r\n$x\r\nPING\r\n");
    expect(await bad.read(2)).toEqual(["PONG", { error: "ERR Protocol error: invalid bulk length" }]);
    expect(await bad.waitClosed()).toBe(true);
    expect(await good.command("ping")).toBe("PONG");
    expect(s.context.stats.errorCounts.get("ERR")).toBeGreaterThanOrEqual(1);
  });

  test("commands after QUIT in the same packet are not run", async () => {
    const s = start();
    using c = await RawClient.connect(s.port);
    c.send("ECHO a\r\nQUIT\r\nSET k v\r\n");
    expect(await c.read(2)).toEqual(["a", "OK"]);
    expect(await c.waitClosed()).toBe(true);
    expect(s.keyspace.get(new TextEncoder().encode("k"))).toBeUndefined();
  });

  test("a client killed by another is closed at once", async () => {
    const s = start();
    using victim = await RawClient.connect(s.port);
    const id = (await victim.command("client", "id")) as number;
    using killer = await RawClient.connect(s.port);
    expect(await killer.command("client", "kill", String(id))).toBe("OK");
    expect(await victim.waitClosed()).toBe(true);
    expect(s.context.clients.has(id)).toBe(false);
  });

  test("maxclients refuses extra connections with Redis's error", async () => {
    const s = start({ maxclients: 2 });
    using a = await RawClient.connect(s.port);
    using b = await RawClient.connect(s.port);
    expect(await a.command("ping")).toBe("PONG");
    expect(await b.command("ping")).toBe("PONG");
    using c = await RawClient.connect(s.port);
    expect(await c.read(1)).toEqual([{ error: "ERR max number of clients reached" }]);
    expect(await c.waitClosed()).toBe(true);
    expect(s.context.stats.rejectedConnections).toBe(1);
  });

  test("an incomplete command over client-query-buffer-limit closes the connection", async () => {
    const s = start({ "client-query-buffer-limit": 1024 * 1024 });
    using c = await RawClient.connect(s.port);
    c.send(`*3\r\n$3\r\nset\r\n$1\r\nk\r\n$${4 * 1024 * 1024}\r\n`);
    c.send(new Uint8Array(1536 * 1024).fill(97));
    expect(await c.waitClosed()).toBe(true);
    expect(s.context.stats.clientQueryBufferLimitDisconnections).toBe(1);
  });

  test("idle clients are closed after `timeout` seconds; active ones are not", async () => {
    const s = start({ timeout: 1, hz: 50 });
    using idle = await RawClient.connect(s.port);
    using busy = await RawClient.connect(s.port);
    expect(await idle.command("ping")).toBe("PONG");
    const deadline = Date.now() + 5000;
    while (!idle.closed && Date.now() < deadline) {
      expect(await busy.command("ping")).toBe("PONG");
      await Bun.sleep(100);
    }
    expect(idle.closed).toBe(true);
    expect(busy.closed).toBe(false);
  });
});

describe("cron", () => {
  test("active expiry removes expired keys nobody reads", async () => {
    const s = start({ hz: 50 });
    const enc = new TextEncoder();
    const at = Date.now() + 50;
    for (let i = 0; i < 100; i++) s.keyspace.set(enc.encode(`t${i}`), enc.encode("v"), at);
    s.keyspace.set(enc.encode("keep"), enc.encode("v"));
    expect(await until(() => s.keyspace.stats().expired === 100)).toBe(true);
    expect(s.keyspace.stats().entries).toBe(1);
  });
});

describe("config", () => {
  test("CONFIG SET maxmemory and policy reach the keyspace", async () => {
    const s = start();
    using c = await RawClient.connect(s.port);
    expect(await c.command("config", "set", "maxmemory", "100mb")).toBe("OK");
    expect(await c.command("config", "set", "maxmemory-policy", "allkeys-lru")).toBe("OK");
    expect(s.keyspace.maxMemory).toBe(100 * 1024 * 1024);
    expect(s.keyspace.policy).toBe("lru");
    expect(await c.command("config", "get", "maxmemory")).toEqual(["maxmemory", String(100 * 1024 * 1024)]);
    expect(await c.command("config", "get", "maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lru"]);
  });
});
