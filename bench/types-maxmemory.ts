// Issue 18: RSS against maxmemory per collection type, fast-cache beside redis-server 7.0.15 under
// the same limit and policy. Each server is fed well past the limit through `redis-cli --pipe`
// (4M elements per 64 MiB of maxmemory, one new key per command); the table shows used_memory, RSS
// at the end, the peak RSS (VmHWM) and whether RSS is within the README's bound
// (1.4 x maxmemory + 128 MiB). volatile-* runs give every key a TTL (EXPIRE after each write).
//
//   BENCH_ONLY=maxmemory bun bench/types.ts
//   MAXMEMORY=64mb,500mb POLICIES=allkeys-lru,noeviction KINDS=sets,lists   (defaults: 64mb, allkeys-lru, every kind)
import { readFileSync } from "node:fs";
import { fmtRatio, freePort, printTable, sleep } from "./runner.ts";
import { encodeCommand, info, RespClient, type ServerProcess, sampleProc, startFastCache, startRedis } from "./server-tools.ts";

const MiB = 1024 * 1024;
const pad = (prefix: string, i: number, width: number): string => prefix + String(i).padStart(width - prefix.length, "0");

interface Kind {
  name: string;
  /** Elements per command (one new key each). */
  per: number;
  command(k: number): string[];
}

function build(verb: string, key: string, n: number, element: (j: number) => string[]): string[] {
  const cmd = [verb, key];
  for (let j = 0; j < n; j++) cmd.push(...element(j));
  return cmd;
}

const KINDS: Record<string, Kind> = {
  "small-hashes": { name: "small hashes (5 fields)", per: 5, command: (k) => build("HSET", pad("h:", k, 16), 5, (j) => [pad("f", j, 8), pad("v", k % 1e7, 8)]) },
  "hashes": { name: "hashes of 100 fields (listpack)", per: 100, command: (k) => build("HSET", pad("k:", k, 16), 100, (j) => [pad("f", j, 8), pad("v", k, 8)]) },
  "big-hashes": { name: "hashes of 600 fields (hashtable)", per: 600, command: (k) => build("HSET", pad("H:", k, 16), 600, (j) => [pad("f", j, 8), pad("v", k, 8)]) },
  "lists": { name: "lists of 100 x 16B", per: 100, command: (k) => build("RPUSH", pad("l:", k, 16), 100, (j) => [pad("e", k * 100 + j, 16)]) },
  "sets": { name: "sets of 100 x 16B", per: 100, command: (k) => build("SADD", pad("s:", k, 16), 100, (j) => [pad("e", k * 100 + j, 16)]) },
  "intsets": { name: "intsets of 100", per: 100, command: (k) => build("SADD", pad("i:", k, 16), 100, (j) => [String(k * 100 + j)]) },
  "zsets": { name: "sorted sets of 200 x 16B", per: 200, command: (k) => build("ZADD", pad("z:", k, 16), 200, (j) => [String(j), pad("m", k * 200 + j, 16)]) },
  "streams": { name: "streams (1 entry of 20 fields)", per: 20, command: (k) => build("XADD", pad("x:", k, 16), 1, () => ["*"]).concat(...Array.from({ length: 20 }, (_, j) => [pad("f", j, 8), pad("v", k, 8)])) },
};

const parseBytes = (s: string): number => Number(/^(\d+)mb$/i.exec(s)?.[1] ?? NaN) * MiB;

async function load(port: number, kind: Kind, elements: number, ttl: boolean): Promise<void> {
  const proc = Bun.spawn(["redis-cli", "-p", String(port), "--pipe"], { stdin: "pipe", stdout: "ignore", stderr: "ignore" });
  const n = Math.ceil(elements / kind.per);
  for (let k = 0; k < n; k++) {
    const cmd = kind.command(k);
    proc.stdin.write(encodeCommand(cmd));
    if (ttl) proc.stdin.write(encodeCommand(["EXPIRE", cmd[1]!, String(3600 + (k % 1000))]));
  }
  await proc.stdin.end();
  await proc.exited;
}

function peakRss(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

interface Figures { used: number; rss: number; peak: number; keys: number }

async function run(server: ServerProcess, kind: Kind, max: number, policy: string, scale: number): Promise<Figures> {
  const c = await RespClient.connect(server.port);
  try {
    if (server.name === "redis") {
      await c.command(["CONFIG", "SET", "maxmemory", String(max)]);
      await c.command(["CONFIG", "SET", "maxmemory-policy", policy]);
    }
    await sleep(200);
    await load(server.port, kind, Math.round(4_000_000 * (max / (64 * MiB)) * scale), policy.startsWith("volatile"));
    await sleep(300);
    const used = Number((await info(server.port, "memory")).get("used_memory"));
    const keys = Number(await c.command(["DBSIZE"]));
    return { used, rss: sampleProc(server.pid).rss, peak: peakRss(server.pid), keys };
  } finally {
    c.close();
  }
}

export async function maxmemoryBench(scale: number): Promise<void> {
  const limits = (process.env.MAXMEMORY ?? "64mb").split(",").map(parseBytes);
  const policies = (process.env.POLICIES ?? "allkeys-lru").split(",");
  const kinds = (process.env.KINDS ?? Object.keys(KINDS).join(",")).split(",").map((k) => KINDS[k]!);
  for (const max of limits) {
    const bound = 1.4 * max + 128 * MiB;
    const rows: string[][] = [];
    for (const policy of policies) {
      for (const kind of kinds) {
        const ours = await startFastCache(freePort(), ["--workers", "1", "--maxmemory", `${max / MiB}mb`, "--maxmemory-policy", policy]);
        let o: Figures;
        try { o = await run(ours, kind, max, policy, scale); } finally { await ours.stop(); }
        const redis = await startRedis(freePort());
        let r: Figures;
        try { r = await run(redis, kind, max, policy, scale); } finally { await redis.stop(); }
        const mib = (b: number): string => (b / MiB).toFixed(1);
        rows.push([kind.name, policy, mib(o.used), mib(o.rss), mib(o.peak), fmtRatio(o.rss / max), o.rss <= bound && o.peak <= bound ? "yes" : o.rss <= bound ? "end only" : "NO",
          mib(r.used), mib(r.rss), mib(r.peak), fmtRatio(o.rss / r.rss), `${o.keys}/${r.keys}`]);
      }
    }
    printTable(`--maxmemory ${max / MiB}mb, filled past the limit (bound ${(bound / MiB).toFixed(1)} MiB RSS)`,
      ["data", "policy", "ours used MiB", "ours RSS", "ours peak RSS", "RSS / maxmemory", "within bound", "redis used MiB", "redis RSS", "redis peak RSS", "RSS ours/redis", "keys ours/redis"], rows);
  }
}
