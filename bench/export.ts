// WAL export (src/export/) under load, on loopback: fast-cache-server `--workers 1 --appendonly yes
// --appendfsync everysec --wal-export listen`, side by side in one run.
//
//   bun bench/export.ts            full run (~1.5 min)
//   BENCH_QUICK=1                  short run (~20 s)
//   BENCH_JSON=1                   also print the results as JSON
//   BENCH_PERF=0                   do not attach `perf stat` (no syscall counts)
//
// 1. Export latency: a paced writer (SET lat:<id>, 32-byte value) at ~1k, ~50k and max writes/s over
//    a few pipelined connections; each SET is timestamped when it is sent and when its reply
//    arrives, each frame when the subscriber (same process, same clock) decodes it; matched by key.
//    Latency = frame decoded − reply received (can be negative: the frame may beat the reply).
// 2. Server throughput and CPU per request with 0, 1 and 8 subscribers attached (byte-counting
//    readers), and on a server without --wal-export, under `redis-benchmark -t set -n 300000 -c 50 -P 16`; N runs each, interleaved;
//    best and median reported.
//    CPU = the server's threads' run time from /proc/<pid>/task/*/schedstat (ns resolution).
// 3. Write syscalls per frame per subscriber: `perf stat` counts sendto(2)+write(2) entries of the
//    server on the subscribers' own file descriptors (found through /proc/net/tcp), divided by
//    frames published × subscribers. /proc/<pid>/io syscw does not see Bun's sendto.
import { BenchSubscriber, countSocketWrites, cpuSeconds, havePerf, openSubscribers, percentile, socketFds } from "./export-tools.ts";
import { emitJson, fmtNum, fmtPct, freePort, printEnvironment, printTable, quickMode, sleep } from "./runner.ts";
import { info, startFastCache, type ServerProcess } from "./server-tools.ts";

const TOKEN = "bench-token";
const SECONDS = quickMode ? 3 : 8;
const REQUESTS = 300_000;
const REPEAT = quickMode ? 1 : 7;
const RATES: { name: string; rate: number; conns: number }[] = [
  { name: "1k/s", rate: 1_000, conns: 1 },
  { name: "50k/s", rate: 50_000, conns: 2 },
  { name: "max", rate: Infinity, conns: 4 },
];
/** In-flight SETs per connection in the "max" run. */
const WINDOW = 256;
const KEY_BYTES = 14; // "lat:" + 10 digits
const VALUE_BYTES = 32;

// ---- the paced writer ----------------------------------------------------------------------

const HEAD = Buffer.from(`*3\r\n$3\r\nSET\r\n$${KEY_BYTES}\r\nlat:`);
const MID = Buffer.from(`\r\n$${VALUE_BYTES}\r\n${"x".repeat(VALUE_BYTES)}\r\n`);
const CMD_BYTES = HEAD.length + KEY_BYTES - 4 + MID.length;
const TEMPLATE = new Uint8Array(CMD_BYTES);
TEMPLATE.set(HEAD, 0);
TEMPLATE.set(MID, HEAD.length + KEY_BYTES - 4);

/** SET commands for ids [first, first+count), one buffer. */
function encodeSets(first: number, count: number): Uint8Array {
  const out = new Uint8Array(CMD_BYTES * count);
  for (let i = 0; i < count; i++) {
    const off = i * CMD_BYTES;
    out.set(TEMPLATE, off);
    let v = first + i;
    for (let d = off + HEAD.length + KEY_BYTES - 5; d >= off + HEAD.length; d--) {
      out[d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }
  return out;
}

/** The id of a "lat:<10 digits>" key, or -1. */
function keyId(key: Uint8Array): number {
  if (key.length !== KEY_BYTES || key[0] !== 0x6c || key[3] !== 0x3a) return -1;
  let v = 0;
  for (let i = 4; i < KEY_BYTES; i++) v = v * 10 + (key[i]! - 48);
  return v;
}

/** One writer connection: ids in flight as contiguous ranges, replies counted by "\n". */
class WriterConn {
  inFlight = 0;
  private ranges: number[] = []; // [first, count, first, count, …]
  private head = 0;
  private pending: Uint8Array[] = [];
  private socket!: Bun.Socket<undefined>;

  static async open(port: number, onReply: (id: number, now: number) => void, onFree: (c: WriterConn) => void): Promise<WriterConn> {
    const c = new WriterConn();
    c.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        data: (_s, chunk) => {
          const now = performance.now();
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) onReply(c.nextId(), now);
          onFree(c);
        },
        drain: () => c.flush(),
        error: () => {},
      },
    });
    return c;
  }

  private nextId(): number {
    const first = this.ranges[this.head]!;
    const left = this.ranges[this.head + 1]! - 1;
    if (left === 0) {
      this.head += 2;
      if (this.head > 4096) {
        this.ranges = this.ranges.slice(this.head);
        this.head = 0;
      }
    } else {
      this.ranges[this.head] = first + 1;
      this.ranges[this.head + 1] = left;
    }
    this.inFlight--;
    return first;
  }

  send(first: number, count: number): void {
    this.ranges.push(first, count);
    this.inFlight += count;
    this.pending.push(encodeSets(first, count));
    if (this.pending.length === 1) this.flush();
  }

  private flush(): void {
    while (this.pending.length > 0) {
      const b = this.pending[0]!;
      const n = this.socket.write(b);
      if (n < 0) return;
      if (n < b.length) {
        this.pending[0] = b.subarray(n);
        return;
      }
      this.pending.shift();
    }
  }

  close(): void {
    this.socket.end();
  }
}

interface LatencyResult {
  name: string;
  targetRate: number;
  achievedRate: number;
  writes: number;
  samples: number;
  missing: number;
  p50ReplyToFrameMs: number;
  p99ReplyToFrameMs: number;
  p50SendToFrameMs: number;
  p99SendToFrameMs: number;
  p50SendToReplyMs: number;
  p99SendToReplyMs: number;
  syscallsPerFrame: number;
}

async function latencyRun(server: ServerProcess, exportPort: number, name: string, rate: number, nconns: number): Promise<LatencyResult> {
  const cap = Math.min(Number.isFinite(rate) ? Math.ceil(rate * SECONDS * 1.2) + 1000 : 8_000_000, 8_000_000);
  const sentAt = new Float64Array(cap);
  const replyAt = new Float64Array(cap);
  const frameAt = new Float64Array(cap);
  let replies = 0;
  let frames = 0;
  const sub = await BenchSubscriber.open(exportPort, TOKEN, (key, now) => {
    const id = keyId(key);
    if (id >= 0 && id < cap) {
      frameAt[id] = now;
      frames++;
    }
  });
  await sleep(100);
  const fds = socketFds(server.pid, exportPort);
  let next = 0;
  let stopped = false;
  const sendBatch = (c: WriterConn, count: number): void => {
    const n = Math.min(count, cap - next);
    if (n <= 0) return;
    const now = performance.now();
    sentAt.fill(now, next, next + n);
    c.send(next, n);
    next += n;
  };
  const onReply = (id: number, now: number): void => {
    replyAt[id] = now;
    replies++;
  };
  const onFree = (c: WriterConn): void => {
    if (!Number.isFinite(rate) && !stopped && c.inFlight < WINDOW / 2) sendBatch(c, WINDOW - c.inFlight);
  };
  const conns: WriterConn[] = [];
  for (let i = 0; i < nconns; i++) conns.push(await WriterConn.open(server.port, onReply, onFree));
  const stopPerf = await countSocketWrites(server.pid, fds);
  const framesBefore = frames;
  const t0 = performance.now();
  if (Number.isFinite(rate)) {
    // Every ~1 ms, send the SETs that are due, spread over the connections.
    let rr = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - t0) * rate) / 1000) - next;
      if (due > 0) {
        const per = Math.ceil(due / conns.length);
        for (let left = due; left > 0; left -= per) sendBatch(conns[rr++ % conns.length]!, Math.min(per, left));
      }
      await sleep(1);
    }
  } else {
    for (const c of conns) sendBatch(c, WINDOW);
    await sleep(SECONDS * 1000);
  }
  stopped = true;
  const elapsed = (performance.now() - t0) / 1000;
  const deadline = Date.now() + 15_000;
  while ((replies < next || frames < next) && Date.now() < deadline) await sleep(10);
  const sys = await stopPerf();
  const framesInWindow = frames - framesBefore;
  for (const c of conns) c.close();
  sub.close();

  // Skip the first 10 % (connection warm-up, JIT).
  const from = Math.floor(next * 0.1);
  const r2f: number[] = [];
  const s2f: number[] = [];
  const s2r: number[] = [];
  let missing = 0;
  for (let id = from; id < next; id++) {
    if (frameAt[id] === 0 || replyAt[id] === 0) {
      missing++;
      continue;
    }
    r2f.push(frameAt[id]! - replyAt[id]!);
    s2f.push(frameAt[id]! - sentAt[id]!);
    s2r.push(replyAt[id]! - sentAt[id]!);
  }
  const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
  const a = sorted(r2f);
  const b = sorted(s2f);
  const c = sorted(s2r);
  return {
    name,
    targetRate: rate,
    achievedRate: next / elapsed,
    writes: next,
    samples: a.length,
    missing,
    p50ReplyToFrameMs: percentile(a, 0.5),
    p99ReplyToFrameMs: percentile(a, 0.99),
    p50SendToFrameMs: percentile(b, 0.5),
    p99SendToFrameMs: percentile(b, 0.99),
    p50SendToReplyMs: percentile(c, 0.5),
    p99SendToReplyMs: percentile(c, 0.99),
    syscallsPerFrame: sys / framesInWindow,
  };
}

// ---- throughput with 0, 1, 8 subscribers ----------------------------------------------------

interface ThroughputResult {
  subscribers: number;
  rps: number;
  cpuUsPerReq: number;
  frames: number;
  syscallsPerFramePerSub: number;
  lagDrained: boolean;
}

/** `redis-benchmark -t set -n REQUESTS -c 50 -P 16` against `port`; returns requests/s. */
async function redisBenchmark(port: number): Promise<number> {
  const proc = Bun.spawn(["redis-benchmark", "-h", "127.0.0.1", "-p", String(port), "-t", "set", "-n", String(REQUESTS),
    "-c", "50", "-P", "16", "--csv"], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
  const [stdout] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const row = stdout.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"')).at(-1);
  if (!row) throw new Error(`redis-benchmark gave no CSV row:\n${stdout}`);
  return Number(row.split(",")[1]?.replaceAll('"', ""));
}

async function exportStats(port: number): Promise<{ lastSeq: number; lag: number; active: number }> {
  const m = await info(port, "walexport");
  return { lastSeq: Number(m.get("walexport_last_seq")), lag: Number(m.get("walexport_slowest_lag")), active: Number(m.get("walexport_subscribers_active")) };
}

/** One redis-benchmark run with `nsubs` subscribers; nsubs -1: `plain`, a server without --wal-export. */
async function throughputRun(server: ServerProcess, exportPort: number, nsubs: number, plain: ServerProcess): Promise<ThroughputResult> {
  if (nsubs < 0) return plainRun(plain);
  const subs = await openSubscribers(nsubs, exportPort, TOKEN);
  const fds = nsubs > 0 ? socketFds(server.pid, exportPort) : [];
  if (fds.length !== nsubs) throw new Error(`expected ${nsubs} subscriber sockets in the server, found ${fds.length}`);
  const stopPerf = await countSocketWrites(server.pid, fds);
  const s0 = await exportStats(server.port);
  const before = cpuSeconds(server.pid);
  const rps = await redisBenchmark(server.port);
  const after = cpuSeconds(server.pid);
  // Let every subscriber receive the whole window before the syscall count stops.
  let s1 = await exportStats(server.port);
  const deadline = Date.now() + 15_000;
  while (nsubs > 0 && s1.lag !== 0 && Date.now() < deadline) {
    await sleep(20);
    s1 = await exportStats(server.port);
  }
  const sys = await stopPerf();
  for (const s of subs) s.close();
  await sleep(100);
  const frames = s1.lastSeq - s0.lastSeq;
  return {
    subscribers: nsubs,
    rps,
    cpuUsPerReq: ((after - before) * 1e6) / REQUESTS,
    frames,
    syscallsPerFramePerSub: nsubs > 0 ? sys / (frames * nsubs) : NaN,
    lagDrained: s1.lag === 0,
  };
}

async function plainRun(server: ServerProcess): Promise<ThroughputResult> {
  const before = cpuSeconds(server.pid);
  const rps = await redisBenchmark(server.port);
  const after = cpuSeconds(server.pid);
  return { subscribers: -1, rps, cpuUsPerReq: ((after - before) * 1e6) / REQUESTS, frames: NaN, syscallsPerFramePerSub: NaN, lagDrained: true };
}

// ---- main -------------------------------------------------------------------------------------

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "-");
const fix = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : "-");

async function main(): Promise<void> {
  if (Bun.which("redis-benchmark") === null) {
    console.error("redis-benchmark must be on PATH");
    process.exit(1);
  }
  printEnvironment(`bench:export  ${quickMode ? "QUICK " : ""}latency ${SECONDS} s per rate, throughput -n ${REQUESTS} best of ${REPEAT}, perf=${havePerf}`);
  const t0 = performance.now();
  const exportPort = freePort();
  const server = await startFastCache(freePort(), ["--workers", "1", "--appendonly", "yes", "--appendfsync", "everysec",
    "--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${exportPort}`, "--wal-export-token", TOKEN]);
  try {
    const latency: LatencyResult[] = [];
    for (const r of RATES) latency.push(await latencyRun(server, exportPort, r.name, r.rate, r.conns));
    printTable("Export latency (ms; one subscriber; writer and subscriber in one process, same clock)",
      ["writes/s", "achieved", "samples", "missing", "reply→frame p50", "p99", "send→frame p50", "p99", "send→reply p50", "p99", "sendto/frame"],
      latency.map((l) => [l.name, fmtNum(l.achievedRate), fmtNum(l.samples), fmtNum(l.missing), ms(l.p50ReplyToFrameMs), ms(l.p99ReplyToFrameMs),
        ms(l.p50SendToFrameMs), ms(l.p99SendToFrameMs), ms(l.p50SendToReplyMs), ms(l.p99SendToReplyMs), fix(l.syscallsPerFrame)]));

    // Same WAL settings without --wal-export, for the cost of the exporter with nobody attached.
    const plain = await startFastCache(freePort(), ["--workers", "1", "--appendonly", "yes", "--appendfsync", "everysec"]);
    const counts = [-1, 0, 1, 8];
    const runs: ThroughputResult[][] = counts.map(() => []);
    try {
      for (let rep = 0; rep < REPEAT; rep++) {
        for (let i = 0; i < counts.length; i++) runs[i]!.push(await throughputRun(server, exportPort, counts[i]!, plain));
      }
    } finally {
      await plain.stop();
    }
    const median = (xs: number[]): number => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 === 1 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const rows = runs.map((rs) => ({
      subscribers: rs[0]!.subscribers,
      bestRps: Math.max(...rs.map((r) => r.rps)),
      medianRps: median(rs.map((r) => r.rps)),
      medianCpu: median(rs.map((r) => r.cpuUsPerReq)),
      frames: median(rs.map((r) => r.frames)),
      syscalls: median(rs.map((r) => r.syscallsPerFramePerSub)),
      drained: rs.every((r) => r.lagDrained),
      all: rs.map((r) => fmtNum(r.rps / 1000)).join(" "),
    }));
    const base = rows[1]!;
    printTable(`Server with subscribers (redis-benchmark -t set -n ${REQUESTS} -c 50 -P 16; ${REPEAT} runs each, interleaved)`,
      ["subscribers", "best rps", "vs 0", "median rps", "vs 0", "CPU µs/req (median)", "vs 0", "sendto/frame/sub", "drained", "all runs (k rps)"],
      rows.map((b) => [b.subscribers < 0 ? "no export" : String(b.subscribers), fmtNum(b.bestRps), fmtPct(b.bestRps / base.bestRps - 1),
        fmtNum(b.medianRps), fmtPct(b.medianRps / base.medianRps - 1), fix(b.medianCpu, 3), fmtPct(b.medianCpu / base.medianCpu - 1),
        fix(b.syscalls), String(b.drained), b.all]));
    const summary = rows.map(({ all: _all, ...r }) => r);
    emitJson({ latency, throughput: summary, throughputRuns: runs });
  } finally {
    await server.stop();
  }
  console.log(`Total time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
