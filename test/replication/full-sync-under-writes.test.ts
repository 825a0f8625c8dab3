// A full sync written while clients keep writing (src/replication/sync-walk.ts): the primary
// (one worker) walks its keys between loop turns and streams the file as it goes, while a writer
// pipelines pushes, pops, deletes, re-creations, renames, moves, expiries, XADDs, a FLUSHDB and a
// SWAPDB over the same keys. Each replica — redis-server 7.0.15, and fast-cache with one and two
// workers — must end equal to the primary key by key, and the primary must answer PING meanwhile.
import { describe, expect, test } from "bun:test";
import { PipeClient, pipeline } from "../persistence/e2e-helpers.ts";
import { spawnServer } from "../support/server-process.ts";
import { imageOf, REDIS_SERVER, replInfo, rng, startRedis, until, writeAndWait } from "./helpers.ts";

if (REDIS_SERVER === null) console.log("skipping the redis-server replica of the full-sync-under-writes test: redis-server is not installed");

const STRINGS = 40_000;
const COLLECTIONS = 1_500;

function preload(): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < STRINGS; i++) out.push(i % 7 === 0 ? ["SET", `s:${i}`, `v${i}`, "EX", "3600"] : ["SET", `s:${i}`, `v${i}`]);
  for (let i = 0; i < COLLECTIONS; i++) {
    out.push(["RPUSH", `l:${i}`, "a", "b", "c", String(i)]);
    out.push(["HSET", `h:${i}`, "f", "1", "g", String(i)]);
    out.push(["SADD", `S:${i}`, "x", String(i)]);
    out.push(["ZADD", `z:${i}`, "1", "a", String(i), "b"]);
    if (i < 200) out.push(["XADD", `x:${i}`, "1-1", "f", "v"]);
  }
  out.push(["SELECT", "1"]);
  for (let i = 0; i < 3000; i++) out.push(["SET", `d1:${i}`, String(i)], ["RPUSH", `dl:${i % 300}`, String(i)]);
  out.push(["SELECT", "2"]);
  for (let i = 0; i < 500; i++) out.push(["SET", `d2:${i}`, String(i)]);
  return out;
}

/** A batch of writes over the preloaded keys; `n` is the batch number (FLUSHDB and SWAPDB once). */
function batch(r: () => number, n: number): string[][] {
  const int = (m: number): number => Math.floor(r() * m);
  const s = (): string => `s:${int(STRINGS)}`;
  const c = (p: string): string => `${p}:${int(COLLECTIONS)}`;
  const out: string[][] = [];
  if (n === 4) out.push(["SELECT", "1"], ["FLUSHDB"], ["SET", "d1:after-flush", "1"], ["RPUSH", "dl:0", "new"], ["SELECT", "0"]);
  if (n === 9) out.push(["SWAPDB", "1", "2"]);
  const gen: (() => string[])[] = [
    () => ["SET", s(), `w${int(1000)}`],
    () => ["DEL", s()],
    () => ["INCR", s()],
    () => ["EXPIRE", s(), "5000"],
    () => ["RENAME", s(), s()],
    () => ["MOVE", s(), "3"],
    () => ["LPUSH", c("l"), `p${int(100)}`],
    () => ["RPUSH", c("l"), `q${int(100)}`, "r"],
    () => ["LPOP", c("l")],
    () => ["RPOP", c("l"), "2"],
    () => ["DEL", c("l")],
    () => ["HSET", c("h"), `f${int(5)}`, String(int(100))],
    () => ["HINCRBY", c("h"), "n", "1"],
    () => ["HDEL", c("h"), "f"],
    () => ["SADD", c("S"), `m${int(10)}`],
    () => ["SPOP", c("S")],
    () => ["ZADD", c("z"), String(int(100)), `m${int(10)}`],
    () => ["ZINCRBY", c("z"), "1.5", "a"],
    () => ["XADD", `x:${int(200)}`, "*", "f", String(int(100))],
    () => ["XTRIM", `x:${int(200)}`, "MAXLEN", "3"],
  ];
  for (let i = 0; i < 300; i++) out.push(gen[int(gen.length)]!());
  return out;
}

interface SyncRun {
  batches: number;
  batchesDuringSync: number;
  worstPingMs: number;
}

/** Writes (and PINGs) on `port` until `linkUp()` holds, then a little longer. */
async function writeUntil(port: number, linkUp: () => Promise<boolean>, seed: number): Promise<SyncRun> {
  const r = rng(seed);
  const writer = await PipeClient.connect(port);
  const pinger = await PipeClient.connect(port);
  const run: SyncRun = { batches: 0, batchesDuringSync: 0, worstPingMs: 0 };
  const deadline = Date.now() + 60_000;
  let upAt = 0;
  try {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      await pinger.command("PING");
      run.worstPingMs = Math.max(run.worstPingMs, performance.now() - t0);
      for (const argv of batch(r, run.batches)) writer.send(...argv);
      await writer.settle(30_000);
      run.batches++;
      if (upAt === 0) {
        if (await linkUp()) upAt = Date.now();
        else run.batchesDuringSync++;
      } else if (Date.now() - upAt > 300) {
        return run;
      }
    }
    throw new Error("the replica's link did not come up within 60 s of writes");
  } finally {
    writer.close();
    pinger.close();
  }
}

async function checkReplica(primaryPort: number, replicaPort: number, run: SyncRun, label: string): Promise<void> {
  console.log(`${label}: ${run.batches} write batches of 300, ${run.batchesDuringSync} before the link was up; worst PING on the primary ${run.worstPingMs.toFixed(1)} ms`);
  expect(await writeAndWait(primaryPort, [["SET", "fence", label]], 1, 20_000)).toBe(1);
  const [ours, theirs] = [await imageOf(primaryPort), await imageOf(replicaPort)];
  expect(theirs.length).toBe(ours.length);
  expect(theirs).toEqual(ours);
}

describe("a full sync written while clients write", () => {
  const load = preload();

  test.skipIf(REDIS_SERVER === null)("a redis-server replica ends equal to a one-worker primary", async () => {
    await using primary = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    await pipeline(primary.port, load);
    const replica = await startRedis(["--replicaof", "127.0.0.1", String(primary.port)]);
    try {
      const up = async (): Promise<boolean> => (await replInfo(replica.port, "master_link_status")) === "up";
      const run = await writeUntil(primary.port, up, 101);
      await checkReplica(primary.port, replica.port, run, "redis-server replica");
    } finally {
      await replica.stop();
    }
  }, 120_000);

  for (const workers of ["1", "2"]) {
    test(`a fast-cache replica (${workers} worker${workers === "1" ? "" : "s"}) ends equal to a one-worker primary`, async () => {
      await using primary = await spawnServer(["--workers", "1", "--appendonly", "no"]);
      await pipeline(primary.port, load);
      await using replica = await spawnServer(["--workers", workers, "--appendonly", "no", "--replicaof", `127.0.0.1 ${primary.port}`]);
      const up = async (): Promise<boolean> => (await replInfo(replica.port, "master_link_status")) === "up";
      const run = await writeUntil(primary.port, up, 200 + Number(workers));
      await until(up, 20_000, "the link to stay up");
      await checkReplica(primary.port, replica.port, run, `fast-cache replica, ${workers} worker(s)`);
    }, 120_000);
  }
});
