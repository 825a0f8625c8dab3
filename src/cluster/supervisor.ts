// The supervisor: starts N worker processes (the same entry, or the same compiled executable),
// all binding the shared port with SO_REUSEPORT, and keeps them running. A worker that exits
// unexpectedly is restarted with backoff (logged, counted, the count sent to every worker for
// INFO); SIGTERM/SIGINT are forwarded for a clean shutdown (each worker shuts down as its
// shutdown-on-sig* parameter says, and `stop` resolves once every worker has exited); a worker that exits 0 (SHUTDOWN)
// stops the whole server; workers that cannot start make the supervisor fail.

import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log as serverLog, logAt } from "../log.ts";
import { isLimitsReport, LimitsBook, type LimitsOrder, type LimitsReport } from "./limits-book.ts";
import { claimPort, type PortLock } from "./port-lock.ts";

/** Environment variables a worker reads (see worker.ts). */
export const ENV = {
  index: "FAST_CACHE_WORKER",
  count: "FAST_CACHE_WORKERS",
  port: "FAST_CACHE_WORKER_PORT",
  dir: "FAST_CACHE_WORKER_DIR",
  clusterPorts: "FAST_CACHE_CLUSTER_PORTS",
} as const;

/** Messages between supervisor and workers (IPC, JSON). */
export type WorkerMessage = { t: "ready" } | { t: "fatal"; message: string } | LimitsReport;
export type SupervisorMessage = { t: "restarts"; n: number } | LimitsOrder;

export interface SupervisorOptions {
  workers: number;
  /** The command line of one worker (execPath, script if any, user flags). */
  command: string[];
  hostname: string;
  /** The shared port; 0 picks a free one. */
  port: number;
  /** Give every worker its own cluster port too (base+1+i; free ports when port is 0). */
  clusterPorts: boolean;
  /** Log sink. @default the server log (src/log.ts), notice level */
  log?: (line: string) => void;
  /** How long `stop` waits for the workers to exit before it SIGKILLs them, ms. @default 5000 */
  killAfterMs?: number;
  /** Called once the ports are held, before any worker starts (the CLI logs its banner here). */
  claimed?: (port: number) => void;
  /** Longest wait for all workers to be ready, ms. @default 30000 */
  startTimeoutMs?: number;
}

export interface Supervisor {
  readonly port: number;
  readonly clusterPorts: number[];
  /** Restarts so far. */
  readonly restarts: number;
  /** Pids of the current workers. */
  pids(): number[];
  /** Stops every worker (the signal, SIGTERM by default; SIGKILL after `killAfterMs`) and resolves once all exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the exit code the supervisor should use when the server stops on its own. */
  readonly done: Promise<number>;
}

export class WorkerStartError extends Error {
  override name = "WorkerStartError";
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** A worker that ran this long is healthy: its next crash restarts it without delay growth. */
const STABLE_MS = 10_000;

export async function startSupervisor(o: SupervisorOptions): Promise<Supervisor> {
  const log = o.log ?? logAt("notice");
  const n = o.workers;
  // One server per port: the supervisor holds the lock of every port it serves, for its whole
  // life; its workers (and only they) bind beside each other with SO_REUSEPORT. Nothing accepts
  // on the port until the first worker listens (a client meanwhile is refused, never dropped).
  const locks: PortLock[] = [await claimPort(o.hostname, o.port)];
  const port = locks[0]!.port;
  const clusterPorts: number[] = [];
  try {
    if (o.clusterPorts) {
      for (let i = 0; i < n; i++) {
        const l = await claimPort(o.hostname, o.port === 0 ? 0 : port + 1 + i);
        locks.push(l);
        clusterPorts.push(l.port);
      }
    }
  } catch (e) {
    for (const l of locks) l.release();
    throw e;
  }
  o.claimed?.(port);
  const dir = mkdtempSync(join(tmpdir(), "fc-"));
  const procs: (Subprocess | undefined)[] = new Array(n).fill(undefined);
  const startedAt: number[] = new Array<number>(n).fill(0);
  const delays: number[] = new Array<number>(n).fill(BACKOFF_START_MS);
  let restarts = 0;
  let stopping = false;
  let allReady = false;
  const ready = Promise.withResolvers<void>();
  const done = Promise.withResolvers<number>();
  let readyCount = 0;
  // maxclients / maxmemory are for the whole server: the book splits them between the workers.
  const book = new LimitsBook(n, (i, m) => procs[i]?.send(m satisfies SupervisorMessage));

  const env = (i: number): Record<string, string> => ({
    ...(process.env as Record<string, string>),
    [ENV.index]: String(i),
    [ENV.count]: String(n),
    [ENV.port]: String(port),
    [ENV.dir]: dir,
    [ENV.clusterPorts]: clusterPorts.join(","),
  });

  const spawn = (i: number): void => {
    startedAt[i] = Date.now();
    let sawReady = false;
    const proc = Bun.spawn(o.command, {
      env: env(i),
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
      serialization: "json",
      ipc(msg: WorkerMessage) {
        if (isLimitsReport(msg)) {
          if (procs[i] === proc) book.onReport(i, msg);
        } else if (msg.t === "ready") {
          sawReady = true;
          if (!allReady && ++readyCount === n) ready.resolve();
          if (restarts > 0) proc.send({ t: "restarts", n: restarts } satisfies SupervisorMessage);
        } else if (msg.t === "fatal") {
          if (!allReady) ready.reject(new WorkerStartError(msg.message));
          else log(`worker ${i}: ${msg.message}`);
        }
      },
      onExit(_p, code, signal) {
        if (procs[i] === proc) {
          procs[i] = undefined;
          book.workerExited(i);
        }
        if (stopping) return;
        if (!allReady) {
          ready.reject(new WorkerStartError(`worker ${i} exited during start-up (${signal ?? `code ${code}`})`));
          return;
        }
        if (code === 0 && sawReady) {
          // SHUTDOWN on one worker stops the server.
          log(`worker ${i} shut down; stopping all workers`);
          void stop("SIGTERM").then(() => done.resolve(0));
          return;
        }
        const ranMs = Date.now() - startedAt[i]!;
        if (ranMs > STABLE_MS) delays[i] = BACKOFF_START_MS;
        const delay = delays[i]!;
        delays[i] = Math.min(delay * 2, BACKOFF_MAX_MS);
        restarts++;
        serverLog.warning(`worker ${i} (pid ${proc.pid}) exited (${signal ?? `code ${code}`}); restart ${restarts}, in ${delay} ms`);
        setTimeout(() => {
          if (stopping) return;
          spawn(i);
        }, delay);
        for (const p of procs) p?.send({ t: "restarts", n: restarts } satisfies SupervisorMessage);
      },
    });
    procs[i] = proc;
    book.workerStarted(i);
  };

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    stopping = true;
    book.close();
    const live = procs.filter((p): p is Subprocess => p !== undefined);
    for (const p of live) p.kill(signal);
    const timer = setTimeout(() => {
      for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    }, o.killAfterMs ?? 5000);
    await Promise.all(live.map((p) => p.exited));
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
    for (const l of locks.splice(0)) l.release();
  };

  for (let i = 0; i < n; i++) spawn(i);
  const timeout = setTimeout(
    () => ready.reject(new WorkerStartError(`workers not ready after ${o.startTimeoutMs ?? 30000} ms`)),
    o.startTimeoutMs ?? 30000,
  );
  try {
    await ready.promise;
  } catch (e) {
    clearTimeout(timeout);
    await stop("SIGKILL");
    throw e;
  }
  clearTimeout(timeout);
  allReady = true;

  return {
    port,
    clusterPorts,
    get restarts() {
      return restarts;
    },
    pids: () => procs.map((p) => p?.pid ?? 0),
    stop,
    done: done.promise,
  };
}
