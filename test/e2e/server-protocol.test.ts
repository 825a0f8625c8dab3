// Whole-process protocol tests: a real `bun src/cli.ts` on port 0, raw bytes over TCP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeCommand, type RespValue } from "../support/resp-decode.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

let srv: ServerProcess;
beforeAll(async () => {
  srv = await spawnServer();
});
afterAll(async () => {
  await srv.stop();
});

describe("pipelining", () => {
  test("10,000 mixed pipelined commands in one write are answered in order", async () => {
    using c = await RawClient.connect(srv.port);
    const parts: Uint8Array[] = [];
    const want: RespValue[] = [];
    let counter = 0;
    for (let i = 0; i < 10_000; i++) {
      switch (i % 5) {
        case 0:
          parts.push(encodeCommand(["SET", `key:${i}`, `value-${i}`]));
          want.push("OK");
          break;
        case 1:
          parts.push(encodeCommand(["GET", `key:${i - 1}`]));
          want.push(`value-${i - 1}`);
          break;
        case 2:
          parts.push(encodeCommand(["INCR", "pipeline:counter"]));
          want.push(++counter);
          break;
        case 3:
          parts.push(new TextEncoder().encode(`ECHO inline-${i}\r\n`));
          want.push(`inline-${i}`);
          break;
        default:
          parts.push(encodeCommand(["GET", `missing:${i}`]));
          want.push(null);
      }
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    c.send(all);
    const got = await c.read(10_000, 20_000);
    expect(got).toEqual(want);
  });

  test("a command split at every byte boundary is parsed correctly", async () => {
    using c = await RawClient.connect(srv.port);
    const cmd = encodeCommand(["SET", "split:key", "split\r\nvalue"]);
    for (let i = 1; i < cmd.length; i++) {
      c.send(cmd.subarray(0, i));
      await Bun.sleep(1);
      c.send(cmd.subarray(i));
      expect(await c.read(1)).toEqual(["OK"]);
    }
    expect(await c.command("GET", "split:key")).toBe("split\r\nvalue");
  });
});

describe("hostile input", () => {
  test("fuzzed garbage, huge and negative lengths never crash the server; other clients keep working", async () => {
    using watcher = await RawClient.connect(srv.port);
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const samples: (string | Uint8Array)[] = [
      "*-5\r\n",
      "*99999999999999999999999\r\n",
      "*2\r\n$-7\r\n",
      "*1\r\n$2147483648\r\n",
      "*1\r\n$536870913\r\n",
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9999999\r\nshort",
      "*1048577\r\n",
      "$5\r\nhello\r\n",
      ":1\r\n+OK\r\n-ERR\r\n",
      '"unbalanced\r\n',
      "*1\r\n$4\r\nPINGxxxx",
      "\x00\x01\x02\x03\r\n",
    ];
    for (let i = 0; i < 150; i++) {
      const len = 1 + (rand() % 2048);
      const bytes = new Uint8Array(len);
      for (let j = 0; j < len; j++) bytes[j] = rand() & 0xff;
      samples.push(bytes);
    }
    for (let i = 0; i < samples.length; i += 25) {
      await Promise.all(
        samples.slice(i, i + 25).map(async (s) => {
          const c = await RawClient.connect(srv.port);
          c.send(s);
          c.send(encodeCommand(["PING"]));
          await c.waitClosed(100);
          c.close();
        }),
      );
    }
    expect(await watcher.command("PING")).toBe("PONG");
    using fresh = await RawClient.connect(srv.port);
    expect(await fresh.command("SET", "after-fuzz", "ok")).toBe("OK");
    expect(await fresh.command("GET", "after-fuzz")).toBe("ok");
    expect(srv.proc.exitCode).toBeNull();
  });

  test("a protocol error is answered with Redis's text and the connection is closed", async () => {
    using c = await RawClient.connect(srv.port);
    c.send("*1\r\nx\r\n");
    expect(await c.read(1)).toEqual([{ error: "ERR Protocol error: expected '$', got 'x'" }]);
    expect(await c.waitClosed()).toBe(true);
  });

  test("a 20 MB value sent in one write round-trips", async () => {
    using c = await RawClient.connect(srv.port);
    const value = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < value.length; i += 4096) value[i] = i & 0xff;
    c.send(encodeCommand(["SET", "big", value]));
    expect(await c.read(1, 20_000)).toEqual(["OK"]);
    expect(await c.command("STRLEN", "big")).toBe(value.length);
  });
});
