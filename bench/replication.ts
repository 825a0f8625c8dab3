// Replication benchmark (issue 16): fast-cache against redis-server 7.0.15, side by side in one run.
//   npm run bench:replication            (BENCH_QUICK=1 for a short run, BENCH_ONLY=fullsync for one section)
// 1. Primary SET throughput and primary CPU per request (/proc utime+stime of the primary's
//    process tree) under `redis-benchmark -t set -P 16 -n 200000 -c 50`, with no replica and with
//    one: fast-cache → fast-cache, redis → redis, and fast-cache → redis-server. The replica's
//    cost is the ratio with/without (target: ≤ 10 %). Configurations are interleaved over rounds
//    and the median taken, since this machine is shared. After each run with a replica, the
//    replica must reach the primary's offset and hold as many keys.
// 2. Full sync of 1M keys (16-byte keys, 32-byte values): REPLICAOF sent → the replica's INFO says
//    `master_link_status:up` (polled every 10 ms), fast-cache→fast-cache vs redis→redis.
// 3. Replica lag p50/p99 at ~50k writes/s (see bench/replication-lag.ts for the method).
import { loadavg } from "node:os";
import { type LagSamples, measureLag } from "./replication-lag.ts";
import { attachReplica, median, type Node, percentile, redisBenchmarkSet, type ServerKind, startNode, waitCaughtUp } from "./replication-tools.ts";
import { fmtNum, fmtRatio, printEnvironment, printTable, quickMode, sleep } from "./runner.ts";
import { loadKeys, RespClient, sampleProc } from "./server-tools.ts";

const N = quickMode ? 50_000 : 200_000;
const ROUNDS = quickMode ? 1 : 3;
const KEYSPACE = 100_000;
const SYNC_KEYS = quickMode ? 200_000 : 1_000_000;
const LAG_RATE = 50_000;
const LAG_MS = quickMode ? 2_000 : 3_000;

interface Setup {
  label: string;
  primary: ServerKind;
  replica?: ServerKind;
}

const SETUPS: readonly Setup[] = [
  { label: "fast-cache, no replica", primary: "fast-cache" },
  { label: "fast-cache → fast-cache", primary: "fast-cache", replica: "fast-cache" },
  { label: "fast-cache → redis", primary: "fast-cache", replica: "redis" },
  { label: "redis, no replica", primary: "redis" },
  { label: "redis → redis", primary: "redis", replica: "redis" },
];

interface RunFigures {
  rps: number;
  cpuUsPerReq: number;
  replicaCpuUsPerReq: number;
}

const problems: string[] = [];

/** Starts primary (and replica), attaches, runs redis-benchmark, checks the replica caught up. */
async function throughputRun(setup: Setup): Promise<RunFigures> {
  const primary = await startNode(setup.primary);
  let replica: Node | undefined;
  try {
    if (setup.replica) {
      replica = await startNode(setup.replica);
      await attachReplica(replica, primary, 30_000);
    }
    const p0 = sampleProc(primary.pid);
    const r0 = replica ? sampleProc(replica.pid) : undefined;
    const rps = await redisBenchmarkSet(primary.port, N, 16, KEYSPACE);
    const p1 = sampleProc(primary.pid);
    let replicaCpuUsPerReq = NaN;
    if (replica && r0) {
      const c = await waitCaughtUp(primary, replica);
      replicaCpuUsPerReq = ((sampleProc(replica.pid).cpuSec - r0.cpuSec) * 1e6) / N;
      if (!c.caughtUp || c.primaryKeys !== c.replicaKeys) {
        problems.push(`${setup.label}: after ${N} SETs the replica ${c.caughtUp ? "caught up" : "did NOT catch up within 30 s"}` +
          ` (primary master_repl_offset ${c.primaryOffset}, replica slave_repl_offset ${c.replicaOffset});` +
          ` DBSIZE primary ${c.primaryKeys}, replica ${c.replicaKeys}`);
      }
    }
    return { rps, cpuUsPerReq: ((p1.cpuSec - p0.cpuSec) * 1e6) / N, replicaCpuUsPerReq };
  } finally {
    await replica?.stop();
    await primary.stop();
  }
}

async function throughputSection(): Promise<string[][]> {
  const runs = new Map<string, RunFigures[]>(SETUPS.map((s) => [s.label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const setup of SETUPS) runs.get(setup.label)!.push(await throughputRun(setup));
  }
  const med = (label: string, f: keyof RunFigures): number => median(runs.get(label)!.map((r) => r[f]));
  const rows: string[][] = [];
  for (const setup of SETUPS) {
    const base = setup.primary === "redis" ? "redis, no replica" : "fast-cache, no replica";
    const rps = med(setup.label, "rps");
    const cpu = med(setup.label, "cpuUsPerReq");
    const repl = med(setup.label, "replicaCpuUsPerReq");
    const withReplica = setup.replica !== undefined;
    rows.push([
      setup.label,
      fmtNum(rps),
      withReplica ? fmtRatio(rps / med(base, "rps")) : "",
      cpu.toFixed(2),
      withReplica ? fmtRatio(cpu / med(base, "cpuUsPerReq")) : "",
      withReplica ? repl.toFixed(2) : "",
      runs.get(setup.label)!.map((r) => fmtNum(r.rps)).join(" / "),
    ]);
  }
  printTable(`1. SET -P 16 -c 50 -n ${fmtNum(N)} -r ${fmtNum(KEYSPACE)}, median of ${ROUNDS} interleaved rounds`,
    ["primary → replica", "rps", "rps vs none", "primary µs/req", "CPU vs none", "replica µs/req", "rps per round"], rows);
  return rows;
}

async function fullSyncRun(kind: ServerKind): Promise<{ ms: number; keys: number; maxPingMs: number }> {
  const primary = await startNode(kind);
  const replica = await startNode(kind);
  try {
    const load = await loadKeys(primary.port, SYNC_KEYS);
    if (load.errors > 0) problems.push(`full sync ${kind}: ${load.errors} errors while loading`);
    // The primary's longest PING round trip while the sync runs: how long its clients wait.
    let syncing = true;
    let maxPingMs = 0;
    const pinger = (async () => {
      const c = await RespClient.connect(primary.port);
      while (syncing) {
        const a = performance.now();
        await c.command(["PING"], 120_000);
        maxPingMs = Math.max(maxPingMs, performance.now() - a);
        await sleep(10);
      }
      c.close();
    })();
    const ms = await attachReplica(replica, primary, 120_000).finally(() => { syncing = false; });
    await pinger;
    const c = await waitCaughtUp(primary, replica);
    if (c.replicaKeys !== SYNC_KEYS || c.primaryKeys !== SYNC_KEYS) {
      problems.push(`full sync ${kind}→${kind}: DBSIZE primary ${c.primaryKeys}, replica ${c.replicaKeys} after link up (expected ${SYNC_KEYS})`);
    }
    return { ms, keys: c.replicaKeys, maxPingMs };
  } finally {
    await replica.stop();
    await primary.stop();
  }
}

async function fullSyncSection(): Promise<string[][]> {
  const ours = await fullSyncRun("fast-cache");
  const redis = await fullSyncRun("redis");
  const rows = [[`${fmtNum(SYNC_KEYS)} keys`, fmtNum(ours.ms), fmtNum(redis.ms), fmtRatio(ours.ms / redis.ms), `${fmtNum(ours.keys)} / ${fmtNum(redis.keys)}`,
    `${fmtNum(ours.maxPingMs)} / ${fmtNum(redis.maxPingMs)}`]];
  printTable("2. Full sync: REPLICAOF sent → master_link_status:up (ms)", ["keys", "fast-cache", "redis", "ratio", "replica DBSIZE (ours / redis)", "primary max PING ms (ours / redis)"], rows);
  return rows;
}

async function lagSection(): Promise<string[][]> {
  const pooled: Record<ServerKind, LagSamples[]> = { "fast-cache": [], redis: [] };
  const cpuPerWrite: Record<ServerKind, [number, number][]> = { "fast-cache": [], redis: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ["fast-cache", "redis"] as const) {
      const primary = await startNode(kind);
      const replica = await startNode(kind);
      try {
        await attachReplica(replica, primary, 30_000);
        const r0 = sampleProc(replica.pid).cpuSec;
        const p0 = sampleProc(primary.pid).cpuSec;
        const samples = await measureLag(primary.port, replica.port, LAG_RATE, LAG_MS);
        const writes = (samples.achievedRate * LAG_MS) / 1000;
        cpuPerWrite[kind].push([((sampleProc(primary.pid).cpuSec - p0) * 1e6) / writes, ((sampleProc(replica.pid).cpuSec - r0) * 1e6) / writes]);
        pooled[kind].push(samples);
      } finally {
        await replica.stop();
        await primary.stop();
      }
    }
  }
  const rows: string[][] = [];
  const figures: Record<string, number[]> = {};
  for (const kind of ["fast-cache", "redis"] as const) {
    const runs = pooled[kind];
    const all = (f: "lags" | "acks" | "afterAck"): number[] => runs.flatMap((r) => r[f]);
    const lags = all("lags");
    const f = [percentile(lags, 0.5), percentile(lags, 0.99), percentile(lags, 1), percentile(all("acks"), 0.99), percentile(all("afterAck"), 0.99)];
    const probes = runs.reduce((n, r) => n + r.probes, 0);
    const cpu = [median(cpuPerWrite[kind].map((c) => c[0])), median(cpuPerWrite[kind].map((c) => c[1]))];
    figures[kind] = [...f, ...cpu];
    rows.push([`${kind} → ${kind}`, runs.map((r) => fmtNum(r.achievedRate)).join(" / "), `${lags.length} / ${probes}`, ...figures[kind]!.map((x) => x.toFixed(2))]);
  }
  rows.push(["ratio (ours / redis)", "", "", ...figures["fast-cache"]!.map((x, i) => fmtRatio(x / figures["redis"]![i]!))]);
  printTable(`3. Replica lag at ${fmtNum(LAG_RATE)} SET/s, ${ROUNDS} interleaved runs of ${LAG_MS / 1000} s pooled (probe every 5 ms, GET loop on the replica)`,
    ["primary → replica", "writes/s acked per run", "probes seen", "p50 ms", "p99 ms", "max ms", "primary ack p99", "after-ack p99", "primary µs/write", "replica µs/write"], rows);
  return rows;
}

printEnvironment("Replication vs redis-server (issue 16)");
const startLoad = loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`date ${new Date().toISOString()}  load average at start ${startLoad}`);
const t0 = performance.now();
// BENCH_ONLY=throughput|fullsync|lag runs one section (comma-separated list for several).
const only = (process.env.BENCH_ONLY ?? "").split(",").filter((x) => x !== "");
const runs = (name: string): boolean => only.length === 0 || only.includes(name);
if (runs("throughput")) await throughputSection();
if (runs("fullsync")) await fullSyncSection();
if (runs("lag")) await lagSection();
console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ran ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (problems.length > 0) {
  console.log("\nPROBLEMS SEEN:");
  for (const p of problems) console.log(`- ${p}`);
  process.exitCode = 1;
}
