// Whole-process helpers: spawn `bun src/cli.ts` (or a compiled binary) on port 0, wait for its
// ready line, and talk to it with a tiny RESP client over Bun.connect for byte-exact tests.
//
//   await using srv = await spawnServer(["--requirepass", "pw"]);
//   await using c = await RawClient.connect(srv.port);
//   c.send("PING\r\n");
//   expect(await c.read(1)).toEqual(["PONG"]);

import type { Socket, Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RespDecoder, encodeCommand, type DecodeOptions, type RespValue } from "./resp-decode.ts";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const BUN = process.execPath;
const READY = /Ready to accept connections on (\S+):(\d+)/;

export interface ServerProcess {
  port: number;
  /** The data directory (--dir) the server uses. */
  dir: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches `re` (rejects after `ms`). */
  waitStdout(re: RegExp, ms: number): Promise<RegExpExecArray>;
  /** SIGTERM, then waits (bounded) for the exit code. */
  stop(): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface SpawnOptions {
  /** A compiled binary to run instead of `bun src/cli.ts`. */
  binary?: string;
  /** Longest wait for the ready line. @default 10000 */
  timeoutMs?: number;
  /**
   * Keep the data directory after stop. A directory the caller passed with `--dir` is never
   * removed; without `--dir` each server gets a fresh temp dir, removed after stop. @default false
   */
  keepDir?: boolean;
}

/** A fresh temp directory for a server's data (parallel test files never share one). */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "fc-data-"));
}

/** Collects a stream into a string as it arrives; `wait(re)` resolves when `re` matches. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void>; wait: (re: RegExp, ms: number) => Promise<RegExpExecArray> } {
  let text = "";
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = waiters[i]!.re.exec(text);
      if (m) {
        waiters[i]!.resolve(m);
        waiters.splice(i, 1);
      }
    }
  };
  const done = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      text += dec.decode(chunk, { stream: true });
      check();
    }
  })().catch(() => {});
  const wait = (re: RegExp, ms: number): Promise<RegExpExecArray> => {
    const m = re.exec(text);
    if (m) return Promise.resolve(m);
    const { promise, resolve, reject } = Promise.withResolvers<RegExpExecArray>();
    waiters.push({ re, resolve });
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${re}; output so far: ${text}`)), ms);
    void promise.finally(() => clearTimeout(t)).catch(() => {});
    void done.then(() => setTimeout(() => reject(new Error(`process output ended without ${re}: ${text}`)), 50));
    return promise;
  };
  return { text: () => text, done, wait };
}

/** Runs a command to completion (bounded) and returns its output and exit code. */
export async function runToExit(cmd: string[], timeoutMs = 15000): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Starts the server on port 0 (unless `args` names a port) and waits for its ready line. */
export async function spawnServer(args: string[] = [], opts: SpawnOptions = {}): Promise<ServerProcess> {
  let withPort = args.includes("--port") ? args : ["--port", "0", ...args];
  const ownDir = !args.includes("--dir");
  const dir = ownDir ? tempDataDir() : args[args.indexOf("--dir") + 1]!;
  if (ownDir) withPort = [...withPort, "--dir", dir];
  // Two workers unless a test asks otherwise: forwarding and the cross-worker paths are always
  // exercised, whatever the machine's automatic count (one worker on two cores).
  if (!args.includes("--workers")) withPort = [...withPort, "--workers", "2"];
  // Test servers take no periodic snapshots unless asked (none would fire within a test anyway).
  if (!args.some((a) => a === "--save" || a.startsWith("--snapshot-"))) withPort = [...withPort, "--snapshot-every-seconds", "0"];
  const removeDir = (): void => {
    if (ownDir && !opts.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const cmd = opts.binary ? [opts.binary, ...withPort] : [BUN, "src/cli.ts", ...withPort];
  const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  let match: RegExpExecArray;
  try {
    match = await out.wait(READY, opts.timeoutMs ?? 10000);
  } catch (e) {
    proc.kill("SIGKILL");
    await proc.exited;
    removeDir();
    throw new Error(`${(e as Error).message}\nstderr: ${err.text()}`);
  }
  const stop = async (): Promise<number> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
    const code = await proc.exited;
    clearTimeout(t);
    removeDir();
    return code;
  };
  return {
    port: Number(match[2]),
    dir,
    proc,
    stdout: out.text,
    stderr: err.text,
    waitStdout: out.wait,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** A byte-level RESP client: send anything, read decoded replies, see when the server closes. */
export class RawClient {
  private readonly decoder: RespDecoder;
  private readonly replies: RespValue[] = [];
  private wake: (() => void) | undefined;
  private closedFlag = false;
  private readonly closedP = Promise.withResolvers<void>();
  /** Every byte received (for exact comparisons). */
  received = new Uint8Array(0);
  private receivedLen = 0;
  private socket!: Socket<undefined>;

  private constructor(opts: DecodeOptions) {
    this.decoder = new RespDecoder(opts);
  }

  static async connect(port: number, opts: DecodeOptions & { hostname?: string } = {}): Promise<RawClient> {
    const c = new RawClient(opts);
    c.socket = await Bun.connect({
      hostname: opts.hostname ?? "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        data: (_s, chunk) => c.onData(chunk),
        close: () => c.onClose(),
        error: () => c.onClose(),
      },
    });
    return c;
  }

  private onData(chunk: Uint8Array): void {
    if (this.receivedLen + chunk.length > this.received.length) {
      const next = new Uint8Array(Math.max(1024, (this.receivedLen + chunk.length) * 2));
      next.set(this.received.subarray(0, this.receivedLen));
      this.received = next;
    }
    this.received.set(chunk, this.receivedLen);
    this.receivedLen += chunk.length;
    try {
      for (const v of this.decoder.feed(chunk)) this.replies.push(v);
    } catch {
      // Not RESP (a test that expects garbage reads `bytes()` instead).
    }
    this.wake?.();
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.closedP.resolve();
    this.wake?.();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received so far. */
  bytes(): Uint8Array {
    return this.received.subarray(0, this.receivedLen);
  }

  /** Writes everything (keeps writing through backpressure). */
  send(data: string | Uint8Array): void {
    let bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const w = this.socket.write(bytes);
    if (w < bytes.length) {
      bytes = bytes.subarray(Math.max(0, w));
      const retry = (): void => {
        if (this.closedFlag || bytes.length === 0) return;
        const n = this.socket.write(bytes);
        bytes = bytes.subarray(Math.max(0, n));
        if (bytes.length > 0) setTimeout(retry, 1);
      };
      setTimeout(retry, 1);
    }
  }

  /** Sends one command as a RESP array. */
  sendCommand(...argv: (string | Uint8Array)[]): void {
    this.send(encodeCommand(argv));
  }

  /** Waits (bounded) for `n` replies and returns them. */
  async read(n: number, timeoutMs = 10000): Promise<RespValue[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n) {
      if (this.closedFlag) throw new Error(`connection closed after ${this.replies.length} of ${n} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.replies.length} of ${n} replies`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.wake = resolve;
      const t = setTimeout(resolve, left);
      await promise;
      clearTimeout(t);
      this.wake = undefined;
    }
    return this.replies.splice(0, n);
  }

  /** Sends a command and returns its reply. */
  async command(...argv: (string | Uint8Array)[]): Promise<RespValue> {
    this.sendCommand(...argv);
    return (await this.read(1))[0]!;
  }

  /** Resolves true when the server closes the connection within `timeoutMs`. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    if (this.closedFlag) return true;
    const t = Bun.sleep(timeoutMs).then(() => false);
    return Promise.race([this.closedP.promise.then(() => true), t]);
  }

  /** Stops reading (the server's replies back up into its output backlog). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (!this.closedFlag) this.socket.end();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
