// Collection types: fast-cache-server vs redis-server 7.0.15, side by side in one run.
//
//   bun bench/types.ts               throughput + CPU per request, then bytes per element (1M elements)
//   bun bench/types.ts --scale 0.1   quick run (100k elements, fewer requests)
//
// Throughput: redis-benchmark list/set/hash tests at -P 1 and -P 16, both servers fresh with no
// persistence, runs interleaved; server CPU µs per request from /proc/<pid>/stat (process tree).
// Memory: the same data loaded into both by `redis-cli --pipe`; used_memory (INFO memory) and RSS
// (/proc/<pid>/status) minus each server's empty baseline, divided by the element count.
import { bitsBench } from "./bits.ts";
import { fmtNum, fmtRatio, freePort, printEnvironment, printTable, sleep } from "./runner.ts";
import { type ServerProcess, encodeCommand, haveRedis, info, sampleProc, startFastCache, startRedis } from "./server-tools.ts";
import { maxmemoryBench } from "./types-maxmemory.ts";
import { zsetBench } from "./types-zset.ts";

const scaleArg = process.argv.indexOf("--scale");
const SCALE = scaleArg >= 0 ? Number(process.argv[scaleArg + 1]) : 1;
const REQUESTS = Math.round(200_000 * SCALE);
const TESTS = "lpush,rpush,lpop,rpop,sadd,hset,spop,lrange_100,lrange_600,zadd,zpopmin";
const ELEMENTS = Math.round(1_000_000 * SCALE);

interface Servers { name: string; start(port: number): Promise<ServerProcess> }
const SERVERS: Servers[] = [
  { name: "fast-cache", start: (p) => startFastCache(p, ["--workers", "1"]) },
  { name: "redis", start: (p) => startRedis(p) },
];

/** One redis-benchmark run of every test; per test: requests/s and server CPU µs per request. */
async function benchRun(server: ServerProcess, test: string, pipeline: number): Promise<{ rps: number; cpuUs: number }> {
  const before = sampleProc(server.pid).cpuSec;
  const proc = Bun.spawn(["redis-benchmark", "-p", String(server.port), "-t", test, "-n", String(REQUESTS), "-c", "50",
    "-P", String(pipeline), "--csv"], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const cpu = sampleProc(server.pid).cpuSec - before;
  const rows = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const rps = Number(rows.at(-1)?.split(",")[1]?.replaceAll('"', "") ?? NaN);
  return { rps, cpuUs: (cpu * 1e6) / REQUESTS };
}

async function throughput(): Promise<void> {
  const rows: string[][] = [];
  for (const pipeline of [1, 16]) {
    for (const test of TESTS.split(",")) {
      const res: Record<string, { rps: number; cpuUs: number }> = {};
      const order = rows.length % 2 === 0 ? SERVERS : [...SERVERS].reverse();
      for (const s of order) {
        const server = await s.start(freePort());
        try { res[s.name] = await benchRun(server, test, pipeline); } finally { await server.stop(); }
      }
      const o = res["fast-cache"]!, r = res["redis"]!;
      rows.push([test, String(pipeline), fmtNum(o.rps), fmtNum(r.rps), fmtRatio(o.rps / r.rps),
        o.cpuUs.toFixed(2), r.cpuUs.toFixed(2), fmtRatio(o.cpuUs / r.cpuUs)]);
    }
  }
  printTable(`Collection commands, ${REQUESTS} requests, 50 clients`,
    ["test", "P", "ours rps", "redis rps", "rps ratio", "ours µs/req", "redis µs/req", "cpu ratio"], rows);
}

const pad = (prefix: string, i: number, width: number): string => (prefix + String(i).padStart(width - prefix.length, "0"));

/** The data sets: name, element count, and a generator of the commands that load them. */
function* dataset(kind: string, n: number): Generator<string[]> {
  const batch = 100;
  if (kind === "small hashes") {
    for (let i = 0; i < n; i++) {
      const cmd = ["HSET", pad("h:", i, 16)];
      for (let f = 0; f < 5; f++) cmd.push(pad("f", f, 8), pad("v", i % 1e7, 8));
      yield cmd;
    }
    return;
  }
  for (let i = 0; i < n; i += batch) {
    const cmd = kind === "big hash" ? ["HSET", "bighash"] : kind === "list" ? ["RPUSH", "list"]
      : kind === "intset" ? ["SADD", "intset"] : ["SADD", "strset"];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      if (kind === "big hash") cmd.push(pad("f", j, 8), pad("v", j, 8));
      else if (kind === "list") cmd.push(pad("e", j, 16));
      else if (kind === "intset") cmd.push(String(j * 7));
      else cmd.push(pad("s", j, 16));
    }
    yield cmd;
  }
}

async function loadPipe(port: number, kind: string, n: number): Promise<void> {
  const proc = Bun.spawn(["redis-cli", "-p", String(port), "--pipe"], { stdin: "pipe", stdout: "ignore", stderr: "ignore" });
  for (const cmd of dataset(kind, n)) proc.stdin.write(encodeCommand(cmd));
  await proc.stdin.end();
  await proc.exited;
}

async function memory(): Promise<void> {
  const kinds = ["small hashes", "big hash", "list", "intset", "strset"];
  const rows: string[][] = [];
  for (const kind of kinds) {
    const per: Record<string, { used: number; rss: number }> = {};
    for (const s of SERVERS) {
      const server = await s.start(freePort());
      try {
        await sleep(300);
        const used0 = Number((await info(server.port, "memory")).get("used_memory"));
        const rss0 = sampleProc(server.pid).rss;
        await loadPipe(server.port, kind, ELEMENTS);
        await sleep(300);
        const used1 = Number((await info(server.port, "memory")).get("used_memory"));
        const rss1 = sampleProc(server.pid).rss;
        const elements = kind === "small hashes" ? ELEMENTS * 5 : ELEMENTS;
        per[s.name] = { used: (used1 - used0) / elements, rss: (rss1 - rss0) / elements };
      } finally { await server.stop(); }
    }
    const o = per["fast-cache"]!, r = per["redis"]!;
    rows.push([kind, o.used.toFixed(1), r.used.toFixed(1), fmtRatio(o.used / r.used), o.rss.toFixed(1), r.rss.toFixed(1), fmtRatio(o.rss / r.rss)]);
  }
  printTable(`Bytes per element, ${ELEMENTS} elements (small hashes: per field)`,
    ["data", "ours used", "redis used", "used ratio", "ours rss", "redis rss", "rss ratio"], rows);
}

if (!haveRedis()) throw new Error("redis-server must be on PATH");
printEnvironment("bench:types");
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "memory") await memory();
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "maxmemory") await maxmemoryBench(SCALE);
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "throughput") await throughput();
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "zset") await zsetBench(SCALE);
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "bits") await bitsBench();
if (process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === "streams") await (await import("./types-streams.ts")).streams();
