// bench:cores — one process per core. redis-benchmark (--threads 2 -c 100 -P 16 -t set,get, random
// keys) against redis-server, fast-cache --workers 1 and --workers 2, then the same with the
// server pinned to one core and the load generator to the other (taskset), which isolates the
// cost of forwarding: 2 workers on 1 core do the same work as 1 worker plus the forwarding.
// Reported per configuration: throughput, server CPU µs per request (whole process tree from
// /proc; median of 3 runs), syscalls per request (pinned rows: strace -c -f over a separate run), the share of commands forwarded between workers and the link
// writes per forwarded command. Then a model of N workers on a larger machine from those costs.
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { emitJson, fmtNum, freePort, printEnvironment, printTable, quickMode, sleep } from "./runner.ts";
import { RespClient, parseInfo, processTree, sampleProc } from "./server-tools.ts";

const ROOT = resolve(import.meta.dir, "..");
const REQUESTS = quickMode ? 200_000 : 1_000_000;
/** Runs per configuration; the median is reported (the machine is shared and noisy). */
const RUNS = quickMode ? 1 : 3;
/** Requests of the separate strace pass that counts syscalls. */
const STRACE_REQUESTS = quickMode ? 50_000 : 200_000;
const hasStrace = Bun.which("strace") !== null;
const KEYSPACE = 100_000;

interface Config {
  name: string;
  kind: "redis" | "fast-cache";
  workers: number;
  /** CPU list for the server (taskset -c), "" = not pinned. */
  serverCpus: string;
  /** CPU list for redis-benchmark, "" = not pinned. */
  loadCpus: string;
}

interface Started {
  pid: number;
  port: number;
  proc: Subprocess;
  stop(): Promise<void>;
}

const hasTaskset = Bun.which("taskset") !== null;
const pin = (cpus: string, cmd: string[]): string[] => (cpus !== "" && hasTaskset ? ["taskset", "-c", cpus, ...cmd] : cmd);

async function waitPong(port: number, proc: Subprocess): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const c = await RespClient.connect(port);
      const r = await c.command(["PING"], 1000);
      c.close();
      if (r === "PONG") return;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error("server did not answer PING");
}

async function start(cfg: Config): Promise<Started> {
  const port = freePort();
  const dir = mkdtempSync(join(tmpdir(), "fc-cores-"));
  const cmd =
    cfg.kind === "redis"
      ? ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
      : [process.execPath, "src/cli.ts", "--port", String(port), "--appendonly", "no", "--save", "", "--dir", dir, "--workers", String(cfg.workers)];
  const proc = Bun.spawn(pin(cfg.serverCpus, cmd), { cwd: cfg.kind === "redis" ? "/tmp" : ROOT, stdout: "ignore", stderr: "inherit", stdin: "ignore" });
  await waitPong(port, proc);
  return {
    pid: proc.pid,
    port,
    proc,
    async stop() {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sums the INFO cores counters over every worker (connects until each one answered). */
async function coresCounters(port: number, workers: number): Promise<Map<string, number>> {
  const seen = new Map<number, Map<string, string>>();
  for (let i = 0; i < 200 && seen.size < workers; i++) {
    const c = await RespClient.connect(port);
    const r = await c.command(["INFO", "all"]);
    c.close();
    if (typeof r !== "string") break;
    const m = parseInfo(r);
    const w = Number(m.get("worker_index") ?? 0);
    if (!seen.has(w)) seen.set(w, m);
  }
  const sum = new Map<string, number>();
  for (const m of seen.values()) {
    for (const f of ["forwarded_commands", "peer_writes", "peer_requests_sent", "split_commands"]) {
      sum.set(f, (sum.get(f) ?? 0) + Number(m.get(f) ?? 0));
    }
  }
  return sum;
}

/** Counts the syscalls of the server's processes (all threads) during one redis-benchmark run. */
async function straceSyscalls(cfg: Config, srv: Started): Promise<number> {
  const pids = processTree(srv.pid);
  const tracer = Bun.spawn(["strace", "-c", "-f", ...pids.flatMap((p) => ["-p", String(p)])], { stdout: "ignore", stderr: "pipe" });
  await sleep(500); // attached
  Bun.spawnSync(pin(cfg.loadCpus, [
    "redis-benchmark", "-p", String(srv.port), "--threads", "2", "-c", "100", "-P", "16",
    "-t", "set,get", "-n", String(STRACE_REQUESTS), "-r", String(KEYSPACE), "-q",
  ]), { stdout: "ignore", stderr: "ignore" });
  tracer.kill("SIGINT");
  const text = await new Response(tracer.stderr).text();
  await tracer.exited;
  const total = /^\s*100\.00\s+\S+\s+\S+\s+(\d+)(?:\s+\d+)?\s+total$/m.exec(text);
  return total ? Number(total[1]) / (2 * STRACE_REQUESTS) : Number.NaN;
}

interface Row {
  config: string;
  setRps: number;
  getRps: number;
  cpuUsPerReq: number;
  syscallsPerReq: number;
  forwardedShare: number;
  linkWritesPerForward: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(cfg: Config): Promise<Row> {
  const runs: Row[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measureOnce(cfg, i === 0));
  const pick = (f: (r: Row) => number): number => median(runs.map(f));
  return {
    config: cfg.name,
    setRps: pick((r) => r.setRps),
    getRps: pick((r) => r.getRps),
    cpuUsPerReq: pick((r) => r.cpuUsPerReq),
    syscallsPerReq: runs[0]!.syscallsPerReq,
    forwardedShare: pick((r) => r.forwardedShare),
    linkWritesPerForward: pick((r) => r.linkWritesPerForward),
  };
}

async function measureOnce(cfg: Config, countSyscalls: boolean): Promise<Row> {
  const srv = await start(cfg);
  try {
    const before = sampleProc(srv.pid);
    const fwdBefore = cfg.kind === "fast-cache" && cfg.workers > 1 ? await coresCounters(srv.port, cfg.workers) : new Map<string, number>();
    const cmd = pin(cfg.loadCpus, [
      "redis-benchmark", "-p", String(srv.port), "--threads", "2", "-c", "100", "-P", "16",
      "-t", "set,get", "-n", String(REQUESTS), "-r", String(KEYSPACE), "-q",
    ]);
    const out = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" }).stdout.toString();
    const after = sampleProc(srv.pid);
    const fwdAfter = cfg.kind === "fast-cache" && cfg.workers > 1 ? await coresCounters(srv.port, cfg.workers) : new Map<string, number>();
    const rps = (name: string): number => Number(new RegExp(`${name}: ([\\d.]+) requests per second`).exec(out)?.[1] ?? 0);
    const total = 2 * REQUESTS;
    const forwarded = (fwdAfter.get("forwarded_commands") ?? 0) - (fwdBefore.get("forwarded_commands") ?? 0);
    const linkWrites = (fwdAfter.get("peer_writes") ?? 0) - (fwdBefore.get("peer_writes") ?? 0);
    return {
      config: cfg.name,
      setRps: rps("SET"),
      getRps: rps("GET"),
      cpuUsPerReq: ((after.cpuSec - before.cpuSec) * 1e6) / total,
      syscallsPerReq: countSyscalls && hasStrace && cfg.serverCpus !== "" ? await straceSyscalls(cfg, srv) : Number.NaN,
      forwardedShare: forwarded / total,
      linkWritesPerForward: forwarded > 0 ? linkWrites / forwarded : 0,
    };
  } finally {
    await srv.stop();
  }
}

const configs: Config[] = [
  { name: "redis-server 7.0.15", kind: "redis", workers: 1, serverCpus: "", loadCpus: "" },
  { name: "fast-cache --workers 1", kind: "fast-cache", workers: 1, serverCpus: "", loadCpus: "" },
  { name: "fast-cache --workers 2", kind: "fast-cache", workers: 2, serverCpus: "", loadCpus: "" },
  { name: "redis-server, pinned to cpu 1", kind: "redis", workers: 1, serverCpus: "1", loadCpus: "0" },
  { name: "fast-cache --workers 1, pinned to cpu 1", kind: "fast-cache", workers: 1, serverCpus: "1", loadCpus: "0" },
  { name: "fast-cache --workers 2, both pinned to cpu 1", kind: "fast-cache", workers: 2, serverCpus: "1", loadCpus: "0" },
];

printEnvironment("bench:cores — redis-benchmark --threads 2 -c 100 -P 16 -t set,get -r 100000");
if (!hasTaskset) console.log("taskset not found: the pinned rows run unpinned");
if (!hasStrace) console.log("strace not found: syscalls are not counted");
const rows: Row[] = [];
for (const cfg of configs) {
  if (cfg.kind === "redis" && Bun.which("redis-server") === null) continue;
  rows.push(await measure(cfg));
}
printTable(
  `${fmtNum(REQUESTS)} SET + ${fmtNum(REQUESTS)} GET per configuration`,
  ["configuration", "SET rps", "GET rps", "server CPU µs/req", "syscalls/req", "forwarded", "link writes/fwd"],
  rows.map((r) => [
    r.config, fmtNum(r.setRps), fmtNum(r.getRps), r.cpuUsPerReq.toFixed(3), Number.isNaN(r.syscallsPerReq) ? "-" : r.syscallsPerReq.toFixed(3),
    `${(r.forwardedShare * 100).toFixed(1)}%`, r.linkWritesPerForward.toFixed(4),
  ]),
);

// ---- the model --------------------------------------------------------------------------------
// With N workers and keys spread evenly, a client's connection lands on one worker and a share
// f(N) = (N-1)/N of its commands belong to another worker. A forwarded command costs the CPU of
// the command itself plus a forwarding overhead F (both workers' share of encoding, the Unix
// socket hop and splicing). F comes from the pinned pair: same core, same load, same work, plus
// forwarding. Each worker has a core of its own, so N cores serve N / (c1 + f(N)·F) requests per
// µs when the load generator runs elsewhere.
const one = rows.find((r) => r.config.startsWith("fast-cache --workers 1, pinned"));
const two = rows.find((r) => r.config.startsWith("fast-cache --workers 2, both pinned"));
let model: { n: number; cpuUsPerReq: number; mrps: number }[] = [];
if (one !== undefined && two !== undefined && two.forwardedShare > 0) {
  const c1 = one.cpuUsPerReq;
  const F = Math.max(0, (two.cpuUsPerReq - c1) / two.forwardedShare);
  const sysF = (two.syscallsPerReq - one.syscallsPerReq) / two.forwardedShare;
  console.log(`\nmodel: c1 = ${c1.toFixed(3)} µs/request (1 worker), forwarding overhead F = ${F.toFixed(3)} µs per forwarded command,`);
  console.log(`       ${sysF.toFixed(3)} extra syscalls per forwarded command (both workers, batched per loop turn)`);
  model = [1, 2, 4, 8, 16].map((n) => {
    const f = (n - 1) / n;
    const cpu = c1 + f * F;
    return { n, cpuUsPerReq: cpu, mrps: n / cpu };
  });
  printTable(
    "N workers on N free cores (load generated elsewhere), random keys",
    ["workers", "forwarded share", "CPU µs/req", "model M req/s", "vs 1 worker"],
    model.map((m) => [String(m.n), `${(((m.n - 1) / m.n) * 100).toFixed(1)}%`, m.cpuUsPerReq.toFixed(3), (m.mrps).toFixed(2), `${(m.mrps / model[0]!.mrps).toFixed(2)}×`]),
  );
  console.log("cluster-aware clients (--cluster-ports) forward nothing: N / c1 = " + (16 / c1).toFixed(2) + " M req/s at 16 workers");
}
emitJson({ requests: REQUESTS, rows, model });
