// Scripting: fast-cache-server vs redis-server 7.0.15, side by side in one run (issue 13).
//
//   bun bench/scripting.ts             (package script: npm run bench:scripting)
//   bun bench/scripting.ts --scale 0.2 quicker
//
// redis-benchmark runs EVALSHA of a 1-call script (INCR) and of a 10-call script (read and write
// a hash, push to and pop from a list) at -P 1 and -P 16, 50 clients, on a fresh server each (no
// persistence, one worker); server CPU µs per call from /proc/<pid>/stat.
import { fmtNum, fmtRatio, freePort, printEnvironment, printTable } from "./runner.ts";
import { type ServerProcess, haveRedis, sampleProc, startFastCache, startRedis } from "./server-tools.ts";

const scaleArg = process.argv.indexOf("--scale");
const SCALE = scaleArg >= 0 ? Number(process.argv[scaleArg + 1]) : 1;
const REQUESTS = Math.round(200_000 * SCALE);

const SCRIPTS: { name: string; body: string }[] = [
  { name: "1 call (INCR)", body: "return redis.call('INCR', KEYS[1])" },
  {
    name: "10 calls (hash + list)",
    body: [
      "local n = redis.call('HINCRBY', KEYS[1], 'n', 1)",
      "redis.call('HSET', KEYS[1], 'last', ARGV[1])",
      "local v = redis.call('HGET', KEYS[1], 'last')",
      "redis.call('HEXISTS', KEYS[1], 'n')",
      "redis.call('LPUSH', KEYS[2], v)",
      "redis.call('RPOP', KEYS[2])",
      "redis.call('LLEN', KEYS[2])",
      "redis.call('HLEN', KEYS[1])",
      "redis.call('LINDEX', KEYS[2], 0)",
      "redis.call('HGET', KEYS[1], 'n')",
      "return n",
    ].join("\n"),
  },
];

interface Servers { name: string; start(port: number): Promise<ServerProcess> }
const SERVERS: Servers[] = [
  { name: "fast-cache", start: (p) => startFastCache(p, ["--workers", "1"]) },
  { name: "redis", start: (p) => startRedis(p) },
];

async function loadScript(port: number, body: string): Promise<string> {
  const p = Bun.spawn(["redis-cli", "-p", String(port), "script", "load", body], { stdout: "pipe" });
  const sha = (await new Response(p.stdout).text()).trim();
  await p.exited;
  return sha;
}

async function run(server: ServerProcess, body: string, pipeline: number): Promise<{ rps: number; cpuUs: number }> {
  const sha = await loadScript(server.port, body);
  const before = sampleProc(server.pid).cpuSec;
  const proc = Bun.spawn(["redis-benchmark", "-p", String(server.port), "-n", String(REQUESTS), "-c", "50", "-P", String(pipeline), "--csv",
    "evalsha", sha, "2", "{s}h", "{s}l", "v"], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const cpu = sampleProc(server.pid).cpuSec - before;
  const rows = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  return { rps: Number(rows.at(-1)?.split(",")[1]?.replaceAll('"', "") ?? NaN), cpuUs: (cpu * 1e6) / REQUESTS };
}

if (!haveRedis()) {
  console.log("redis-server / redis-benchmark not installed: nothing to compare (apt-get install redis-server redis-tools)");
  process.exit(0);
}
printEnvironment("bench:scripting");
const rows: string[][] = [];
for (const pipeline of [1, 16]) {
  for (const script of SCRIPTS) {
    const res: Record<string, { rps: number; cpuUs: number }> = {};
    const order = rows.length % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const s of order) {
      const server = await s.start(freePort());
      try {
        res[s.name] = await run(server, script.body, pipeline);
      } finally {
        await server.stop();
      }
    }
    const o = res["fast-cache"]!;
    const r = res["redis"]!;
    rows.push([script.name, String(pipeline), fmtNum(o.rps), fmtNum(r.rps), fmtRatio(o.rps / r.rps), o.cpuUs.toFixed(2), r.cpuUs.toFixed(2), fmtRatio(o.cpuUs / r.cpuUs)]);
  }
}
printTable(`EVALSHA, ${REQUESTS} calls, 50 clients (target: cpu ratio ≤ 1.5)`,
  ["script", "P", "ours rps", "redis rps", "rps ratio", "ours µs/call", "redis µs/call", "cpu ratio"], rows);
