// BullMQ jobs per second: fast-cache-server vs redis-server 7.0.15 on the same queue flow, side by
// side in one run (issue 13's target: ≥ 0.8× redis-server's jobs/s).
//
//   bun bench/bullmq.ts               (package script: npm run bench:bullmq)
//   bun bench/bullmq.ts --scale 0.2   quicker
//
// Each round starts a fresh server (no persistence; fast-cache `--workers 1`), adds JOBS jobs with
// `addBulk` in batches of 500 (the "add" phase), then runs one Worker of concurrency 50 until every
// job completed (the "process" phase: BullMQ's moveToActive / moveToFinished scripts, blocking
// BZPOPMIN/XREAD markers, events stream). Server CPU per job is the server's /proc utime+stime
// over each phase. Rounds alternate which server goes first; the median of ROUNDS is reported.
import { Queue, Worker } from "bullmq";
import { fmtNum, fmtRatio, freePort, printEnvironment, printTable } from "./runner.ts";
import { type ServerProcess, haveRedis, sampleProc, startFastCache, startRedis } from "./server-tools.ts";

const scaleArg = process.argv.indexOf("--scale");
const SCALE = scaleArg >= 0 ? Number(process.argv[scaleArg + 1]) : 1;
const JOBS = Math.round(20_000 * SCALE);
const ROUNDS = 3;
const CONCURRENCY = 50;

interface Phase { jobsPerSec: number; cpuUsPerJob: number }
interface Round { add: Phase; process: Phase }

const SERVERS: { name: string; start(port: number): Promise<ServerProcess> }[] = [
  { name: "fast-cache", start: (p) => startFastCache(p, ["--workers", "1"]) },
  { name: "redis", start: (p) => startRedis(p) },
];

async function round(server: ServerProcess): Promise<Round> {
  const connection = { host: "127.0.0.1", port: server.port, maxRetriesPerRequest: null };
  const queue = new Queue("bench", { connection });
  await queue.waitUntilReady();
  const cpu = (): number => sampleProc(server.pid).cpuSec;

  let c0 = cpu();
  let t0 = performance.now();
  for (let i = 0; i < JOBS; i += 500) {
    const n = Math.min(500, JOBS - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: "job", data: { n: i + k, payload: "x".repeat(64) }, opts: { removeOnComplete: 1000 } })));
  }
  const add: Phase = { jobsPerSec: JOBS / ((performance.now() - t0) / 1000), cpuUsPerJob: ((cpu() - c0) * 1e6) / JOBS };

  let done = 0;
  const finished = Promise.withResolvers<void>();
  c0 = cpu();
  t0 = performance.now();
  const worker = new Worker("bench", async (job) => job.data.n, { connection, concurrency: CONCURRENCY });
  worker.on("completed", () => {
    if (++done === JOBS) finished.resolve();
  });
  const timeout = setTimeout(() => finished.reject(new Error(`only ${done} of ${JOBS} jobs completed in 120 s`)), 120_000);
  try {
    await finished.promise;
  } finally {
    clearTimeout(timeout);
  }
  const process: Phase = { jobsPerSec: JOBS / ((performance.now() - t0) / 1000), cpuUsPerJob: ((cpu() - c0) * 1e6) / JOBS };
  await worker.close();
  await queue.close();
  return { add, process };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!haveRedis()) {
  console.log("redis-server not installed: nothing to compare (apt-get install redis-server redis-tools)");
  process.exit(0);
}
printEnvironment("bench:bullmq");
const results: Record<string, Round[]> = { "fast-cache": [], redis: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const s of r % 2 === 0 ? SERVERS : [...SERVERS].reverse()) {
    const server = await s.start(freePort());
    try {
      results[s.name]!.push(await round(server));
    } finally {
      await server.stop();
    }
  }
}
const rows: string[][] = [];
for (const phase of ["add", "process"] as const) {
  const o = results["fast-cache"]!.map((x) => x[phase]);
  const r = results["redis"]!.map((x) => x[phase]);
  const oj = median(o.map((x) => x.jobsPerSec));
  const rj = median(r.map((x) => x.jobsPerSec));
  const oc = median(o.map((x) => x.cpuUsPerJob));
  const rc = median(r.map((x) => x.cpuUsPerJob));
  rows.push([phase, fmtNum(oj), fmtNum(rj), fmtRatio(oj / rj), oc.toFixed(1), rc.toFixed(1), fmtRatio(oc / rc)]);
}
printTable(`BullMQ, ${JOBS} jobs, worker concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds (target: jobs/s ratio ≥ 0.8)`,
  ["phase", "ours jobs/s", "redis jobs/s", "jobs/s ratio", "ours µs/job", "redis µs/job", "cpu ratio"], rows);
