// Persistence benchmark: fast-cache-server against `redis-server --appendonly yes`.
//   bun run bench:persistence            (BENCH_QUICK=1 for a short run)
// 1. SET throughput and server CPU per request, redis-benchmark -c 50 -P 1 and -P 16, under
//    appendfsync always / everysec / no; for us also fsyncs per second and writes per fsync.
// 2. Restart time with 1M keys (16-byte keys, 32-byte values): ours from the WAL alone and from a
//    snapshot, Redis from its AOF and from its RDB (spawn until DBSIZE answers 1M).
// 3. On-disk bytes per key for the same four.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fmtNum, freePort, printTable, quickMode, sleep } from "./runner.ts";
import { haveRedis, info, loadKeys, RespClient, sampleProc } from "./server-tools.ts";

const ROOT = resolve(import.meta.dir, "..");
const N = quickMode ? 50_000 : 200_000;
const N_ALWAYS_P1 = quickMode ? 20_000 : 60_000;
const KEYS = quickMode ? 200_000 : 1_000_000;
const POLICIES = ["always", "everysec", "no"] as const;

interface Running {
  name: string;
  port: number;
  pid: number;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  stop(): Promise<void>;
}

const singleWorker = (() => {
  const help = Bun.spawnSync([process.execPath, "src/cli.ts", "--help"], { cwd: ROOT }).stdout.toString();
  return help.includes("--workers") ? ["--workers", "1"] : [];
})();

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (!e.name.endsWith(".lock")) n += statSync(p).size;
  }
  return n;
}

async function dbsize(port: number): Promise<number> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.command(["DBSIZE"]);
    return typeof r === "number" ? r : -1;
  } finally {
    c.close();
  }
}

/** Spawns a server and waits until DBSIZE answers `expectKeys` (a restart is measured this way). */
async function spawn(name: string, cmd: string[], port: number, dir: string, expectKeys = 0): Promise<Running & { startMs: number }> {
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { cwd: name === "redis" ? dir : ROOT, stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${name} did not come up`);
    try {
      if ((await dbsize(port)) === expectKeys) break;
    } catch {
      // not listening yet, or -LOADING
    }
    await sleep(5);
  }
  const startMs = performance.now() - t0;
  return {
    name, port, pid: proc.pid, dir, proc, startMs,
    async stop() {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

function redisCmd(port: number, dir: string, policy: string, appendonly = true): string[] {
  return ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", appendonly ? "yes" : "no",
    "--appendfsync", policy, "--daemonize", "no", "--dbfilename", "dump.rdb"];
}

function oursCmd(port: number, dir: string, policy: string): string[] {
  return [process.execPath, "src/cli.ts", "--port", String(port), "--dir", dir, "--appendfsync", policy, "--snapshot-every-seconds", "0", ...singleWorker];
}

async function redisBenchmark(port: number, pipeline: number, n: number): Promise<number> {
  const p = Bun.spawn(["redis-benchmark", "-p", String(port), "-c", "50", "-P", String(pipeline), "-t", "set", "-n", String(n), "-r", "1000000", "--csv"], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  const line = out.split("\n").find((l) => l.startsWith('"SET"'));
  return line ? Number(line.split(",")[1]!.replaceAll('"', "")) : NaN;
}

const tmp = (tag: string): string => mkdtempSync(join(tmpdir(), `fc-bench-${tag}-`));

async function throughput(): Promise<void> {
  const rows: string[][] = [];
  for (const policy of POLICIES) {
    for (const pipeline of [1, 16]) {
      const n = policy === "always" && pipeline === 1 ? N_ALWAYS_P1 : N;
      const res: Record<string, { rps: number; cpuUs: number; fsyncs?: number; secs?: number }> = {};
      for (const name of ["redis", "fast-cache"] as const) {
        const dir = tmp(name);
        const port = freePort();
        const srv = await spawn(name, name === "redis" ? redisCmd(port, dir, policy) : oursCmd(port, dir, policy), port, dir);
        try {
          const before = sampleProc(srv.pid);
          const i0 = name === "fast-cache" ? await info(port, "persistence") : undefined;
          const t0 = performance.now();
          const rps = await redisBenchmark(port, pipeline, n);
          const secs = (performance.now() - t0) / 1000;
          const after = sampleProc(srv.pid);
          const r: (typeof res)[string] = { rps, cpuUs: ((after.cpuSec - before.cpuSec) * 1e6) / n };
          if (i0 !== undefined) {
            const i1 = await info(port, "persistence");
            r.fsyncs = Number(i1.get("wal_fsync_count")) - Number(i0.get("wal_fsync_count"));
            r.secs = secs;
          }
          res[name] = r;
        } finally {
          await srv.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const r = res["redis"]!;
      const o = res["fast-cache"]!;
      rows.push([
        policy, `-P ${pipeline}`, fmtNum(r.rps), fmtNum(o.rps), `${(o.rps / r.rps).toFixed(2)}x`,
        r.cpuUs.toFixed(1), o.cpuUs.toFixed(1),
        o.fsyncs !== undefined && o.secs ? fmtNum(o.fsyncs / o.secs) : "-",
        o.fsyncs ? fmtNum(n / o.fsyncs, 1) : "-",
      ]);
      console.error(`done ${policy} -P ${pipeline}`);
    }
  }
  printTable(`SET throughput, redis-benchmark -c 50 -r 1000000 (-n ${N}; ${N_ALWAYS_P1} for always -P 1)`,
    ["appendfsync", "pipeline", "redis req/s", "fast-cache req/s", "ratio", "redis CPU µs/req", "fast-cache CPU µs/req", "fsyncs/s (ours)", "writes/fsync (ours)"], rows);
}

async function restartAndSize(): Promise<void> {
  const rows: string[][] = [];
  // ours: load, stop, restart from the WAL; then SAVE, stop, restart from the snapshot
  {
    const dir = tmp("ours-restart");
    const port = freePort();
    let srv = await spawn("fast-cache", oursCmd(port, dir, "everysec"), port, dir);
    await loadKeys(port, KEYS);
    await srv.stop();
    const walBytes = dirBytes(dir);
    srv = await spawn("fast-cache", oursCmd(port, dir, "everysec"), port, dir, KEYS);
    rows.push(["fast-cache", "WAL only", fmtNum(srv.startMs), (walBytes / KEYS).toFixed(1)]);
    const c = await RespClient.connect(port);
    await c.command(["SAVE"]);
    c.close();
    await srv.stop();
    const snapBytes = dirBytes(dir);
    srv = await spawn("fast-cache", oursCmd(port, dir, "everysec"), port, dir, KEYS);
    rows.push(["fast-cache", "snapshot (zstd)", fmtNum(srv.startMs), (snapBytes / KEYS).toFixed(1)]);
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // redis: AOF, then RDB
  {
    const dir = tmp("redis-restart");
    const port = freePort();
    let srv = await spawn("redis", redisCmd(port, dir, "everysec"), port, dir);
    await loadKeys(port, KEYS);
    await srv.stop();
    const aofBytes = dirBytes(join(dir, "appendonlydir"));
    srv = await spawn("redis", redisCmd(port, dir, "everysec"), port, dir, KEYS);
    rows.push(["redis", "AOF", fmtNum(srv.startMs), (aofBytes / KEYS).toFixed(1)]);
    const c = await RespClient.connect(port);
    await c.command(["SAVE"]);
    c.close();
    await srv.stop();
    rmSync(join(dir, "appendonlydir"), { recursive: true, force: true });
    const rdbBytes = statSync(join(dir, "dump.rdb")).size;
    srv = await spawn("redis", redisCmd(port, dir, "everysec", false), port, dir, KEYS);
    rows.push(["redis", "RDB", fmtNum(srv.startMs), (rdbBytes / KEYS).toFixed(1)]);
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(`Restart with ${fmtNum(KEYS)} keys (16-byte keys, 32-byte values): spawn until DBSIZE = ${fmtNum(KEYS)}`,
    ["server", "loads from", "restart ms", "on-disk bytes/key"], rows);
}

if (!haveRedis() || Bun.which("redis-benchmark") === null) {
  console.log("redis-server and redis-benchmark are needed for this benchmark");
} else {
  await throughput();
  await restartAndSize();
}
