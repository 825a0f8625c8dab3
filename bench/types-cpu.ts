// Server CPU µs per request for single collection commands at -P 16: fast-cache vs redis-server.
//
//   bun bench/types-cpu.ts [--n 200000] [--only HSET,SADD] [--prof <dir>]
//
// Each command runs against a fresh server of each kind (no persistence, one worker); the key set
// is prepared first where the command reads (HGET, SISMEMBER, ZSCORE, LPOP), then one warm-up run
// of the command itself, then the measured run. --prof starts fast-cache with Bun's --cpu-prof
// (100 µs sampling) into <dir>, one profile per command.
import { fmtRatio, freePort, printTable } from "./runner.ts";
import { type ServerProcess, haveRedis, sampleProc, startFastCache, startRedis } from "./server-tools.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg("--n") ?? 200_000);
const PROF = arg("--prof");

/** Command name -> [setup args for redis-benchmark (or null), measured args]. */
const CASES: Record<string, [string[] | null, string[]]> = {
  SET: [null, ["SET", "key:__rand_int__", "xxx"]],
  HSET: [null, ["HSET", "h", "f:__rand_int__", "v"]],
  HGET: [["HSET", "h", "f:__rand_int__", "v"], ["HGET", "h", "f:__rand_int__"]],
  SADD: [null, ["SADD", "s", "m:__rand_int__"]],
  SISMEMBER: [["SADD", "s", "m:__rand_int__"], ["SISMEMBER", "s", "m:__rand_int__"]],
  LPUSH: [null, ["LPUSH", "l", "xxx"]],
  RPUSH: [null, ["RPUSH", "l", "xxx"]],
  LPOP: [["RPUSH", "l", "xxx"], ["LPOP", "l"]],
  ZADD: [null, ["ZADD", "z", "__rand_int__", "m:__rand_int__"]],
  ZSCORE: [["ZADD", "z", "__rand_int__", "m:__rand_int__"], ["ZSCORE", "z", "m:__rand_int__"]],
};
const only = arg("--only")?.toUpperCase().split(",") ?? Object.keys(CASES);

async function run(port: number, args: string[], n: number): Promise<void> {
  const proc = Bun.spawn(["redis-benchmark", "-p", String(port), "-n", String(n), "-c", "50", "-P", "16", "-r", "100000", "-q", ...args],
    { stdout: "ignore", stderr: "ignore" });
  await proc.exited;
}

async function measure(server: ServerProcess, name: string): Promise<number> {
  const [setup, args] = CASES[name]!;
  if (setup) await run(server.port, setup, name === "LPOP" ? N * 3 : 200_000);
  await run(server.port, args, N); // warm-up: the JIT has compiled the path before we count
  const before = sampleProc(server.pid).cpuSec;
  await run(server.port, args, N);
  return ((sampleProc(server.pid).cpuSec - before) * 1e6) / N;
}

if (!haveRedis()) throw new Error("redis-server must be on PATH");
const rows: string[][] = [];
for (const name of only) {
  const prof = PROF ? ["--cpu-prof", "--cpu-prof-interval=100", "--cpu-prof-dir", PROF] : [];
  const ours = await startFastCache(freePort(), ["--workers", "1"], prof);
  let o: number, r: number;
  try { o = await measure(ours, name); } finally { await ours.stop(); }
  const redis = await startRedis(freePort());
  try { r = await measure(redis, name); } finally { await redis.stop(); }
  rows.push([name, o.toFixed(2), r.toFixed(2), fmtRatio(o / r)]);
}
printTable(`Server CPU per request, -P 16, ${N} requests, 50 clients`, ["command", "ours µs/req", "redis µs/req", "cpu ratio"], rows);
