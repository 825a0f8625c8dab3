// Parts of the replication benchmark that are not timed: start a primary or a replica (fast-cache
// or redis-server), attach a replica with REPLICAOF and wait for `master_link_status:up`, wait
// until a replica has processed everything its primary produced, run redis-benchmark.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, sleep } from "./runner.ts";
import { info, RespClient, type RespValue } from "./server-tools.ts";

const ROOT = resolve(import.meta.dir, "..");

export type ServerKind = "fast-cache" | "redis";

/** A server started for this benchmark; `pid` is the serving process (its tree is sampled). */
export interface Node {
  kind: ServerKind;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts one server without persistence on a free port and waits (bounded) for PING. fast-cache
 * runs one worker; redis-server syncs without the default 5 s diskless delay.
 */
export async function startNode(kind: ServerKind): Promise<Node> {
  const port = freePort();
  const dir = mkdtempSync(join(tmpdir(), `fc-replbench-${kind}-`));
  const cmd = kind === "redis"
    ? ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--repl-diskless-sync-delay", "0"]
    : [process.execPath, "src/cli.ts", "--port", String(port), "--dir", dir, "--appendonly", "no", "--save", "", "--workers", "1"];
  const proc = Bun.spawn(cmd, { cwd: kind === "redis" ? dir : ROOT, stdout: "ignore", stderr: "pipe", stdin: "ignore" });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      const stderr = await new Response(proc.stderr).text().catch(() => "");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${kind} did not start on port ${port}\n${stderr.slice(0, 2000)}`);
    }
    if ((await command(port, ["PING"]).catch(() => undefined)) === "PONG") break;
    await sleep(20);
  }
  return {
    kind,
    port,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One command on a fresh connection. */
export async function command(port: number, args: readonly string[], timeoutMs = 10_000): Promise<RespValue> {
  const c = await RespClient.connect(port);
  try {
    return await c.command(args, timeoutMs);
  } finally {
    c.close();
  }
}

/** `INFO replication` field `name` of the server on `port` ("" when absent). */
export async function replField(port: number, name: string): Promise<string> {
  return (await info(port, "replication")).get(name) ?? "";
}

/**
 * Sends `REPLICAOF 127.0.0.1 <primary>` to `replica` and polls its INFO every 10 ms until
 * `master_link_status:up` (bounded). Returns milliseconds from sending REPLICAOF.
 */
export async function attachReplica(replica: Node, primary: Node, timeoutMs = 120_000): Promise<number> {
  const c = await RespClient.connect(replica.port);
  try {
    const t0 = performance.now();
    const r = await c.command(["REPLICAOF", "127.0.0.1", String(primary.port)]);
    if (r !== "OK") throw new Error(`REPLICAOF answered ${String(r)}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await c.command(["INFO", "replication"], timeoutMs);
      if (typeof text === "string" && /^master_link_status:up\r?$/m.test(text)) return performance.now() - t0;
      if (Date.now() > deadline) throw new Error(`${replica.kind} replica of ${primary.kind}: link not up after ${timeoutMs} ms`);
      await sleep(10);
    }
  } finally {
    c.close();
  }
}

/** What a replica held once it caught up (or gave up): offsets and key counts of both sides. */
export interface CatchUp {
  caughtUp: boolean;
  primaryOffset: number;
  replicaOffset: number;
  primaryKeys: number;
  replicaKeys: number;
}

/**
 * Waits (bounded, polling INFO every 10 ms: there is no event to wait on from outside) until the
 * replica's `slave_repl_offset` reaches the primary's `master_repl_offset`, then counts keys.
 */
export async function waitCaughtUp(primary: Node, replica: Node, timeoutMs = 30_000): Promise<CatchUp> {
  const deadline = Date.now() + timeoutMs;
  let primaryOffset = 0;
  let replicaOffset = 0;
  let caughtUp = false;
  while (Date.now() < deadline) {
    primaryOffset = Number(await replField(primary.port, "master_repl_offset"));
    replicaOffset = Number(await replField(replica.port, "slave_repl_offset"));
    if (primaryOffset > 0 && replicaOffset >= primaryOffset) {
      caughtUp = true;
      break;
    }
    await sleep(10);
  }
  const primaryKeys = Number(await command(primary.port, ["DBSIZE"]));
  const replicaKeys = Number(await command(replica.port, ["DBSIZE"]));
  return { caughtUp, primaryOffset, replicaOffset, primaryKeys, replicaKeys };
}

/** `redis-benchmark -t set -P <pipeline> -n <n> -c 50 -r <keyspace>` on `port`; requests/s. */
export async function redisBenchmarkSet(port: number, n: number, pipeline: number, keyspace: number): Promise<number> {
  const p = Bun.spawn(["redis-benchmark", "-p", String(port), "-c", "50", "-P", String(pipeline), "-t", "set", "-n", String(n),
    "-r", String(keyspace), "--csv"], { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(p.stdout).text();
  await p.exited;
  const line = out.split("\n").find((l) => l.startsWith('"SET"'));
  return line ? Number(line.split(",")[1]!.replaceAll('"', "")) : NaN;
}

/** Median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  return percentile(xs, 0.5);
}

/** The `q`-quantile of `xs` by nearest rank (NaN when empty). */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
