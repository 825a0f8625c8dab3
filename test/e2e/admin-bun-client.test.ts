// Bun's RedisClient sends HELLO 3 first and needs a RESP3 map back; then admin commands work
// over RESP3 (maps, verbatim strings).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
let client: RedisClient;

beforeAll(async () => {
  srv = await spawnServer();
  client = new RedisClient(`redis://127.0.0.1:${srv.port}`, { autoReconnect: false, connectionTimeout: 5000 });
  await client.connect();
});

afterAll(async () => {
  client?.close();
  await srv?.stop();
});

test("Bun's RedisClient connects with HELLO 3 and talks RESP3", async () => {
  expect(client.connected).toBe(true);
  expect(await client.ping()).toBe("PONG");
  const hello = (await client.send("HELLO", ["3"])) as Record<string, unknown>;
  expect(hello.server).toBe("redis");
  expect(hello.proto).toBe(3);
  const info = String(await client.send("CLIENT", ["INFO"]));
  expect(info).toContain("resp=3");
});

test("INFO and CONFIG GET arrive as RESP3 text and maps", async () => {
  const info = String(await client.send("INFO", ["server"]));
  expect(info).toContain("redis_version:7.0.15");
  expect(info).toContain(`tcp_port:${srv.port}`);
  const cfg = (await client.send("CONFIG", ["GET", "maxclients"])) as Record<string, string>;
  expect(cfg).toEqual({ maxclients: "10000" });
});

test("CLIENT SETNAME / GETNAME and DBSIZE work through send()", async () => {
  expect(await client.send("CLIENT", ["SETNAME", "bun-e2e"])).toBe("OK");
  expect(await client.send("CLIENT", ["GETNAME"])).toBe("bun-e2e");
  expect(await client.send("DBSIZE", [])).toBe(0);
  await expect(client.send("CLIENT", ["SETNAME", "has space"])).rejects.toThrow("Client names cannot contain spaces");
});
