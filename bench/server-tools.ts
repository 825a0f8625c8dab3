// Helpers to run servers for benchmarks: start redis-server / fast-cache-server on loopback,
// talk RESP to them, bulk-load keys through one pipelined connection, and read per-process
// CPU, syscall and RSS figures from /proc (summed over the server's whole process tree).
import type { Subprocess } from "bun";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FIXED_KEY_BYTES, FIXED_VALUE_BYTES, sleep, writeFixedKey, writeFixedValue } from "./runner.ts";

const ROOT = resolve(import.meta.dir, "..");

/** A server started for a benchmark. `pid` is the process that serves (verified via /proc). */
export interface ServerProcess {
  name: string;
  port: number;
  pid: number;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** Spawns `cmd`, waits until `PING` answers `+PONG` on `port`, and returns the handle. */
async function startServer(name: string, cmd: string[], port: number, cwd: string): Promise<ServerProcess> {
  const proc = Bun.spawn(cmd, { cwd, stdout: "ignore", stderr: "pipe", stdin: "ignore" });
  try {
    await waitForPong(port, 15_000, proc);
  } catch (err) {
    proc.kill();
    const stderr = await new Response(proc.stderr).text().catch(() => "");
    throw new Error(`${name} did not start on port ${port}: ${String(err)}\n${stderr.slice(0, 2000)}`);
  }
  return {
    name,
    port,
    pid: proc.pid,
    proc,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/** redis-server without persistence, in the foreground, on `port`. */
export function startRedis(port: number): Promise<ServerProcess> {
  const cmd = ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
  return startServer("redis", cmd, port, "/tmp");
}

/**
 * fast-cache-server from this checkout (`bun src/cli.ts --port P …`), like the redis-server it is
 * compared with: no WAL, no snapshots, and a fresh temporary `--dir` removed when it stops.
 */
export async function startFastCache(port: number, extraArgs: string[] = [], bunArgs: string[] = []): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "fast-cache-bench-"));
  const cmd = [process.execPath, ...bunArgs, "src/cli.ts", "--port", String(port), "--appendonly", "no", "--save", "", "--dir", dir, ...extraArgs];
  try {
    const server = await startServer("fast-cache", cmd, port, ROOT);
    const stop = server.stop;
    return { ...server, stop: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True when `redis-server` is on PATH. */
export function haveRedis(): boolean {
  return Bun.which("redis-server") !== null;
}

/** Retries `PING` until `+PONG` arrives or `timeoutMs` passes. */
async function waitForPong(port: number, timeoutMs: number, proc: Subprocess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = "timeout";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited with code ${proc.exitCode}`);
    try {
      const c = await RespClient.connect(port);
      try {
        const r = await c.command(["PING"], 2_000);
        if (r === "PONG") return;
        last = r;
      } finally {
        c.close();
      }
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`no PONG: ${String(last)}`);
}

/** A decoded RESP reply (enough for INFO, PING, DBSIZE, CONFIG). Errors are `Error` values. */
export type RespValue = string | number | null | Error | RespValue[];

/** Parses one reply from `buf[pos..]`; returns [value, nextPos] or undefined if incomplete. */
function parseReply(buf: Uint8Array, pos: number): [RespValue, number] | undefined {
  const eol = buf.indexOf(10, pos);
  if (eol < 0) return undefined;
  const type = buf[pos];
  const line = new TextDecoder().decode(buf.subarray(pos + 1, eol - 1));
  switch (type) {
    case 43: // +
      return [line, eol + 1];
    case 45: // -
      return [new Error(line), eol + 1];
    case 58: // :
      return [Number(line), eol + 1];
    case 36: { // $
      const len = Number(line);
      if (len < 0) return [null, eol + 1];
      if (buf.length < eol + 1 + len + 2) return undefined;
      return [new TextDecoder().decode(buf.subarray(eol + 1, eol + 1 + len)), eol + 1 + len + 2];
    }
    case 42: { // *
      const n = Number(line);
      if (n < 0) return [null, eol + 1];
      const out: RespValue[] = [];
      let p = eol + 1;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return undefined;
        out.push(r[0]);
        p = r[1];
      }
      return [out, p];
    }
    default:
      return [new Error(`unexpected reply type ${String(type)}`), eol + 1];
  }
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Uint8Array {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return Buffer.from(s);
}

/** A tiny one-command-at-a-time RESP client with partial-write handling. */
export class RespClient {
  private inbuf: Uint8Array = new Uint8Array(0);
  private waiters: ((v: RespValue) => void)[] = [];
  private pending: Uint8Array[] = [];
  private closed = false;
  private constructor(private readonly socket: Bun.Socket<undefined>) {}

  static async connect(port: number): Promise<RespClient> {
    let client: RespClient | undefined;
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) { client?.onData(chunk); },
        drain() { client?.flush(); },
        close() { client?.onClose(); },
        error() { client?.onClose(); },
      },
    });
    client = new RespClient(socket);
    return client;
  }

  private onData(chunk: Uint8Array): void {
    const merged = new Uint8Array(this.inbuf.length + chunk.length);
    merged.set(this.inbuf);
    merged.set(chunk, this.inbuf.length);
    let pos = 0;
    for (;;) {
      const r = parseReply(merged, pos);
      if (!r) break;
      pos = r[1];
      this.waiters.shift()?.(r[0]);
    }
    this.inbuf = merged.slice(pos);
  }

  private onClose(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(new Error("connection closed"));
  }

  private flush(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      const n = this.socket.write(head);
      if (n < 0) return this.onClose();
      if (n < head.length) {
        this.pending[0] = head.subarray(n);
        return;
      }
      this.pending.shift();
    }
  }

  /** Sends one command and resolves with its reply (rejects after `timeoutMs`). */
  command(args: readonly string[], timeoutMs = 10_000): Promise<RespValue> {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    const { promise, resolve: done, reject } = Promise.withResolvers<RespValue>();
    const timer = setTimeout(() => reject(new Error(`timeout: ${args[0]}`)), timeoutMs);
    this.waiters.push((v) => { clearTimeout(timer); done(v); });
    this.pending.push(encodeCommand(args));
    if (this.pending.length === 1) this.flush();
    return promise;
  }

  close(): void {
    this.socket.end();
  }
}

/** Parses `INFO` text into a field map. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** `INFO <section>` on a fresh connection, parsed. Empty map when the server does not answer text. */
export async function info(port: number, section: string): Promise<Map<string, string>> {
  const c = await RespClient.connect(port);
  try {
    const r = await c.command(["INFO", section]);
    return typeof r === "string" ? parseInfo(r) : new Map();
  } finally {
    c.close();
  }
}

/** One RESP buffer holding `SET key:<i> val:<i>` for i in [first, first+count). */
export function buildSetPipeline(first: number, count: number): Uint8Array {
  const head = Buffer.from(`*3\r\n$3\r\nSET\r\n$${FIXED_KEY_BYTES}\r\n`);
  const mid = Buffer.from(`\r\n$${FIXED_VALUE_BYTES}\r\n`);
  const per = head.length + FIXED_KEY_BYTES + mid.length + FIXED_VALUE_BYTES + 2;
  const out = new Uint8Array(per * count);
  let off = 0;
  for (let i = first; i < first + count; i++) {
    out.set(head, off);
    off += head.length;
    writeFixedKey(out, off, i);
    off += FIXED_KEY_BYTES;
    out.set(mid, off);
    off += mid.length;
    writeFixedValue(out, off, i);
    off += FIXED_VALUE_BYTES;
    out[off++] = 13;
    out[off++] = 10;
  }
  return out;
}

/**
 * Loads `count` keys (16-byte keys, 32-byte values) through one connection: the whole pipeline
 * is one buffer written as fast as the socket accepts it (partial writes resumed from `drain`),
 * and the call resolves once `count` one-line replies have arrived. Returns errors seen.
 */
export async function loadKeys(port: number, count: number, timeoutMs = 180_000): Promise<{ ms: number; errors: number }> {
  const payload = buildSetPipeline(0, count);
  const t0 = performance.now();
  const { promise, resolve: done, reject } = Promise.withResolvers<number>();
  let offset = 0;
  let lines = 0;
  let errors = 0;
  let atLineStart = true;
  const pump = (s: Bun.Socket<undefined>): void => {
    while (offset < payload.length) {
      const n = s.write(payload.subarray(offset, Math.min(payload.length, offset + (1 << 20))));
      if (n <= 0) return;
      offset += n;
    }
  };
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(s) { pump(s); },
      drain(s) { pump(s); },
      data(_s, chunk) {
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i];
          if (atLineStart && b === 45) errors++;
          atLineStart = b === 10;
          if (b === 10) lines++;
        }
        if (lines >= count) done(errors);
      },
      close() { reject(new Error(`closed after ${lines} replies`)); },
      error(_s, err) { reject(err); },
    },
  });
  const timer = setTimeout(() => reject(new Error(`load timed out after ${lines} replies`)), timeoutMs);
  try {
    await promise;
  } finally {
    clearTimeout(timer);
    socket.end();
  }
  return { ms: performance.now() - t0, errors };
}

/** `pid` and all its descendants (via /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, "utf8").trim().split(/\s+/)) {
          if (c) out.push(Number(c));
        }
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** The command name of `pid` (`/proc/<pid>/comm`). */
export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

/** Clock ticks per second for /proc/<pid>/stat times. */
export const CLK_TCK = (() => {
  const r = Bun.spawnSync(["getconf", "CLK_TCK"]);
  const n = Number(r.stdout.toString().trim());
  return n > 0 ? n : 100;
})();

/** Counters of a process tree at one instant. */
export interface ProcSample {
  /** utime + stime, in seconds. */
  cpuSec: number;
  /** read-class syscalls (/proc/<pid>/io syscr). */
  syscr: number;
  /** write-class syscalls (/proc/<pid>/io syscw). */
  syscw: number;
  /** resident set size in bytes. */
  rss: number;
}

/** Sums CPU time, syscr/syscw and RSS over `pid` and its descendants. */
export function sampleProc(pid: number): ProcSample {
  const s: ProcSample = { cpuSec: 0, syscr: 0, syscw: 0, rss: 0 };
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after "(comm) ": state=0 … utime=11 stime=12 … rss(pages)=21
      s.cpuSec += (Number(f[11]) + Number(f[12])) / CLK_TCK;
      const io = readFileSync(`/proc/${p}/io`, "utf8");
      s.syscr += Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0);
      s.syscw += Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      s.rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return s;
}
