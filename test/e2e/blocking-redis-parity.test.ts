// Blocking list commands against redis-server 7.0.15: the same scripts run on both servers over
// RESP2 and RESP3 and every reply must be identical. One-connection scripts cover the argument
// errors, the commands served at once and MULTI; the multi-connection scripts cover wake-ups
// (FIFO order, after the pushing command or EXEC, BLMOVE chains, type changes, CLIENT UNBLOCK,
// pipelined commands behind a blocked one). The one-connection script runs on our server with two
// workers (spawnServer's default for tests; keys on either worker); the multi-connection scripts
// on one worker, where a wake-up happens before the pushing command's reply as in Redis (across
// workers it happens one round trip later: test/e2e/blocking-workers.test.ts). No timing is
// asserted: timeouts used here are either served or ended by CLIENT UNBLOCK. Skipped when
// redis-server is not installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runBlockingScript, type Step } from "../support/blocking-script.ts";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { spawnServer, type ServerProcess } from "../support/server-process.ts";

const SCRIPT: string[][] = [
  ["#flush"], ["blpop", "k", "x"], ["blpop", "k", "-1"], ["blpop", "k", "1e400"], ["blpop", "k", "inf"], ["blpop", "k", "nan"],
  ["blpop", "k", " 1"], ["blpop", "k", "1.5abc"], ["blpop", "k", ""], ["brpop", "k", "-0.5"], ["blpop", "1"], ["brpop"],
  ["set", "s", "v"], ["blpop", "s", "k", "0"], ["blpop", "k", "s", "0"], ["brpop", "s", "0"], ["rpush", "k", "a", "b", "c"], ["blpop", "k", "s", "0"],
  ["brpop", "nokey", "k", "0.5"], ["blpop", "s", "k", "0"], ["lrange", "k", "0", "-1"], ["blpop", "k", "0"], ["exists", "k"],
  ["rpush", "src", "1", "2", "3"], ["blmove", "src", "dst", "left", "right", "0"], ["blmove", "src", "dst", "RIGHT", "LEFT", "0.01"],
  ["lrange", "dst", "0", "-1"], ["blmove", "src", "dst", "up", "left", "0"], ["blmove", "src", "dst", "left", "left", "x"],
  ["blmove", "src", "dst", "left", "left", "-1"], ["blmove", "s", "dst", "left", "left", "0"], ["blmove", "src", "s", "left", "left", "0"],
  ["lrange", "src", "0", "-1"], ["brpoplpush", "src", "dst", "0"], ["brpoplpush", "src", "dst", "x"], ["brpoplpush", "src", "dst", "-1"],
  ["brpoplpush", "s", "dst", "0"], ["brpoplpush", "dst", "s", "0"], ["brpoplpush", "dst", "dst", "0"], ["lrange", "dst", "0", "-1"],
  ["brpoplpush", "a"], ["blmove", "a", "b", "left", "left"],
  ["rpush", "m", "1", "2", "3", "4"], ["blmpop", "0", "2", "nokey", "m", "left"], ["blmpop", "0", "2", "nokey", "m", "right", "count", "2"],
  ["blmpop", "0", "1", "m", "left", "count", "10"], ["exists", "m"], ["blmpop", "x", "1", "m", "left"], ["blmpop", "-1", "1", "m", "left"],
  ["blmpop", "0", "0", "m", "left"], ["blmpop", "0", "x", "m", "left"], ["blmpop", "0", "5", "m", "left"], ["blmpop", "0", "1", "m", "up"],
  ["blmpop", "0", "1", "m", "left", "count", "0"], ["blmpop", "0", "1", "m", "left", "count"], ["blmpop", "0", "1", "m", "left", "count", "1", "count", "1"],
  ["blmpop", "0", "1", "m", "left", "foo"], ["blmpop", "0", "1", "s", "left"], ["blmpop", "0", "2", "nokey", "s", "left"], ["blmpop", "0"],
  ["multi"], ["blpop", "z", "0"], ["brpop", "z", "1"], ["brpoplpush", "z", "d", "0"], ["blmove", "z", "d", "left", "left", "0"],
  ["blmpop", "0", "1", "z", "left"], ["blpop", "z", "x"], ["blpop", "s", "0"], ["exec"],
  ["multi"], ["rpush", "z", "v"], ["blpop", "z", "0"], ["blpop", "z", "0"], ["exec"],
  ["client", "unblock", "999999"], ["client", "unblock", "999999", "error"], ["client", "unblock", "1", "foo"], ["client", "unblock", "x"],
  ["client", "unblock", "1", "timeout", "extra"],
];

/** `$IDn` is connection n's id. Every blocking step is ended by a later step. */
const MULTI: { name: string; clients: number; steps: Step[] }[] = [
  {
    name: "three waiters on one key are served in the order they blocked by one RPUSH",
    clients: 4,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 2, argv: ["brpop", "q", "0"], blocks: true },
      { c: 3, argv: ["blmpop", "0", "1", "q", "left", "count", "2"], blocks: true },
      { c: 0, argv: ["rpush", "q", "a", "b", "c", "d"] },
      { c: 0, argv: ["lrange", "q", "0", "-1"] },
    ],
  },
  {
    name: "a push and a pop in one transaction wake no one; the next push after EXEC does",
    clients: 2,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 0, argv: ["multi"] },
      { c: 0, argv: ["lpush", "q", "x"] },
      { c: 0, argv: ["lpop", "q"] },
      { c: 0, argv: ["exec"] },
      { c: 0, argv: ["multi"] },
      { c: 0, argv: ["lpush", "q", "y", "z"] },
      { c: 0, argv: ["llen", "q"] },
      { c: 0, argv: ["exec"] },
      { c: 0, argv: ["lrange", "q", "0", "-1"] },
    ],
  },
  {
    name: "BLMOVE's push wakes a waiter on its destination",
    clients: 3,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blmove", "src", "dst", "left", "right", "0"], blocks: true },
      { c: 2, argv: ["blpop", "dst", "0"], blocks: true },
      { c: 0, argv: ["rpush", "src", "x"] },
      { c: 0, argv: ["exists", "src", "dst"] },
      { c: 1, argv: ["brpoplpush", "a", "b", "0"], blocks: true },
      { c: 2, argv: ["brpoplpush", "b", "c", "0"], blocks: true },
      { c: 0, argv: ["lpush", "a", "1"] },
      { c: 0, argv: ["lrange", "c", "0", "-1"] },
    ],
  },
  {
    name: "a key of another type keeps the client waiting; a destination of another type answers WRONGTYPE",
    clients: 2,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 0, argv: ["set", "q", "str"] },
      { c: 0, argv: ["del", "q"] },
      { c: 0, argv: ["rpush", "q", "v"] },
      { c: 0, argv: ["set", "s", "str"] },
      { c: 1, argv: ["blmove", "z", "s", "left", "left", "0"], blocks: true },
      { c: 0, argv: ["rpush", "z", "a"] },
      { c: 0, argv: ["lrange", "z", "0", "-1"] },
    ],
  },
  {
    name: "CLIENT UNBLOCK ends a wait with the timeout reply or the UNBLOCKED error",
    clients: 2,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 0, argv: ["client", "unblock", "$ID1"] },
      { c: 1, argv: ["blmove", "q", "d", "left", "left", "100"], blocks: true },
      { c: 0, argv: ["client", "unblock", "$ID1", "timeout"] },
      { c: 1, argv: ["blmpop", "0", "1", "q", "left"], blocks: true },
      { c: 0, argv: ["client", "unblock", "$ID1", "ERROR"] },
      { c: 0, argv: ["client", "unblock", "$ID1", "error"] },
      { c: 1, argv: ["brpoplpush", "q", "d", "0"], blocks: true },
      { c: 0, argv: ["client", "unblock", "$ID1", "error"] },
      { c: 0, argv: ["client", "unblock", "$ID0"] },
    ],
  },
  {
    name: "a blocked client's pipelined commands wait behind it, in order",
    clients: 2,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 1, argv: ["rpush", "q", "mine"], blocks: true },
      { c: 1, argv: ["lpop", "q"], blocks: true },
      { c: 0, argv: ["llen", "q"] },
      { c: 0, argv: ["rpush", "q", "first"] },
      { c: 0, argv: ["llen", "q"] },
    ],
  },
  {
    name: "waiters wait in their database: SELECT, MOVE into it and SWAPDB wake them",
    clients: 3,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["select", "1"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 2, argv: ["blpop", "q", "0"], blocks: true },
      { c: 0, argv: ["rpush", "q", "a"] },
      { c: 0, argv: ["rpush", "q", "b"] },
      { c: 0, argv: ["move", "q", "1"] },
      { c: 1, argv: ["blpop", "w", "0"], blocks: true },
      { c: 0, argv: ["rpush", "w", "z", "y"] },
      { c: 0, argv: ["swapdb", "0", "1"] },
      { c: 0, argv: ["lrange", "w", "0", "-1"] },
      { c: 0, argv: ["select", "1"] },
      { c: 0, argv: ["lrange", "w", "0", "-1"] },
    ],
  },
  {
    name: "a script's pushes wake waiters once it ran; inside a script nothing blocks",
    clients: 2,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 0, argv: ["eval", "redis.call('rpush', KEYS[1], 'a', 'b'); return redis.call('lpop', KEYS[1])", "1", "q"] },
      { c: 0, argv: ["eval", "return redis.call('blmpop', '0', '1', KEYS[1], 'left')", "1", "q"] },
      { c: 0, argv: ["eval", "return redis.pcall('blpop', KEYS[1], '0')", "1", "q"] },
      { c: 0, argv: ["eval", "return redis.pcall('blmove', KEYS[1], KEYS[1], 'left', 'left', '0')", "1", "q"] },
      { c: 0, argv: ["exists", "q"] },
    ],
  },
  {
    name: "a waiter that disconnected takes nothing",
    clients: 3,
    steps: [
      { c: 0, argv: ["flushall"] },
      { c: 1, argv: ["blpop", "q", "0"], blocks: true },
      { c: 2, argv: ["blpop", "q", "0"], blocks: true },
      { c: 1, argv: [], close: true },
      { c: 0, argv: ["rpush", "q", "a", "b"] },
      { c: 0, argv: ["lrange", "q", "0", "-1"] },
    ],
  },
];

let pair: ParityPair | undefined;
let oneWorker: ServerProcess | undefined;
beforeAll(async () => {
  if (!REDIS_SERVER) return console.log("notice: redis-server not installed; skipping the blocking parity test");
  pair = await startParityPair();
  oneWorker = await spawnServer(["--workers", "1"]);
});
afterAll(async () => {
  await pair?.stop();
  await oneWorker?.stop();
});

describe.skipIf(!REDIS_SERVER)("blocking list commands match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("one connection: errors, immediate serves and MULTI over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });

  for (const s of MULTI) {
    test.each([2, 3] as const)(`${s.name} (RESP%d)`, async (resp) => {
      const want = await runBlockingScript(pair!.redisPort, resp, s.clients, s.steps);
      const got = await runBlockingScript(oneWorker!.port, resp, s.clients, s.steps);
      expect(want).not.toContain("(still blocked)");
      expect(got).toEqual(want);
    });
  }
});
