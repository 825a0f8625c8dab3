// Byte-level checks of connection and server commands against the real server process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("a server without a password", () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await spawnServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  test("HELLO 3 answers a RESP3 map and INFO becomes verbatim text", async () => {
    using c = await RawClient.connect(srv.port);
    c.send("HELLO 3\r\n");
    const [hello] = await c.read(1);
    expect(text(c.bytes())).toStartWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n");
    expect(hello).toBeInstanceOf(Map);
    const before = c.bytes().length;
    c.sendCommand("INFO", "keyspace");
    await c.read(1);
    expect(text(c.bytes().subarray(before))).toBe("=16\r\ntxt:# Keyspace\r\n\r\n");
  });

  test("QUIT replies OK and the server closes the connection", async () => {
    using c = await RawClient.connect(srv.port);
    c.sendCommand("QUIT");
    expect(await c.read(1)).toEqual(["OK"]);
    expect(await c.waitClosed()).toBe(true);
  });

  test("CLIENT REPLY OFF and SKIP suppress replies on the wire", async () => {
    using c = await RawClient.connect(srv.port);
    c.sendCommand("CLIENT", "REPLY", "OFF");
    c.sendCommand("ECHO", "hidden-1");
    c.sendCommand("CLIENT", "REPLY", "ON");
    c.sendCommand("CLIENT", "REPLY", "SKIP");
    c.sendCommand("ECHO", "hidden-2");
    c.sendCommand("ECHO", "shown");
    expect(await c.read(2)).toEqual(["OK", "shown"]);
  });

  test("RESET returns a RESP3 connection to RESP2 and clears its name", async () => {
    using c = await RawClient.connect(srv.port);
    c.sendCommand("HELLO", "3", "SETNAME", "raw");
    await c.read(1);
    c.sendCommand("RESET");
    c.sendCommand("CLIENT", "GETNAME");
    expect(await c.read(2)).toEqual(["RESET", null]);
    expect(text(c.bytes())).toEndWith("+RESET\r\n$-1\r\n");
  });

  test("CLIENT KILL by address closes the other connection", async () => {
    using victim = await RawClient.connect(srv.port);
    using admin = await RawClient.connect(srv.port);
    victim.sendCommand("CLIENT", "SETNAME", "victim");
    await victim.read(1);
    const list = (await admin.command("CLIENT", "LIST")) as string;
    const line = list.split("\n").find((l) => l.includes(" name=victim "))!;
    const addr = /addr=(\S+)/.exec(line)![1]!;
    expect(await admin.command("CLIENT", "KILL", addr)).toBe("OK");
    expect(await victim.waitClosed()).toBe(true);
    expect(await admin.command("CLIENT", "KILL", addr)).toEqual({ error: "ERR No such client" });
  });

  test("an unknown CLIENT subcommand and wrong arity get Redis's errors", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("CLIENT", "BOGUS")).toEqual({ error: "ERR unknown subcommand 'BOGUS'. Try CLIENT HELP." });
    expect(await c.command("CONFIG", "GET")).toEqual({ error: "ERR wrong number of arguments for 'config|get' command" });
    expect(await c.command("AUTH", "pw")).toEqual({
      error: "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    });
  });
});

describe("a server with requirepass", () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await spawnServer(["--requirepass", "e2e-secret"]);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  test("commands are refused until AUTH, then allowed", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("PING")).toEqual({ error: "NOAUTH Authentication required." });
    expect(await c.command("AUTH", "wrong")).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
    expect(await c.command("AUTH", "e2e-secret")).toBe("OK");
    expect(await c.command("PING")).toBe("PONG");
  });

  test("HELLO 3 AUTH authenticates and switches protocol in one step", async () => {
    using c = await RawClient.connect(srv.port);
    const hello = (await c.command("HELLO", "3", "AUTH", "default", "e2e-secret", "SETNAME", "h")) as Map<string, unknown>;
    expect(hello.get("proto")).toBe(3);
    expect(await c.command("CLIENT", "GETNAME")).toBe("h");
  });

  test("RESET deauthenticates", async () => {
    using c = await RawClient.connect(srv.port);
    await c.command("AUTH", "default", "e2e-secret");
    expect(await c.command("RESET")).toBe("RESET");
    expect(await c.command("PING")).toEqual({ error: "NOAUTH Authentication required." });
  });
});

test("SHUTDOWN NOSAVE stops the server process", async () => {
  await using srv = await spawnServer();
  using c = await RawClient.connect(srv.port);
  c.sendCommand("SHUTDOWN", "NOSAVE");
  expect(await c.waitClosed(10_000)).toBe(true);
  const code = await Promise.race([srv.proc.exited, Bun.sleep(10_000).then(() => "timeout" as const)]);
  expect(code).toBe(0);
});
