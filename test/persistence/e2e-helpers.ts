// Helpers of the whole-process persistence tests: a pipelining client that remembers which
// commands got a reply before the server died, state dumps over RESP, and server restarts.
import type { Socket } from "bun";
import { RespDecoder, encodeCommand, type RespValue } from "../support/resp-decode.ts";
import { BUN, REPO_ROOT, spawnServer, type ServerProcess } from "../support/server-process.ts";

/** A client that sends commands in order and records every reply; survives the server dying. */
export class PipeClient {
  readonly replies: RespValue[] = [];
  sent = 0;
  closed = false;
  private readonly decoder = new RespDecoder();
  private wake: (() => void) | undefined;
  private socket!: Socket<undefined>;
  private pending: Uint8Array[] = [];

  static async connect(port: number): Promise<PipeClient> {
    const c = new PipeClient();
    c.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        data: (_s, chunk) => {
          try {
            for (const v of c.decoder.feed(chunk)) c.replies.push(v);
          } catch {
            // a reply cut by the kill: what decoded before it counts
          }
          c.wake?.();
        },
        drain: () => c.drain(),
        close: () => c.onClose(),
        error: () => c.onClose(),
      },
    });
    return c;
  }

  private onClose(): void {
    this.closed = true;
    this.wake?.();
  }

  private drain(): void {
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

  send(...argv: string[]): void {
    this.sent++;
    const bytes = encodeCommand(argv);
    if (this.pending.length > 0) {
      this.pending.push(bytes);
      return;
    }
    const n = this.socket.write(bytes);
    if (n >= 0 && n < bytes.length) this.pending.push(bytes.subarray(n));
  }

  /** Waits until every sent command has its reply (or the connection closed, or `ms` passed). */
  async settle(ms = 15000): Promise<void> {
    const end = Date.now() + ms;
    while (this.replies.length < this.sent && !this.closed) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.replies.length} of ${this.sent} replies`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.wake = resolve;
      const t = setTimeout(resolve, Math.min(left, 50));
      await promise;
      clearTimeout(t);
      this.wake = undefined;
    }
  }

  async command(...argv: string[]): Promise<RespValue> {
    const at = this.sent;
    this.send(...argv);
    await this.settle();
    if (this.replies.length <= at) throw new Error(`no reply to ${argv.join(" ")} (connection closed)`);
    return this.replies[at]!;
  }

  close(): void {
    if (!this.closed) this.socket.end();
  }
}

/** Sends many commands pipelined on one connection and returns their replies in order. */
export async function pipeline(port: number, commands: string[][]): Promise<RespValue[]> {
  const c = await PipeClient.connect(port);
  try {
    for (const argv of commands) c.send(...argv);
    await c.settle(30000);
    return c.replies.slice();
  } finally {
    c.close();
  }
}

/** Every key with its value and absolute expiry (PEXPIRETIME, -1 = none), as "key=value@expiry", sorted. */
export async function dumpServer(port: number): Promise<string[]> {
  const keys: string[] = [];
  const c = await PipeClient.connect(port);
  try {
    let cursor = "0";
    do {
      const r = (await c.command("SCAN", cursor, "COUNT", "1000")) as [string, string[]];
      cursor = r[0];
      keys.push(...r[1]);
    } while (cursor !== "0");
  } finally {
    c.close();
  }
  const cmds: string[][] = [];
  for (const k of keys) cmds.push(["GET", k], ["PEXPIRETIME", k]);
  const r = await pipeline(port, cmds);
  const out: string[] = [];
  keys.forEach((k, i) => {
    const v = r[2 * i];
    if (v !== null) out.push(`${k}=${String(v)}@${String(r[2 * i + 1])}`);
  });
  return out.sort();
}

let singleFlags: string[] | undefined;
/**
 * Flags for one server process: `--workers 1` where the CLI has workers, so SIGKILL hits the
 * process that holds the data (a supervisor's workers are separate processes).
 */
export function singleProcessFlags(): string[] {
  if (singleFlags === undefined) {
    const help = Bun.spawnSync([BUN, "src/cli.ts", "--help"], { cwd: REPO_ROOT }).stdout.toString();
    singleFlags = help.includes("--workers") ? ["--workers", "1"] : [];
  }
  return singleFlags;
}

/** Starts a server on `dir` (kept after stop) with extra flags. */
export function serverOn(dir: string, args: string[] = []): Promise<ServerProcess> {
  return spawnServer(["--dir", dir, ...singleProcessFlags(), ...args], { keepDir: true, timeoutMs: 30000 });
}

/** Runs the server on `dir` expecting it to refuse to start: exit code and output. */
export async function startExpectingExit(dir: string, args: string[] = [], timeoutMs = 20000): Promise<{ code: number | null; stdout: string; stderr: string; port: number | undefined }> {
  const proc = Bun.spawn([BUN, "src/cli.ts", "--port", "0", "--dir", dir, ...singleProcessFlags(), ...args], { cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(killer);
  const m = /Ready to accept connections on \S+:(\d+)/.exec(stdout);
  return { code, stdout, stderr, port: m ? Number(m[1]) : undefined };
}

/** SIGKILL and wait for the exit. */
export async function kill9(srv: ServerProcess): Promise<void> {
  srv.proc.kill("SIGKILL");
  await srv.proc.exited;
}

/** Waits until `cond()` holds, checking every 10 ms; throws after `ms`. */
export async function waitFor(cond: () => boolean, ms = 15000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}
