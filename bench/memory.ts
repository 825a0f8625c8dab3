// RSS against maxmemory for strings, fast-cache-server beside redis-server under the same settings
// (maxmemory, allkeys-lru, no persistence, one process). The same load generator (redis-benchmark,
// SET of 1000-byte values on random keys, pipelined) writes 4x maxmemory (1.25x for 2 GB, so the
// run stays within minutes); then used_memory (INFO) and VmRSS (/proc) are read for both.
// Usage: bun bench/memory.ts [sizes in MB, default 50,500,2048]   (BENCH_QUICK=1: 50 only)
import { readFileSync } from "node:fs";
import { fmtNum, freePort, printTable, quickMode } from "./runner.ts";
import { haveRedis, info, startFastCache, startRedis, type ServerProcess } from "./server-tools.ts";

const MB = 1024 * 1024;
const VALUE_BYTES = 1000;

interface Row {
  server: string;
  maxmemoryMb: number;
  writtenMb: number;
  usedMb: number;
  rssMb: number;
  keys: number;
  seconds: number;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

async function measure(srv: ServerProcess, maxMb: number): Promise<Row> {
  const written = maxMb * MB * (maxMb >= 2048 ? 1.25 : 4);
  const n = Math.ceil(written / VALUE_BYTES);
  const t0 = performance.now();
  const gen = Bun.spawn(["redis-benchmark", "-p", String(srv.port), "-t", "set", "-n", String(n), "-d", String(VALUE_BYTES),
    "-r", String(n * 4), "-P", "16", "-c", "8", "-q"], { stdout: "ignore", stderr: "ignore" });
  await gen.exited;
  const seconds = (performance.now() - t0) / 1000;
  const mem = await info(srv.port, "memory");
  const keyspace = await info(srv.port, "keyspace");
  const used = Number(mem.get("used_memory") ?? 0);
  const keys = Number(/keys=(\d+)/.exec(keyspace.get("db0") ?? "")?.[1] ?? 0);
  return { server: srv.name, maxmemoryMb: maxMb, writtenMb: written / MB, usedMb: used / MB, rssMb: rssBytes(srv.pid) / MB, keys, seconds };
}

async function run(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mb of sizes) {
    const settings = ["--maxmemory", `${mb}mb`, "--maxmemory-policy", "allkeys-lru"];
    const fc = await startFastCache(freePort(), [...settings, "--workers", "1"]);
    try {
      rows.push(await measure(fc, mb));
    } finally {
      await fc.stop();
    }
    if (!haveRedis()) continue;
    const port = freePort();
    const redis = await startRedis(port);
    try {
      const c = Bun.spawnSync(["redis-cli", "-p", String(port), "CONFIG", "SET", "maxmemory", `${mb}mb`]);
      Bun.spawnSync(["redis-cli", "-p", String(port), "CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
      if (!c.stdout.toString().includes("OK")) throw new Error("redis CONFIG SET maxmemory failed");
      rows.push(await measure(redis, mb));
    } finally {
      await redis.stop();
    }
  }
  return rows;
}

if (import.meta.main) {
  const sizes = quickMode ? [50] : (process.argv[2] ?? "50,500,2048").split(",").map(Number);
  const rows = await run(sizes);
  printTable("RSS against maxmemory (strings, 1000-byte values, allkeys-lru)",
    ["server", "maxmemory", "written", "used_memory", "RSS", "RSS - maxmemory", "keys", "s"],
    rows.map((r) => [r.server, `${r.maxmemoryMb} MB`, `${fmtNum(r.writtenMb)} MB`, `${r.usedMb.toFixed(1)} MB`, `${r.rssMb.toFixed(1)} MB`,
      `${(r.rssMb - r.maxmemoryMb).toFixed(1)} MB`, fmtNum(r.keys), r.seconds.toFixed(1)]));
}
