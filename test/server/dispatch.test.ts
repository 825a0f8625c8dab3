// Dispatch checks through an in-process server with a test-only command table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildCommandTable } from "../../src/commands/index.ts";
import { argsPreview, arityOk, NameIndex } from "../../src/server/dispatch.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { encodeCommand } from "../support/resp-decode.ts";
import { RawClient } from "../support/server-process.ts";
import { testCommands } from "./test-commands.ts";

const enc = new TextEncoder();
let srv: RunningServer;

beforeAll(() => {
  srv = startServer({ config: { port: 0 }, commands: buildCommandTable([testCommands()]) });
});
afterAll(() => srv.stop());

describe("helpers", () => {
  test("NameIndex finds names case-insensitively from bytes", () => {
    const names = Array.from({ length: 300 }, (_, i) => `cmd${i}`);
    const idx = new NameIndex(names.map((n, i) => [n, i] as const));
    for (let i = 0; i < names.length; i++) expect(idx.get(enc.encode(names[i]!.toUpperCase()))).toBe(i);
    expect(idx.get(enc.encode("cmd300"))).toBeUndefined();
    expect(idx.get(enc.encode("x".repeat(65)))).toBeUndefined();
    expect(idx.get(new Uint8Array(0))).toBeUndefined();
  });
  test("arity: positive is exact, negative is a minimum", () => {
    expect(arityOk(2, 2)).toBe(true);
    expect(arityOk(2, 3)).toBe(false);
    expect(arityOk(-2, 5)).toBe(true);
    expect(arityOk(-2, 1)).toBe(false);
  });
  test("argsPreview quotes each argument and stops near 128 bytes", () => {
    expect(argsPreview([enc.encode("foo"), enc.encode("a"), enc.encode("b")])).toBe("'a' 'b' ");
    const long = argsPreview([enc.encode("foo"), enc.encode("x".repeat(200)), enc.encode("y")]);
    expect(long).toBe(`'${"x".repeat(128)}' `);
  });
});

describe("dispatch", () => {
  test("an unknown command gets Redis's exact error", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("NOPE", "a", "b")).toEqual({ error: "ERR unknown command 'NOPE', with args beginning with: 'a' 'b' " });
    expect(await c.command("nope")).toEqual({ error: "ERR unknown command 'nope', with args beginning with: " });
  });

  test("command names are case-insensitive", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("PiNg")).toBe("PONG");
  });

  test("wrong arity is refused before the handler runs", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("echo")).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
    expect(await c.command("echo", "a", "b")).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
  });

  test("subcommands are looked up as container|sub with their own arity", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("CLIENT", "SETNAME", "x")).toBe("OK");
    expect(await c.command("client", "setname")).toEqual({ error: "ERR wrong number of arguments for 'client|setname' command" });
    expect(await c.command("client")).toEqual({ error: "ERR wrong number of arguments for 'client' command" });
    expect(await c.command("client", "bogus")).toEqual({ error: "ERR unknown subcommand 'bogus'. Try CLIENT HELP." });
  });

  test("a throwing handler replies -ERR and the connection keeps working", async () => {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("boom")).toEqual({ error: "ERR kaboom" });
    expect(await c.command("ping")).toBe("PONG");
  });

  test("error replies are counted by their first word", async () => {
    using c = await RawClient.connect(srv.port);
    const before = srv.context.stats.errorCounts.get("WRONGTYPE") ?? 0;
    const failed = srv.context.commands.get("fail")!.failedCalls;
    await c.command("fail");
    expect(srv.context.stats.errorCounts.get("WRONGTYPE")).toBe(before + 1);
    expect(srv.context.commands.get("fail")!.failedCalls).toBe(failed + 1);
  });

  test("rejected calls and calls are counted on the entry", async () => {
    using c = await RawClient.connect(srv.port);
    const echo = srv.context.commands.get("echo")!;
    const [calls, rejected] = [echo.calls, echo.rejectedCalls];
    await c.command("echo", "x");
    await c.command("echo");
    expect(echo.calls).toBe(calls + 1);
    expect(echo.rejectedCalls).toBe(rejected + 1);
  });

  test("CLIENT REPLY OFF silences replies until ON; SKIP drops exactly the next one", async () => {
    using c = await RawClient.connect(srv.port);
    c.sendCommand("client", "reply", "off");
    c.sendCommand("echo", "hidden");
    c.sendCommand("client", "reply", "on");
    c.sendCommand("echo", "a");
    c.sendCommand("client", "reply", "skip");
    c.sendCommand("echo", "skipped");
    c.sendCommand("echo", "b");
    expect(await c.read(3)).toEqual(["OK", "a", "b"]);
  });

  test("slow commands go to the slow log with their arguments", async () => {
    srv.config.set("slowlog-log-slower-than", "0");
    try {
      using c = await RawClient.connect(srv.port);
      await c.command("client", "setname", "slowpoke");
      await c.command("echo", "x".repeat(200));
      const e = srv.context.slowlog.entries[0]!;
      expect(e.args).toEqual(["echo", `${"x".repeat(128)}... (72 more bytes)`]);
      expect(e.clientName).toBe("slowpoke");
      expect(e.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      srv.config.set("slowlog-log-slower-than", "10000");
    }
  });

  test("the slow log keeps at most slowlog-max-len entries, newest first", async () => {
    srv.config.set("slowlog-log-slower-than", "0");
    srv.config.set("slowlog-max-len", "3");
    try {
      using c = await RawClient.connect(srv.port);
      for (let i = 0; i < 5; i++) await c.command("echo", String(i));
      expect(srv.context.slowlog.entries.map((e) => e.args[1])).toEqual(["4", "3", "2"]);
    } finally {
      srv.config.set("slowlog-log-slower-than", "10000");
      srv.config.set("slowlog-max-len", "128");
    }
  });

  test("pipelined calls of one command keep exact commandstats calls and add up their time", async () => {
    const slow = srv.context.commands.get("slow")!;
    const echo = srv.context.commands.get("echo")!;
    const calls = slow.calls;
    const usec = slow.usec;
    const echoCalls = echo.calls;
    using c = await RawClient.connect(srv.port);
    const cmds = [["slow", "2"], ["slow", "2"], ["slow", "2"], ["echo", "a"], ["slow", "2"]];
    c.send(Buffer.concat(cmds.map((a) => encodeCommand(a))));
    expect(await c.read(5)).toEqual(["OK", "OK", "OK", "a", "OK"]);
    expect(slow.calls - calls).toBe(4);
    expect(echo.calls - echoCalls).toBe(1);
    // Each call busy-waits 2 ms, so the four add at least 8000 µs whatever the batching.
    expect(slow.usec - usec).toBeGreaterThanOrEqual(8000);
  });

  test("every pipelined call of a slow command reaches the slow log", async () => {
    srv.config.set("slowlog-log-slower-than", "1000");
    try {
      using c = await RawClient.connect(srv.port);
      const before = srv.context.slowlog.nextId;
      c.send(Buffer.concat([encodeCommand(["slow", "2"]), encodeCommand(["slow", "3"]), encodeCommand(["slow", "2"])]));
      expect(await c.read(3)).toEqual(["OK", "OK", "OK"]);
      const logged = srv.context.slowlog.entries.filter((e) => e.id >= before);
      expect(logged.map((e) => e.args)).toEqual([["slow", "2"], ["slow", "3"], ["slow", "2"]]);
      for (const e of logged) expect(e.durationUs).toBeGreaterThanOrEqual(1000);
    } finally {
      srv.config.set("slowlog-log-slower-than", "10000");
    }
  });

  test("the latency monitor records commands over its threshold", async () => {
    srv.config.set("latency-monitor-threshold", "1");
    try {
      using c = await RawClient.connect(srv.port);
      await c.command("slow", "5");
      expect(srv.context.latency.events.get("command")?.max).toBeGreaterThanOrEqual(1);
    } finally {
      srv.config.set("latency-monitor-threshold", "0");
    }
  });

  test("while loading, only LOADING commands run", async () => {
    using c = await RawClient.connect(srv.port);
    srv.context.loading = true;
    try {
      expect(await c.command("ping")).toEqual({ error: "LOADING Redis is loading the dataset in memory" });
      expect(await c.command("auth", "x")).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
    } finally {
      srv.context.loading = false;
    }
  });
});

describe("auth", () => {
  test("with requirepass, commands without NO_AUTH get NOAUTH until AUTH succeeds", async () => {
    const s = startServer({ config: { port: 0, requirepass: "pw" }, commands: buildCommandTable([testCommands()]) });
    try {
      using c = await RawClient.connect(s.port);
      expect(await c.command("ping")).toEqual({ error: "NOAUTH Authentication required." });
      expect(await c.command("nope")).toEqual({ error: "ERR unknown command 'nope', with args beginning with: " });
      expect(await c.command("auth", "bad")).toEqual({ error: "WRONGPASS invalid username-password pair or user is disabled." });
      expect(await c.command("auth", "pw")).toBe("OK");
      expect(await c.command("ping")).toBe("PONG");
      expect(s.context.stats.errorCounts.get("NOAUTH")).toBe(1);
    } finally {
      await s.stop();
    }
  });

  test("unauthenticated clients cannot send big multibulk commands", async () => {
    const s = startServer({ config: { port: 0, requirepass: "pw" }, commands: buildCommandTable([testCommands()]) });
    try {
      using c = await RawClient.connect(s.port);
      c.send("*11\r\n");
      expect(await c.read(1)).toEqual([{ error: "ERR Protocol error: unauthenticated multibulk length" }]);
      expect(await c.waitClosed()).toBe(true);
      // After AUTH in the same packet, the limit no longer applies.
      using d = await RawClient.connect(s.port);
      d.send("AUTH pw\r\n*12\r\n" + "$4\r\necho\r\n".repeat(1) + "$1\r\nx\r\n".repeat(11));
      expect(await d.read(2)).toEqual(["OK", { error: "ERR wrong number of arguments for 'echo' command" }]);
    } finally {
      await s.stop();
    }
  });
});

describe("out of memory", () => {
  test("DENYOOM commands are refused over maxmemory under noeviction; others still run", async () => {
    const s = startServer({ config: { port: 0 }, commands: buildCommandTable([testCommands()]) });
    try {
      using c = await RawClient.connect(s.port);
      for (let i = 0; i < 100; i++) expect(await c.command("set", `k${i}`, "v".repeat(100))).toBe("OK");
      // Lowering the limit under noeviction leaves the keyspace above it.
      expect(await c.command("config", "set", "maxmemory-policy", "noeviction")).toBe("OK");
      expect(await c.command("config", "set", "maxmemory", "1kb")).toBe("OK");
      expect(s.keyspace.maxMemory).toBe(1024);
      expect(s.keyspace.policy).toBe("noeviction");
      expect(await c.command("set", "new", "v")).toEqual({ error: "OOM command not allowed when used memory > 'maxmemory'." });
      expect(await c.command("get", "k0")).toBe("v".repeat(100));
      expect(s.context.stats.errorCounts.get("OOM")).toBe(1);
      expect(s.context.commands.get("set")!.rejectedCalls).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
