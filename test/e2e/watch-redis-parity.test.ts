// WATCH/UNWATCH against redis-server 7.0.15: the same multi-connection scripts on both servers
// (one worker here), RESP2 and RESP3, every reply identical: EXEC fails after another client's
// write, the client's own write before MULTI, a delete, a hash change, FLUSHALL, SWAPDB, EXPIRE 0;
// it runs after UNWATCH, DISCARD, a failed SET NX, a write in another database, a watch of a
// missing key left missing; WATCH inside MULTI is refused. With two workers keys of either worker
// are watched (the owner reports changes, src/cluster/key-interest.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runBlockingScript, type Step } from "../support/blocking-script.ts";
import { REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";
import { RawClient, spawnServer, type ServerProcess } from "../support/server-process.ts";

const tx = (c: number, ...cmds: string[][]): Step[] => [{ c, argv: ["multi"] }, ...cmds.map((argv) => ({ c, argv })), { c, argv: ["exec"] }];

const SCRIPTS: { name: string; steps: Step[] }[] = [
  { name: "another client's write fails EXEC", steps: [{ c: 0, argv: ["flushall"] }, { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["set", "k", "2"] }, ...tx(0, ["incr", "k"]), { c: 0, argv: ["get", "k"] }] },
  { name: "no change: EXEC runs", steps: [{ c: 0, argv: ["flushall"] }, { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["get", "k"] }, ...tx(0, ["incr", "k"])] },
  { name: "the client's own write before MULTI fails EXEC", steps: [{ c: 0, argv: ["flushall"] }, { c: 0, argv: ["watch", "k"] }, { c: 0, argv: ["set", "k", "own"] }, ...tx(0, ["get", "k"])] },
  { name: "a missing key written by another fails EXEC; left missing it runs", steps: [{ c: 0, argv: ["flushall"] }, { c: 0, argv: ["watch", "a", "b"] }, { c: 1, argv: ["set", "a", "x"] }, ...tx(0, ["get", "a"]), { c: 0, argv: ["watch", "b"] }, ...tx(0, ["get", "b"])] },
  { name: "deletes, hashes, lists and EXPIRE 0 count as changes", steps: [
    { c: 0, argv: ["flushall"] }, { c: 0, argv: ["hset", "h", "f", "1"] }, { c: 0, argv: ["rpush", "l", "a"] }, { c: 0, argv: ["set", "d", "1"] }, { c: 0, argv: ["set", "e", "1"] },
    { c: 0, argv: ["watch", "h"] }, { c: 1, argv: ["hset", "h", "g", "2"] }, ...tx(0, ["hlen", "h"]),
    { c: 0, argv: ["watch", "l"] }, { c: 1, argv: ["rpop", "l"] }, ...tx(0, ["llen", "l"]),
    { c: 0, argv: ["watch", "d"] }, { c: 1, argv: ["del", "d"] }, ...tx(0, ["exists", "d"]),
    { c: 0, argv: ["watch", "e"] }, { c: 1, argv: ["expire", "e", "0"] }, ...tx(0, ["exists", "e"]),
  ] },
  { name: "FLUSHALL and SWAPDB fail EXEC; a write in another database does not", steps: [
    { c: 0, argv: ["flushall"] }, { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["flushall"] }, ...tx(0, ["get", "k"]),
    { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["swapdb", "0", "1"] }, ...tx(0, ["get", "k"]),
    { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["select", "3"] }, { c: 1, argv: ["set", "k", "other db"] }, ...tx(0, ["get", "k"]),
  ] },
  { name: "UNWATCH and DISCARD forget; a failed SET NX is no change", steps: [
    { c: 0, argv: ["flushall"] }, { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["watch", "k"] }, { c: 0, argv: ["unwatch"] }, { c: 1, argv: ["set", "k", "2"] }, ...tx(0, ["get", "k"]),
    { c: 0, argv: ["watch", "k"] }, { c: 0, argv: ["multi"] }, { c: 0, argv: ["discard"] }, { c: 1, argv: ["set", "k", "3"] }, ...tx(0, ["get", "k"]),
    { c: 0, argv: ["watch", "k"] }, { c: 1, argv: ["set", "k", "4", "nx"] }, ...tx(0, ["get", "k"]),
  ] },
  { name: "WATCH inside MULTI is refused and does not abort; EXEC without MULTI keeps nothing", steps: [
    { c: 0, argv: ["flushall"] }, { c: 0, argv: ["multi"] }, { c: 0, argv: ["watch", "k"] }, { c: 0, argv: ["set", "k", "1"] }, { c: 0, argv: ["exec"] },
    { c: 0, argv: ["watch"] }, { c: 0, argv: ["unwatch", "x"] }, { c: 0, argv: ["exec"] },
  ] },
];

let pair: ParityPair | undefined;
let oneWorker: ServerProcess | undefined;
beforeAll(async () => {
  if (!REDIS_SERVER) return console.log("notice: redis-server not installed; skipping the WATCH parity test");
  pair = await startParityPair();
  oneWorker = await spawnServer(["--workers", "1"]);
});
afterAll(async () => {
  await pair?.stop();
  await oneWorker?.stop();
});

describe.skipIf(!REDIS_SERVER)("WATCH matches redis-server 7.0.15", () => {
  for (const s of SCRIPTS) {
    test.each([2, 3] as const)(`${s.name} (RESP%d)`, async (resp) => {
      const want = await runBlockingScript(pair!.redisPort, resp, 2, s.steps);
      const got = await runBlockingScript(oneWorker!.port, resp, 2, s.steps);
      expect(got).toEqual(want);
    });
  }
});

test("two workers: keys of either worker are watched; a change of any aborts EXEC", async () => {
  await using srv = await spawnServer(["--workers", "2", "--appendonly", "no"]);
  const c = await RawClient.connect(srv.port);
  const other = await RawClient.connect(srv.port);
  const keys = Array.from({ length: 12 }, (_, i) => `w${i}`);
  const replies = [];
  for (const k of keys) replies.push(await c.command("WATCH", k));
  expect(replies).toEqual(keys.map(() => "OK"));
  expect(await c.command("MULTI")).toBe("OK");
  expect(await c.command("PING")).toBe("QUEUED");
  expect(await c.command("EXEC")).toEqual(["PONG"]);
  for (const k of keys) {
    expect(await c.command("WATCH", ...keys)).toBe("OK");
    expect(await other.command("SET", k, "changed")).toBe("OK");
    expect(await c.command("MULTI")).toBe("OK");
    expect(await c.command("PING")).toBe("QUEUED");
    expect(await c.command("EXEC")).toBeNull();
  }
  c.close();
  other.close();
});

describe.skipIf(!REDIS_SERVER)("WAIT and ROLE with no replicas match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    const steps: Step[] = [
      { c: 0, argv: ["wait", "0", "0"] }, { c: 0, argv: ["wait", "1", "20"] }, { c: 0, argv: ["wait", "x", "0"] }, { c: 0, argv: ["wait", "0", "-1"] },
      { c: 0, argv: ["wait", "-1", "0"] }, { c: 0, argv: ["role"] }, { c: 0, argv: ["multi"] }, { c: 0, argv: ["wait", "1", "0"] }, { c: 0, argv: ["exec"] },
      { c: 1, argv: ["wait", "1", "0"], blocks: true }, { c: 0, argv: ["client", "unblock", "$ID1"] },
    ];
    // ROLE's replication offset counts each server's own stream bytes: compared as "an integer".
    const offsetFree = (rs: unknown[]): unknown[] => rs.map((r) => (Array.isArray(r) && r[0] === "master" && typeof r[1] === "number" ? ["master", "<offset>", r[2]] : r));
    const want = offsetFree(await runBlockingScript(pair!.redisPort, resp, 2, steps));
    const got = offsetFree(await runBlockingScript(oneWorker!.port, resp, 2, steps));
    expect(got).toEqual(want);
  });
});

describe.skipIf(!REDIS_SERVER)("CLIENT PAUSE / UNPAUSE match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("WRITE holds writes (and what follows them) until UNPAUSE; reads go on (RESP%d)", async (resp) => {
    const steps: Step[] = [
      { c: 0, argv: ["flushall"] }, { c: 0, argv: ["client", "pause"] }, { c: 0, argv: ["client", "pause", "x"] }, { c: 0, argv: ["client", "pause", "-1"] },
      { c: 0, argv: ["client", "pause", "10", "foo"] }, { c: 0, argv: ["client", "pause", "100000", "write"] },
      { c: 1, argv: ["get", "k"] }, { c: 1, argv: ["set", "k", "v"], blocks: true }, { c: 2, argv: ["eval", "return 1", "0"], blocks: true },
      { c: 0, argv: ["get", "k"] }, { c: 0, argv: ["client", "unpause"] }, { c: 0, argv: ["get", "k"] }, { c: 1, argv: ["get", "k"] },
      { c: 0, argv: ["client", "pause", "20", "all"] }, { c: 1, argv: ["get", "k"] }, { c: 0, argv: ["client", "unpause", "x"] },
    ];
    const want = await runBlockingScript(pair!.redisPort, resp, 3, steps);
    const got = await runBlockingScript(oneWorker!.port, resp, 3, steps);
    expect(got).toEqual(want);
  });
});
