// Real clients against a real server process: ioredis, Bun's RedisClient, redis-cli, redis-benchmark.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import Redis from "ioredis";
import { runToExit, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
beforeAll(async () => {
  srv = await spawnServer();
});
afterAll(async () => {
  await srv.stop();
});

describe("ioredis", () => {
  test("connects, runs commands and pipelines", async () => {
    const r = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await r.connect();
      expect(await r.set("io:k", "v")).toBe("OK");
      expect(await r.get("io:k")).toBe("v");
      expect(await r.incr("io:n")).toBe(1);
      expect(await r.get("io:missing")).toBeNull();
      const res = await r.pipeline().set("io:a", "1").incr("io:a").get("io:a").exec();
      expect(res).toEqual([
        [null, "OK"],
        [null, 2],
        [null, "2"],
      ]);
      await expect(r.call("nosuchcommand")).rejects.toThrow("ERR unknown command 'nosuchcommand'");
    } finally {
      r.disconnect();
    }
  });
});

describe("Bun RedisClient", () => {
  test("completes the HELLO 3 handshake and runs commands", async () => {
    const client = new RedisClient(`redis://127.0.0.1:${srv.port}`, { autoReconnect: false, connectionTimeout: 5000 });
    try {
      await client.connect();
      expect(await client.set("bun:k", "hello")).toBe("OK");
      expect(await client.get("bun:k")).toBe("hello");
      expect(await client.incr("bun:n")).toBe(1);
      // Auto-pipelined burst.
      const got = await Promise.all(Array.from({ length: 100 }, (_, i) => client.send("ECHO", [String(i)])));
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    } finally {
      client.close();
    }
  });
});

const redisCli = Bun.which("redis-cli");
const redisBenchmark = Bun.which("redis-benchmark");

describe("redis-cli", () => {
  test("runs commands against the server", async () => {
    if (!redisCli) {
      console.warn("skipping: redis-cli not installed");
      return;
    }
    const cli = (...args: string[]) => runToExit([redisCli, "-p", String(srv.port), ...args], 10000);
    expect((await cli("PING")).stdout.trim()).toBe("PONG");
    expect((await cli("SET", "cli:k", "v v")).stdout.trim()).toBe("OK");
    expect((await cli("GET", "cli:k")).stdout.trim()).toBe("v v");
    expect((await cli("CONFIG", "GET", "save")).stdout.split("\n").slice(0, 2)).toEqual(["save", ""]);
    expect((await cli("NOPE", "x")).stdout.trim()).toBe("ERR unknown command 'NOPE', with args beginning with: 'x'");
  });
});

describe("redis-benchmark", () => {
  test("completes -n 10000 -q", async () => {
    if (!redisBenchmark) {
      console.warn("skipping: redis-benchmark not installed");
      return;
    }
    const r = await runToExit([redisBenchmark, "-p", String(srv.port), "-n", "10000", "-q", "-t", "set,get,incr,ping"], 60000);
    expect(r.code).toBe(0);
    const lines = r.stdout.split(/[\r\n]/).filter((l) => / requests per second/.test(l));
    expect(lines.map((l) => l.trim().split(":")[0])).toEqual(["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"]);
    expect(r.stdout + r.stderr).not.toContain("WARNING: Could not fetch server CONFIG");
  }, 90000);
});
