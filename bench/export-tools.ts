// Helpers for bench/export.ts: export subscribers (decoding or byte-counting), the server-side file
// descriptors of those subscribers (from /proc), and `perf stat` counting sendto/write syscalls on
// exactly those descriptors. Nothing here is timed.
import { readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { authLine, fromLine, WalStreamReader } from "../src/export/index.ts";
import { sleep } from "./runner.ts";

/** A raw export subscriber in this process. */
export class BenchSubscriber {
  bytes = 0;
  frames = 0;
  closed = false;
  private socket: Bun.Socket<undefined> | undefined;

  /**
   * Connects with `FCWAL-AUTH/1` (when `token`) and `FCWAL-FROM/1 $`. With `onFrame`, every frame
   * is decoded and `onFrame(key, now)` is called (one `performance.now()` per received chunk);
   * without it, bytes are only counted (the cheapest reader possible).
   */
  static async open(port: number, token: string | undefined, onFrame?: (key: Uint8Array, now: number) => void): Promise<BenchSubscriber> {
    const sub = new BenchSubscriber();
    const reader = new WalStreamReader();
    const hello = Buffer.concat([...(token === undefined ? [] : [authLine(token)]), fromLine("$")]);
    sub.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        open: (s) => void s.write(hello),
        data: (_s, chunk) => {
          sub.bytes += chunk.length;
          if (onFrame === undefined) return;
          const now = performance.now();
          reader.feed(chunk, (item) => {
            if (item.kind !== "fcw4") return;
            sub.frames++;
            onFrame(item.frame.key, now);
          });
        },
        close: () => void (sub.closed = true),
        error: () => void (sub.closed = true),
      },
    });
    return sub;
  }

  close(): void {
    this.socket?.end();
  }
}

/** Opens `n` subscribers and waits until the server has started all their streams. */
export async function openSubscribers(n: number, port: number, token: string | undefined): Promise<BenchSubscriber[]> {
  const subs: BenchSubscriber[] = [];
  for (let i = 0; i < n; i++) subs.push(await BenchSubscriber.open(port, token));
  await sleep(100);
  return subs;
}

/** Socket inodes of established TCP connections whose local port is `port` (server side). */
function inodesOnLocalPort(port: number): Set<string> {
  const out = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      if (local === undefined || f[3] !== "01") continue; // 01 = ESTABLISHED
      if (parseInt(local.slice(local.lastIndexOf(":") + 1), 16) === port && f[9] !== undefined) out.add(f[9]);
    }
  }
  return out;
}

/** File descriptors in process `pid` of the connections accepted on local port `port`. */
export function socketFds(pid: number, port: number): number[] {
  const inodes = inodesOnLocalPort(port);
  const fds: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1]!)) fds.push(Number(fd));
    } catch {
      // closed meanwhile
    }
  }
  return fds.sort((a, b) => a - b);
}

export const havePerf = Bun.which("perf") !== null && process.env.BENCH_PERF !== "0";

/**
 * Attaches `perf stat` to `pid` counting sendto(2) and write(2) entries whose fd is one of `fds`.
 * The returned stop() gives the total (NaN when perf is missing or failed).
 */
export async function countSocketWrites(pid: number, fds: number[]): Promise<() => Promise<number>> {
  if (!havePerf || fds.length === 0) return async () => NaN;
  const filter = fds.map((fd) => `fd == ${fd}`).join(" || ");
  const out = `/tmp/fast-cache-bench-export-perf-${process.pid}-${pid}.csv`;
  const proc = Bun.spawn(["perf", "stat", "-x,", "-o", out, "-p", String(pid),
    "-e", "syscalls:sys_enter_sendto", "--filter", filter, "-e", "syscalls:sys_enter_write", "--filter", filter], {
    stdout: "ignore", stderr: "ignore",
  });
  await sleep(200); // perf attaches asynchronously
  return async () => {
    proc.kill("SIGINT");
    await proc.exited;
    let n = NaN;
    try {
      for (const line of readFileSync(out, "utf8").split("\n")) {
        if (!line.includes("syscalls:sys_enter_")) continue;
        const v = Number(line.split(",")[0]);
        if (Number.isFinite(v)) n = (Number.isNaN(n) ? 0 : n) + v;
      }
      rmSync(out, { force: true });
    } catch {
      // perf failed to attach
    }
    return n;
  };
}

/** The p-th percentile (0..1) of sorted `xs`. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * CPU time of every thread of `pid` in seconds, from /proc/<pid>/task/<tid>/schedstat (nanosecond
 * resolution; /proc/<pid>/stat counts 10 ms ticks, too coarse for a 0.6 s run).
 */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e9;
}
