// BZPOPMIN, BZPOPMAX, BZMPOP, XREAD BLOCK and XREADGROUP BLOCK against redis-server 7.0.15 over RESP2 and RESP3: one-connection
// scripts (errors, immediate serves, MULTI, WRONGTYPE) on two workers, multi-connection wake-ups
// (FIFO, after ZADD or EXEC, a script's ZADD, CLIENT UNBLOCK) on one worker, and a waiter on one
// worker woken by a ZADD on the other. No timing is asserted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runBlockingScript, type Step } from "../support/blocking-script.ts";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const SCRIPT: string[][] = [
  ["#flush"], ["bzpopmin", "z", "x"], ["bzpopmin", "z", "-1"], ["bzpopmax", "z", "inf"], ["bzpopmin", "1"],
  ["zadd", "z", "1", "a", "2", "b", "3", "c"], ["bzpopmin", "nokey", "z", "0"], ["bzpopmax", "z", "0"], ["zrange", "z", "0", "-1", "withscores"],
  ["set", "s", "v"], ["bzpopmin", "s", "0"], ["bzpopmin", "nokey", "s", "0"], ["bzpopmin", "z", "s", "0"],
  ["zadd", "m", "1.5", "x", "2.5", "y", "3.5", "w"], ["bzmpop", "0", "2", "nokey", "m", "min"], ["bzmpop", "0", "1", "m", "max", "count", "5"], ["exists", "m"],
  ["bzmpop", "x", "1", "m", "min"], ["bzmpop", "-1", "1", "m", "min"], ["bzmpop", "0", "0", "m", "min"], ["bzmpop", "0", "1", "m", "up"],
  ["bzmpop", "0", "1", "m", "min", "count", "0"], ["bzmpop", "0", "1", "s", "min"], ["bzmpop", "0", "1"],
  ["multi"], ["bzpopmin", "nokey", "0"], ["bzmpop", "0", "1", "nokey", "min"], ["bzpopmax", "z", "0"], ["exec"],
];

const MULTI: { name: string; clients: number; steps: Step[] }[] = [
  {
    name: "waiters are served in the order they blocked, after the ZADD",
    clients: 4,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["bzpopmin", "q", "0"], blocks: true },
      { c: 2, argv: ["bzpopmax", "q", "0"], blocks: true },
      { c: 3, argv: ["bzmpop", "0", "1", "q", "min", "count", "5"], blocks: true },
      { c: 0, argv: ["zadd", "q", "1", "a", "2", "b", "3", "c", "4", "d"] },
      { c: 0, argv: ["zrange", "q", "0", "-1"] },
    ],
  },
  {
    name: "a ZADD and ZPOPMIN in one EXEC wake no one; a later EXEC's ZADD does; CLIENT UNBLOCK ends a wait",
    clients: 3,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["bzpopmin", "q", "0"], blocks: true },
      { c: 0, argv: ["multi"] },
      { c: 0, argv: ["zadd", "q", "1", "a"] },
      { c: 0, argv: ["zpopmin", "q"] },
      { c: 0, argv: ["exec"] },
      { c: 0, argv: ["eval", "return redis.call('zadd', KEYS[1], 5, 'e')", "1", "q"] },
      { c: 2, argv: ["bzpopmax", "r", "0"], blocks: true },
      { c: 0, argv: ["client", "unblock", "$ID2", "error"] },
    ],
  },
  {
    name: "XREADGROUP BLOCK: served by the next XADD in the order the consumers blocked; XREAD BLOCK beside it",
    clients: 4,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 0, argv: ["xgroup", "create", "s", "g", "$", "mkstream"] },
      { c: 1, argv: ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "s", ">"], blocks: true },
      { c: 2, argv: ["xreadgroup", "group", "g", "bob", "count", "5", "block", "0", "streams", "s", ">"], blocks: true },
      { c: 3, argv: ["xread", "block", "0", "streams", "s", "$"], blocks: true },
      { c: 0, argv: ["xadd", "s", "1-1", "a", "1"] },
      { c: 0, argv: ["xadd", "s", "2-1", "b", "2"] },
      { c: 0, argv: ["xpending", "s", "g"] },
      { c: 0, argv: ["xinfo", "consumers", "s", "g"] },
      { c: 1, argv: ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "s", "0"] },
      { c: 1, argv: ["xreadgroup", "group", "g", "carol", "noack", "block", "10", "streams", "s", ">"] },
    ],
  },
];

/** XINFO CONSUMERS times (seen-time, idle, inactive) differ between servers: zeroed. */
function zeroTimes(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((c) => {
    if (c instanceof Map) {
      for (const k of ["idle", "inactive"]) if (c.has(k)) c.set(k, 0);
      return c;
    }
    if (Array.isArray(c)) return c.map((x, i) => (i > 0 && (c[i - 1] === "idle" || c[i - 1] === "inactive") ? 0 : x));
    return c;
  });
}

let pair: ParityPair | undefined;
let oneWorker: ServerProcess | undefined;
beforeAll(async () => {
  if (!REDIS_SERVER) return console.log("notice: redis-server not installed; skipping the zset blocking parity test");
  pair = await startParityPair();
  oneWorker = await spawnServer(["--workers", "1"]);
});
afterAll(async () => {
  await pair?.stop();
  await oneWorker?.stop();
});

describe.skipIf(!REDIS_SERVER)("blocking sorted-set pops match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("one connection: errors, immediate serves and MULTI over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
  for (const s of MULTI) {
    test.each([2, 3] as const)(`${s.name} (RESP%d)`, async (resp) => {
      const want = (await runBlockingScript(pair!.redisPort, resp, s.clients, s.steps)).map(zeroTimes);
      const got = (await runBlockingScript(oneWorker!.port, resp, s.clients, s.steps)).map(zeroTimes);
      expect(want).not.toContain("(still blocked)");
      expect(got).toEqual(want);
    });
  }
});

test("a BZPOPMIN waiting on one worker is woken by a ZADD on the other", async () => {
  await using srv = await spawnServer(["--workers", "2", "--appendonly", "no"]);
  // Connections land on either worker (SO_REUSEPORT); eight rounds meet both placements.
  for (let round = 0; round < 8; round++) {
    const key = `wq${round}`;
    const waiter = await RawClient.connect(srv.port);
    const id = String(await waiter.command("CLIENT", "ID"));
    waiter.sendCommand("bzpopmin", key, "0");
    const pusher = await RawClient.connect(srv.port);
    const blocked = async (): Promise<boolean> =>
      String(await pusher.command("CLIENT", "LIST")).split("\n").some((l) => l.startsWith(`id=${id} `) && / flags=b /.test(l));
    for (let i = 0; i < 500 && !(await blocked()); i++) await Bun.sleep(5); // bounded: 2.5 s
    expect(await blocked()).toBe(true);
    expect(await pusher.command("ZADD", key, "7", "m")).toBe(1);
    expect(await waiter.read(1, 5000)).toEqual([[key, "m", "7"]]);
    waiter.close();
    pusher.close();
  }
});

test("XREAD BLOCK waits on one worker for a stream of the other: `$` resolved at the owner, woken by its XADD", async () => {
  await using srv = await spawnServer(["--workers", "2", "--appendonly", "no"]);
  for (let round = 0; round < 6; round++) {
    const key = `st${round}`;
    const setup = await RawClient.connect(srv.port);
    expect(await setup.command("XADD", key, "1-1", "old", "x")).toBe("1-1");
    const waiter = await RawClient.connect(srv.port);
    const id = String(await waiter.command("CLIENT", "ID"));
    waiter.sendCommand("xread", "block", "0", "streams", key, "$");
    const blocked = async (): Promise<boolean> =>
      String(await setup.command("CLIENT", "LIST")).split("\n").some((l) => l.startsWith(`id=${id} `) && / flags=b /.test(l));
    for (let i = 0; i < 500 && !(await blocked()); i++) await Bun.sleep(5); // bounded: 2.5 s
    expect(await blocked()).toBe(true);
    expect(await setup.command("XADD", key, "2-1", "new", "y")).toBe("2-1");
    expect(await waiter.read(1, 5000)).toEqual([[[key, [["2-1", ["new", "y"]]]]]]);
    // An explicit ID older than the last entry is served at once, from the owner.
    expect(await waiter.command("XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", key, "0-0")).toEqual([[key, [["1-1", ["old", "x"]]]]]);
    waiter.close();
    setup.close();
  }
});

test("XREADGROUP BLOCK waits on one worker for a stream of the other", async () => {
  await using srv = await spawnServer(["--workers", "2", "--appendonly", "no"]);
  for (let round = 0; round < 6; round++) {
    const key = `gs${round}`;
    const setup = await RawClient.connect(srv.port);
    expect(await setup.command("XGROUP", "CREATE", key, "g", "$", "MKSTREAM")).toBe("OK");
    const waiter = await RawClient.connect(srv.port);
    const id = String(await waiter.command("CLIENT", "ID"));
    waiter.sendCommand("xreadgroup", "group", "g", "c1", "block", "0", "streams", key, ">");
    const blocked = async (): Promise<boolean> =>
      String(await setup.command("CLIENT", "LIST")).split("\n").some((l) => l.startsWith(`id=${id} `) && / flags=b /.test(l));
    for (let i = 0; i < 500 && !(await blocked()); i++) await Bun.sleep(5); // bounded: 2.5 s
    expect(await blocked()).toBe(true);
    expect(await setup.command("XADD", key, "5-1", "f", "v")).toBe("5-1");
    expect(await waiter.read(1, 5000)).toEqual([[[key, [["5-1", ["f", "v"]]]]]]);
    expect(await setup.command("XPENDING", key, "g")).toEqual([1, "5-1", "5-1", [["c1", "1"]]]);
    expect(await waiter.command("XREADGROUP", "GROUP", "nog", "c1", "BLOCK", "0", "STREAMS", key, ">")).toEqual({
      error: `NOGROUP No such key '${key}' or consumer group 'nog' in XREADGROUP with GROUP option`,
    });
    waiter.close();
    setup.close();
  }
});
