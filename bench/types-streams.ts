// Streams (issue 12): fast-cache-server vs redis-server 7.0.15, side by side in one run.
//
//   bun bench/types-streams.ts               (or BENCH_ONLY=streams bun bench/types.ts)
//   bun bench/types-streams.ts --scale 0.1   quick run
//
// - XADD * with 2 fields and XRANGE of 100 entries from a random ID: redis-benchmark, 50 clients,
//   -P 1 and -P 16; server CPU µs per request from /proc/<pid>/stat.
// - XREADGROUP COUNT 10 + XACK of what it got, 4 consumers in a loop, until the stream is drained.
// - Bytes per entry of a 1M-entry stream (XADD * of 2 fields) by used_memory and RSS, minus the
//   empty server's baseline.
import { fmtNum, fmtRatio, freePort, printEnvironment, printTable, sleep } from "./runner.ts";
import { type ServerProcess, RespClient, encodeCommand, haveRedis, info, sampleProc, startFastCache, startRedis, type RespValue } from "./server-tools.ts";

const scaleArg = process.argv.indexOf("--scale");
const SCALE = scaleArg >= 0 ? Number(process.argv[scaleArg + 1]) : 1;
const REQUESTS = Math.round(200_000 * SCALE);
const ENTRIES = Math.round(1_000_000 * SCALE);
const GROUP_ENTRIES = Math.round(100_000 * SCALE);

interface Servers { name: string; start(port: number): Promise<ServerProcess> }
const SERVERS: Servers[] = [
  { name: "fast-cache", start: (p) => startFastCache(p, ["--workers", "1"]) },
  { name: "redis", start: (p) => startRedis(p) },
];

async function pipeIn(port: number, cmds: Iterable<string[]>): Promise<void> {
  const proc = Bun.spawn(["redis-cli", "-p", String(port), "--pipe"], { stdin: "pipe", stdout: "ignore", stderr: "ignore" });
  for (const cmd of cmds) proc.stdin.write(encodeCommand(cmd));
  await proc.stdin.end();
  await proc.exited;
}

function* xadds(n: number, explicit: boolean): Generator<string[]> {
  for (let i = 1; i <= n; i++) yield ["XADD", "s", explicit ? `${i}-0` : "*", "field1", `value-${i % 100_000}`, "field2", "v2"];
}

async function benchmark(server: ServerProcess, args: string[], pipeline: number, random: number): Promise<{ rps: number; cpuUs: number }> {
  const before = sampleProc(server.pid).cpuSec;
  const proc = Bun.spawn(["redis-benchmark", "-p", String(server.port), "-n", String(REQUESTS), "-c", "50", "-P", String(pipeline), "-r", String(random), "--csv", ...args],
    { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const cpu = sampleProc(server.pid).cpuSec - before;
  const row = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"')).at(-1);
  return { rps: Number(row?.split(",")[1]?.replaceAll('"', "") ?? NaN), cpuUs: (cpu * 1e6) / REQUESTS };
}

/** 4 consumers: XREADGROUP COUNT 10, then XACK what came, until nothing is left. */
async function groupDrain(server: ServerProcess): Promise<{ opsPerSec: number; cpuUs: number }> {
  await pipeIn(server.port, xadds(GROUP_ENTRIES, true));
  const admin = await RespClient.connect(server.port);
  await admin.command(["XGROUP", "CREATE", "s", "g", "0"]);
  admin.close();
  const before = sampleProc(server.pid).cpuSec;
  const t0 = performance.now();
  let ops = 0;
  await Promise.all(Array.from({ length: 4 }, async (_v, n) => {
    const c = await RespClient.connect(server.port);
    for (;;) {
      const r = (await c.command(["XREADGROUP", "GROUP", "g", `c${n}`, "COUNT", "10", "STREAMS", "s", ">"])) as RespValue[][] | null;
      ops++;
      if (r === null) break;
      const ids = (r[0]![1] as RespValue[][]).map((e) => e[0] as string);
      await c.command(["XACK", "s", "g", ...ids]);
      ops++;
    }
    c.close();
  }));
  const sec = (performance.now() - t0) / 1000;
  return { opsPerSec: ops / sec, cpuUs: ((sampleProc(server.pid).cpuSec - before) * 1e6) / ops };
}

async function throughput(): Promise<void> {
  const rows: string[][] = [];
  const cases: { name: string; args: string[]; preload: boolean; random: number }[] = [
    { name: "XADD * (2 fields)", args: ["XADD", "s", "*", "field1", "value", "field2", "v2"], preload: false, random: 1 },
    { name: "XRANGE 100 at a random ID", args: ["XRANGE", "s", "__rand_int__", "+", "COUNT", "100"], preload: true, random: ENTRIES },
  ];
  for (const pipeline of [1, 16]) {
    for (const cs of cases) {
      const res: Record<string, { rps: number; cpuUs: number }> = {};
      const order = rows.length % 2 === 0 ? SERVERS : [...SERVERS].reverse();
      for (const s of order) {
        const server = await s.start(freePort());
        try {
          if (cs.preload) await pipeIn(server.port, xadds(ENTRIES, true));
          res[s.name] = await benchmark(server, cs.args, pipeline, cs.random);
        } finally { await server.stop(); }
      }
      const o = res["fast-cache"]!, r = res["redis"]!;
      rows.push([cs.name, String(pipeline), fmtNum(o.rps), fmtNum(r.rps), fmtRatio(o.rps / r.rps), o.cpuUs.toFixed(2), r.cpuUs.toFixed(2), fmtRatio(o.cpuUs / r.cpuUs)]);
    }
  }
  const group: Record<string, { opsPerSec: number; cpuUs: number }> = {};
  for (const s of SERVERS) {
    const server = await s.start(freePort());
    try { group[s.name] = await groupDrain(server); } finally { await server.stop(); }
  }
  const o = group["fast-cache"]!, r = group["redis"]!;
  rows.push([`XREADGROUP+XACK, 4 consumers, ${GROUP_ENTRIES} entries`, "1", fmtNum(o.opsPerSec), fmtNum(r.opsPerSec), fmtRatio(o.opsPerSec / r.opsPerSec),
    o.cpuUs.toFixed(2), r.cpuUs.toFixed(2), fmtRatio(o.cpuUs / r.cpuUs)]);
  printTable(`Stream commands, ${REQUESTS} requests, 50 clients`, ["test", "P", "ours rps", "redis rps", "rps ratio", "ours µs/req", "redis µs/req", "cpu ratio"], rows);
}

async function memory(): Promise<void> {
  const per: Record<string, { used: number; rss: number }> = {};
  for (const s of SERVERS) {
    const server = await s.start(freePort());
    try {
      await sleep(300);
      const used0 = Number((await info(server.port, "memory")).get("used_memory"));
      const rss0 = sampleProc(server.pid).rss;
      await pipeIn(server.port, xadds(ENTRIES, false));
      await sleep(300);
      const used1 = Number((await info(server.port, "memory")).get("used_memory"));
      const rss1 = sampleProc(server.pid).rss;
      per[s.name] = { used: (used1 - used0) / ENTRIES, rss: (rss1 - rss0) / ENTRIES };
    } finally { await server.stop(); }
  }
  const o = per["fast-cache"]!, r = per["redis"]!;
  printTable(`Bytes per stream entry, ${ENTRIES} × XADD * field1 value-N field2 v2`, ["ours used", "redis used", "used ratio", "ours rss", "redis rss", "rss ratio"],
    [[o.used.toFixed(1), r.used.toFixed(1), fmtRatio(o.used / r.used), o.rss.toFixed(1), r.rss.toFixed(1), fmtRatio(o.rss / r.rss)]]);
}

export async function streams(): Promise<void> {
  await memory();
  await throughput();
}

if (import.meta.main) {
  if (!haveRedis()) throw new Error("redis-server must be on PATH");
  printEnvironment("bench:types streams");
  await streams();
}
