// Connection and server commands through ioredis against the real server process (RESP2).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
let redis: Redis;

beforeAll(async () => {
  srv = await spawnServer();
  redis = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1, connectionName: "e2e-main" });
  await redis.connect();
});

afterAll(async () => {
  redis?.disconnect();
  await srv?.stop();
});

function infoFields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

describe("admin commands over ioredis", () => {
  test("PING, ECHO and TIME answer", async () => {
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.ping("hello")).toBe("hello");
    expect(await redis.echo("x y")).toBe("x y");
    const [secs, usec] = await redis.time();
    expect(Math.abs(Number(secs) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(usec)).toBeLessThan(1_000_000);
  });

  test("the connection name and library info from the handshake show in CLIENT LIST", async () => {
    expect(await redis.client("GETNAME")).toBe("e2e-main");
    const id = (await redis.client("ID")) as number;
    const list = (await redis.client("LIST")) as string;
    const line = list.split("\n").find((l) => l.startsWith(`id=${id} `))!;
    expect(line).toContain("name=e2e-main");
    expect(line).toContain("lib-name=ioredis");
    expect(line).toMatch(/ cmd=client\|list /);
  });

  test("INFO is parsed by ioredis's ready check and reports the real port", async () => {
    const f = infoFields(await redis.info());
    expect(f.get("redis_version")).toBe("7.0.15");
    expect(f.get("tcp_port")).toBe(String(srv.port));
    expect(f.get("loading")).toBe("0");
    expect(Number(f.get("connected_clients"))).toBeGreaterThanOrEqual(1);
    expect(await redis.info("keyspace")).toStartWith("# Keyspace\r\n");
  });

  test("CONFIG GET and SET round-trip", async () => {
    expect(await redis.config("SET", "slowlog-max-len", "64")).toBe("OK");
    expect(await redis.config("GET", "slowlog-max-len")).toEqual(["slowlog-max-len", "64"]);
    await expect(redis.config("SET", "no-such-param", "1")).rejects.toThrow("ERR Unknown option or number of arguments for CONFIG SET - 'no-such-param'");
  });

  test("COMMAND COUNT, INFO and GETKEYS describe the table", async () => {
    const count = (await redis.command("COUNT")) as unknown as number;
    expect(count).toBeGreaterThan(10);
    const [ping] = (await redis.command("INFO", "ping")) as unknown[][];
    expect(ping!.slice(0, 2)).toEqual(["ping", -1]);
    await expect(redis.command("GETKEYS", "ping", "x")).rejects.toThrow("ERR The command has no key arguments");
  });

  test("the slow log records commands once the threshold is 0", async () => {
    await redis.slowlog("RESET");
    await redis.config("SET", "slowlog-log-slower-than", "0");
    await redis.echo("slow-marker");
    await redis.config("SET", "slowlog-log-slower-than", "10000");
    const entries = (await redis.slowlog("GET", "-1")) as unknown[][];
    const echo = entries.find((e) => (e[3] as string[])[0] === "echo")!;
    expect(echo[3]).toEqual(["echo", "slow-marker"]);
    expect(echo).toHaveLength(6);
    expect((await redis.slowlog("LEN")) as number).toBeGreaterThanOrEqual(1);
  });

  test("SELECT 0..15 works and database 16 is refused", async () => {
    expect(await redis.select(3)).toBe("OK");
    expect(await redis.select(0)).toBe("OK");
    await expect(redis.call("SELECT", "16")).rejects.toThrow("ERR DB index is out of range");
  });

  test("CLIENT KILL ID closes another connection", async () => {
    const other = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    await other.connect();
    const closed = new Promise<boolean>((resolve) => {
      other.once("end", () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    const otherId = (await other.client("ID")) as number;
    expect(await redis.client("KILL", "ID", String(otherId))).toBe(1);
    expect(await closed).toBe(true);
    other.disconnect();
  });
});
