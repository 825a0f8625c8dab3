// Blocking list commands on one worker, through real sockets: what the parity file cannot compare
// (client ids, INFO and CLIENT LIST fields, exact timeout bytes, disconnects, many waiters, a
// pipeline sent in one write). No timing is asserted; every wait is bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { infoField } from "../cluster/helpers.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const dec = new TextDecoder();

/** Bounded wait for `cond` (there is no event for "the server now lists it as blocked"). */
async function waitFor(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe("blocking list commands on one worker", () => {
  let srv: ServerProcess;
  let ctl: RawClient;
  const blockedCount = async (): Promise<number> => Number(infoField(String(await ctl.command("INFO", "clients")), "blocked_clients"));
  const untilBlocked = (n: number): Promise<void> => waitFor(async () => (await blockedCount()) === n, `${n} blocked clients`);

  beforeAll(async () => {
    srv = await spawnServer(["--workers", "1", "--appendfsync", "no"]);
    ctl = await RawClient.connect(srv.port);
  });
  afterAll(async () => {
    ctl?.close();
    expect(await srv?.stop()).toBe(0);
  });

  test("COMMAND INFO lists the blocking flag", async () => {
    const info = (await ctl.command("COMMAND", "INFO", "blpop", "brpop", "brpoplpush", "blmove", "blmpop")) as unknown[][];
    expect(info.map((e) => [e[0], e[2]])).toEqual([
      ["blpop", ["write", "noscript", "blocking"]],
      ["brpop", ["write", "noscript", "blocking"]],
      ["brpoplpush", ["write", "denyoom", "noscript", "blocking"]],
      ["blmove", ["write", "denyoom", "noscript", "blocking"]],
      ["blmpop", ["write", "blocking", "movablekeys"]],
    ]);
    expect(await ctl.command("COMMAND", "GETKEYS", "BLMPOP", "0", "2", "a", "b", "LEFT")).toEqual(["a", "b"]);
  });

  test("a timeout answers *-1 in RESP2 and _ in RESP3, for every command", async () => {
    const c = await RawClient.connect(srv.port);
    try {
      for (const resp of [2, 3]) {
        if (resp === 3) await c.command("HELLO", "3");
        for (const argv of [["BLPOP", "t1", "t2", "0.01"], ["BRPOP", "t1", "0.01"], ["BRPOPLPUSH", "t1", "t2", "0.01"], ["BLMOVE", "t1", "t2", "LEFT", "RIGHT", "0.01"], ["BLMPOP", "0.01", "1", "t1", "LEFT"]]) {
          const at = c.bytes().length;
          c.sendCommand(...argv);
          await c.read(1);
          expect([argv[0], dec.decode(c.bytes().subarray(at))]).toEqual([argv[0], resp === 2 ? "*-1\r\n" : "_\r\n"]);
        }
      }
    } finally {
      c.close();
    }
  });

  test("INFO clients, CLIENT LIST and CLIENT INFO show blocked clients", async () => {
    const a = await RawClient.connect(srv.port);
    const b = await RawClient.connect(srv.port);
    try {
      const idA = String(await a.command("CLIENT", "ID"));
      a.sendCommand("BLPOP", "i1", "0");
      b.sendCommand("BLMPOP", "100", "2", "i1", "i2", "RIGHT");
      await untilBlocked(2);
      const info = String(await ctl.command("INFO", "clients"));
      expect(infoField(info, "clients_in_timeout_table")).toBe("1");
      const line = String(await ctl.command("CLIENT", "LIST")).split("\n").find((l) => l.startsWith(`id=${idA} `))!;
      expect(line).toContain(" flags=b ");
      expect(line).toContain(" cmd=blpop ");
      expect(await ctl.command("RPUSH", "i2", "x")).toBe(1);
      expect(await b.read(1)).toEqual([["i2", ["x"]]]);
      expect(await ctl.command("RPUSH", "i1", "y")).toBe(1);
      expect(await a.read(1)).toEqual([["i1", "y"]]);
      expect(String(await a.command("CLIENT", "INFO"))).toContain(" flags=N ");
      expect(await blockedCount()).toBe(0);
      expect(infoField(String(await ctl.command("INFO", "clients")), "clients_in_timeout_table")).toBe("0");
    } finally {
      a.close();
      b.close();
    }
  });

  test("a pipeline sent in one write: the commands behind a blocked one wait, then run in order", async () => {
    const c = await RawClient.connect(srv.port);
    try {
      const cmd = (...a: string[]): string => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`;
      c.send(cmd("BLPOP", "p", "0") + cmd("PING") + cmd("RPUSH", "p", "own") + cmd("LRANGE", "p", "0", "-1") + cmd("BLPOP", "p", "0") + cmd("ECHO", "end"));
      await untilBlocked(1);
      expect(await ctl.command("RPUSH", "p", "first")).toBe(1);
      expect(await c.read(6)).toEqual([["p", "first"], "PONG", 1, ["own"], ["p", "own"], "end"]);
    } finally {
      c.close();
    }
  });

  test("200 waiters on one key are served in the order they blocked, and nothing is left", async () => {
    const n = 200;
    const clients = await Promise.all(Array.from({ length: n }, () => RawClient.connect(srv.port)));
    try {
      for (let i = 0; i < n; i++) {
        clients[i]!.sendCommand(i % 2 === 0 ? "BLPOP" : "BRPOP", "many", "0");
        await untilBlocked(i + 1);
      }
      const values = Array.from({ length: n }, (_, i) => `v${i}`);
      // One push serves the first waiters (BLPOP takes from the left, BRPOP from the right).
      expect(await ctl.command("RPUSH", "many", ...values)).toBe(n);
      const got = await Promise.all(clients.map(async (c) => ((await c.read(1))[0] as string[])[1]));
      const want: string[] = [];
      let lo = 0;
      let hi = n - 1;
      for (let i = 0; i < n; i++) want.push(i % 2 === 0 ? values[lo++]! : values[hi--]!);
      expect(got).toEqual(want);
      expect(await blockedCount()).toBe(0);
      expect(await ctl.command("EXISTS", "many")).toBe(0);
    } finally {
      for (const c of clients) c.close();
    }
  });

  test("a client that disconnects or is killed while blocked is removed and takes nothing", async () => {
    const gone = await RawClient.connect(srv.port);
    const killed = await RawClient.connect(srv.port);
    const idKilled = String(await killed.command("CLIENT", "ID"));
    gone.sendCommand("BLPOP", "d", "0");
    killed.sendCommand("BRPOPLPUSH", "d", "d2", "0");
    await untilBlocked(2);
    gone.close();
    await untilBlocked(1);
    expect(await ctl.command("CLIENT", "KILL", "ID", idKilled)).toBe(1);
    expect(await killed.waitClosed()).toBe(true);
    expect(await blockedCount()).toBe(0);
    expect(await ctl.command("RPUSH", "d", "kept")).toBe(1);
    expect(await ctl.command("LRANGE", "d", "0", "-1")).toEqual(["kept"]);
    expect(await ctl.command("EXISTS", "d2")).toBe(0);
  });

  test("commands held behind a blocked one count in qbuf and are bounded by client-query-buffer-limit", async () => {
    const c = await RawClient.connect(srv.port);
    const id = String(await c.command("CLIENT", "ID"));
    expect(await ctl.command("CONFIG", "SET", "client-query-buffer-limit", "1mb")).toBe("OK");
    try {
      c.sendCommand("BLPOP", "qb", "0");
      await untilBlocked(1);
      const value = "x".repeat(1000);
      const one = `*3\r\n$3\r\nSET\r\n$2\r\nqk\r\n$1000\r\n${value}\r\n`;
      c.send(one.repeat(100));
      await waitFor(async () => {
        const line = String(await ctl.command("CLIENT", "LIST")).split("\n").find((l) => l.startsWith(`id=${id} `)) ?? "";
        return Number(/ qbuf=(\d+)/.exec(line)?.[1] ?? 0) > 100_000;
      }, "qbuf to count the held commands");
      c.send(one.repeat(1200));
      expect(await c.waitClosed()).toBe(true);
      expect(Number(infoField(String(await ctl.command("INFO", "stats")), "client_query_buffer_limit_disconnections"))).toBeGreaterThan(0);
      expect(await blockedCount()).toBe(0);
      expect(await ctl.command("EXISTS", "qk")).toBe(0);
    } finally {
      expect(await ctl.command("CONFIG", "SET", "client-query-buffer-limit", "1gb")).toBe("OK");
      c.close();
    }
  });

  test("CLIENT UNBLOCK answers 0 for a client that is not blocked and for unknown ids", async () => {
    const c = await RawClient.connect(srv.port);
    try {
      const id = String(await c.command("CLIENT", "ID"));
      expect(await ctl.command("CLIENT", "UNBLOCK", id)).toBe(0);
      expect(await ctl.command("CLIENT", "UNBLOCK", "123456789", "ERROR")).toBe(0);
      c.sendCommand("BLMOVE", "u", "u2", "RIGHT", "LEFT", "0");
      await untilBlocked(1);
      expect(await ctl.command("CLIENT", "UNBLOCK", id, "error")).toBe(1);
      expect(await c.read(1)).toEqual([{ error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" }]);
      expect(await c.command("PING")).toBe("PONG");
      expect(String(await ctl.command("INFO", "errorstats"))).toContain("errorstat_UNBLOCKED:count=1");
    } finally {
      c.close();
    }
  });
});
