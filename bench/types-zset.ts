// Sorted sets in bench:types (issue 11), fast-cache-server vs redis-server 7.0.15 in one run:
// - ZADD of 1M members into one key (redis-cli --pipe, 100 members per ZADD), then ZRANGE by rank
//   and by score at the middle, and ZRANK of random members: server CPU per request (from
//   /proc/<pid>/stat) and wall time, each side fresh;
// - bytes per member (used_memory and RSS deltas) of that 1M-member zset and of 100k zsets of
//   10 members.
import { fmtNum, fmtRatio, freePort, printTable, sleep } from "./runner.ts";
import { type ServerProcess, encodeCommand, info, RespClient, sampleProc, startFastCache, startRedis } from "./server-tools.ts";

const pad = (prefix: string, i: number, width: number): string => prefix + String(i).padStart(width - prefix.length, "0");

function* bigZset(n: number): Generator<string[]> {
  for (let i = 0; i < n; i += 100) {
    const cmd = ["ZADD", "bigz"];
    for (let j = i; j < Math.min(n, i + 100); j++) cmd.push(String((j * 7919) % n), pad("member:", j, 16));
    yield cmd;
  }
}

function* smallZsets(keys: number): Generator<string[]> {
  for (let k = 0; k < keys; k++) {
    const cmd = ["ZADD", pad("z:", k, 16)];
    for (let j = 0; j < 10; j++) cmd.push(String(j * 1.5), pad("m", j, 8));
    yield cmd;
  }
}

async function loadPipe(port: number, cmds: Generator<string[]>): Promise<void> {
  const proc = Bun.spawn(["redis-cli", "-p", String(port), "--pipe"], { stdin: "pipe", stdout: "ignore", stderr: "ignore" });
  for (const cmd of cmds) proc.stdin.write(encodeCommand(cmd));
  await proc.stdin.end();
  await proc.exited;
}

/** Server CPU µs per request and wall ms of `count` commands from `make`, 200 in flight. */
async function timed(server: ServerProcess, count: number, make: (i: number) => string[]): Promise<{ cpuUs: number; wallMs: number }> {
  const c = await RespClient.connect(server.port);
  const cpu0 = sampleProc(server.pid).cpuSec;
  const t0 = performance.now();
  for (let i = 0; i < count; i += 200) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(count, i + 200); j++) batch.push(c.command(make(j), 60_000));
    await Promise.all(batch);
  }
  const wallMs = performance.now() - t0;
  const cpuUs = ((sampleProc(server.pid).cpuSec - cpu0) * 1e6) / count;
  c.close();
  return { cpuUs, wallMs };
}

export async function zsetBench(scale: number): Promise<void> {
  const n = Math.round(1_000_000 * scale);
  const ops = Math.round(50_000 * scale);
  const opRows: string[][] = [];
  const memRows: string[][] = [];
  const results: Record<string, Record<string, { cpuUs: number; wallMs: number }>> = {};
  const mem: Record<string, Record<string, { used: number; rss: number }>> = {};
  for (const name of ["fast-cache", "redis"] as const) {
    const server = name === "redis" ? await startRedis(freePort()) : await startFastCache(freePort(), ["--workers", "1"]);
    try {
      await sleep(300);
      const used0 = Number((await info(server.port, "memory")).get("used_memory"));
      const rss0 = sampleProc(server.pid).rss;
      const cpu0 = sampleProc(server.pid).cpuSec;
      const t0 = performance.now();
      await loadPipe(server.port, bigZset(n));
      const load = { cpuUs: ((sampleProc(server.pid).cpuSec - cpu0) * 1e6) / n, wallMs: performance.now() - t0 };
      await sleep(300);
      const used1 = Number((await info(server.port, "memory")).get("used_memory"));
      const rss1 = sampleProc(server.pid).rss;
      (mem["1M-member zset"] ??= {})[name] = { used: (used1 - used0) / n, rss: (rss1 - rss0) / n };
      const mid = Math.floor(n / 2);
      const r = results;
      (r["ZADD (per member)"] ??= {})[name] = load;
      (r["ZRANGE rank mid, 10"] ??= {})[name] = await timed(server, ops, (i) => ["ZRANGE", "bigz", String(mid + (i % 1000)), String(mid + (i % 1000) + 9)]);
      (r["ZRANGE BYSCORE mid, LIMIT 10"] ??= {})[name] = await timed(server, ops, (i) => ["ZRANGE", "bigz", String(mid + (i % 1000)), "+inf", "BYSCORE", "LIMIT", "0", "10"]);
      (r["ZRANK"] ??= {})[name] = await timed(server, ops, (i) => ["ZRANK", "bigz", pad("member:", (i * 104729) % n, 16)]);
      (r["ZSCORE"] ??= {})[name] = await timed(server, ops, (i) => ["ZSCORE", "bigz", pad("member:", (i * 104729) % n, 16)]);
    } finally {
      await server.stop();
    }
    // Many small zsets on a fresh server (the listpack encoding).
    const fresh = name === "redis" ? await startRedis(freePort()) : await startFastCache(freePort(), ["--workers", "1"]);
    try {
      await sleep(300);
      const used2 = Number((await info(fresh.port, "memory")).get("used_memory"));
      const rss2 = sampleProc(fresh.pid).rss;
      await loadPipe(fresh.port, smallZsets(n / 10));
      await sleep(300);
      const used3 = Number((await info(fresh.port, "memory")).get("used_memory"));
      const rss3 = sampleProc(fresh.pid).rss;
      (mem[`${n / 10} zsets x 10`] ??= {})[name] = { used: (used3 - used2) / n, rss: (rss3 - rss2) / n };
    } finally {
      await fresh.stop();
    }
  }
  for (const [op, res] of Object.entries(results)) {
    const o = res["fast-cache"]!, r = res["redis"]!;
    opRows.push([op, o.cpuUs.toFixed(2), r.cpuUs.toFixed(2), fmtRatio(o.cpuUs / r.cpuUs), fmtNum(o.wallMs), fmtNum(r.wallMs), fmtRatio(o.wallMs / r.wallMs)]);
  }
  for (const [kind, res] of Object.entries(mem)) {
    const o = res["fast-cache"]!, r = res["redis"]!;
    memRows.push([kind, o.used.toFixed(1), r.used.toFixed(1), fmtRatio(o.used / r.used), o.rss.toFixed(1), r.rss.toFixed(1), fmtRatio(o.rss / r.rss)]);
  }
  printTable(`Sorted sets: ${n} members, ${ops} requests per read op, 200 in flight`,
    ["op", "ours µs/req", "redis µs/req", "cpu ratio", "ours ms", "redis ms", "wall ratio"], opRows);
  printTable("Sorted sets: bytes per member", ["data", "ours used", "redis used", "used ratio", "ours rss", "redis rss", "rss ratio"], memRows);
}
