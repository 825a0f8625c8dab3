// fast-cache-server entry point: flags → config → server. With persistence (the default), the
// server listens at once (clients get -LOADING), recovers from --dir, then prints the ready line.
// SIGINT/SIGTERM stop it cleanly (WAL flushed and synced, exit 0); configuration errors exit 2;
// listen, lock and recovery errors print one line and exit 1. `wal-tail` is a small subscriber
// that prints the WAL export stream (or a segment file) as JSON lines.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { claimPort, PortBusyError, type PortLock } from "./cluster/port-lock.ts";
import { startSupervisor, WorkerStartError } from "./cluster/supervisor.ts";
import { absorbShards, rebalance } from "./cluster/rebalance.ts";
import { attachWorker, tellSupervisor, workerIdentity, type WorkerAttachment } from "./cluster/worker.ts";
import { helpText, parseCliArgs } from "./config/flags.ts";
import { autoWorkers, type ServerConfig } from "./config/params.ts";
import { runWalTail } from "./export/wal-tail.ts";
import { exportRdbFile } from "./persistence/rdb/rdb-export.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import { listenErrorMessage, ServerStartError, startServer } from "./server/server.ts";
import { startMetricsServer } from "./server/metrics.ts";
import { VERSION } from "./server/version.ts";

function fail(message: string, code: number): never {
  process.stderr.write(`fast-cache-server: ${message}\n`);
  process.exit(code);
}

/** True when `dir` holds WAL segments or snapshots (of one shard only when `shard` is given; empty segments do not count). */
function hasData(dir: string, shard?: number): boolean {
  const tag = shard === undefined ? "" : `s${String(shard).padStart(5, "0")}-`;
  try {
    return readdirSync(dir).some(
      (n) => (n.startsWith(`wal-${tag}`) || n.startsWith(`snap-${tag}`)) && (shard === undefined || statSync(join(dir, n)).size > 0),
    );
  } catch {
    return false;
  }
}

/** The lock of the port this process serves (held until exit; see cluster/port-lock.ts). */
let portLock: PortLock | undefined;

/** `--rdb-export FILE`: taken out of the arguments before the configuration sees them. */
function takeRdbExport(argv: string[]): string | undefined {
  const i = argv.indexOf("--rdb-export");
  if (i < 0) return undefined;
  const file = argv[i + 1];
  if (file === undefined || file.startsWith("--")) fail("--rdb-export needs a file name", 2);
  argv.splice(i, 2);
  return file;
}

async function main(): Promise<void> {
  let req;
  const argv = process.argv.slice(2);
  const rdbExport = takeRdbExport(argv);
  try {
    req = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    throw e;
  }
  if (req.kind === "help") {
    process.stdout.write(helpText());
    return;
  }
  if (req.kind === "version") {
    process.stdout.write(`fast-cache-server ${VERSION}\n`);
    return;
  }
  let server;
  let config: ServerConfig | undefined;
  // The cluster side of this worker (set when startServer attaches it): the rebalance after loading needs it.
  let attachment: WorkerAttachment | undefined;
  const worker = workerIdentity();
  try {
    const loaded = loadConfig({ file: req.configFile, flags: req.flags, cli: true });
    const cfg = loaded.config;
    config = cfg;
    if (worker === undefined && loaded.warning !== undefined) process.stderr.write(`${loaded.warning}\n`);
    if (rdbExport !== undefined && worker === undefined) {
      // Recover the data directory (every shard) and write it as a Redis RDB file, then exit.
      let r;
      try {
        r = exportRdbFile(cfg.dir, rdbExport, cfg.databases, (l) => process.stderr.write(`${l}\n`));
      } catch (e) {
        fail(`--rdb-export: ${e instanceof Error ? e.message : String(e)}`, 1);
      }
      process.stderr.write(`wrote ${rdbExport}: ${r.keys} keys from ${r.shards} shards, ${r.functions} function libraries, ${r.bytes} bytes (RDB version 10)\n`);
      return;
    }
    const workers = cfg.workers === 0 ? autoWorkers(availableParallelism()) : cfg.workers;
    if (worker === undefined && (workers > 1 || cfg["cluster-ports"] || cfg["cluster-peers"] !== "")) {
      supervise(cfg.bind, cfg.port, workers, cfg["cluster-ports"], (port, restarts) => {
        process.stderr.write(banner(cfg, workers, port));
        serveMetrics(cfg, port, restarts);
      });
      return;
    }
    if (worker !== undefined) {
      cfg.port = worker.port;
    } else {
      // One process alone: it holds the port's lock and binds without SO_REUSEPORT.
      try {
        portLock = await claimPort(cfg.bind, cfg.port);
      } catch (e) {
        fail(portErrorMessage(e, cfg.bind, cfg.port), 1);
      }
      cfg.port = portLock.port;
      process.stderr.write(banner(cfg, 1, cfg.port));
    }
    server = startServer({
      worker: worker === undefined ? undefined : { identity: worker, attach: (id, deps) => (attachment = attachWorker(id, deps)) },
      reusePort: worker !== undefined,
      config: cfg,
      configFile: loaded.file,
      configFileKeys: loaded.fileKeys,
      configFormat: loaded.format,
      persistence: cfg.appendonly || cfg["snapshot-every-seconds"] > 0 ? { log: (line) => process.stderr.write(`${line}\n`) } : undefined,
      onShutdown: () => process.exit(0),
    });
  } catch (e) {
    if (worker !== undefined) tellSupervisor({ t: "fatal", message: e instanceof Error ? e.message : String(e) });
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof ServerStartError) fail(e.message, 1);
    throw e;
  }
  const running = server;
  const stop = (): void => {
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => fail(`stopping: ${e instanceof Error ? e.message : String(e)}`, 1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // The supervisor is gone (even SIGKILLed): a worker never outlives it.
  if (worker !== undefined) process.on("disconnect", stop);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  // Said when there is data to load (a fresh start prints nothing but the ready line).
  const dir = running.persistence?.opts.dir;
  const say = (): void => void process.stderr.write(`listening on ${host}:${server.port} (-LOADING), loading data from ${dir}\n`);
  let slow: ReturnType<typeof setTimeout> | undefined;
  if (worker !== undefined) {
    if (dir !== undefined && hasData(dir, worker.index)) process.stderr.write(`worker ${worker.index} listening on ${host}:${server.port} (-LOADING), loading data from ${dir}\n`);
    // A worker reports to its supervisor, which prints the one ready line.
    running.ready.then(
      async () => {
        // Keys left in the wrong shard by a restart with another worker count go to their owners.
        const p = running.persistence;
        const cw = attachment?.cluster;
        if (p !== undefined && cw !== undefined) {
          await rebalance(cw, { dir: p.opts.dir, durable: () => p.durable(), log: (l) => process.stderr.write(`${l}\n`) });
        }
        tellSupervisor({ t: "ready" });
      },
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        tellSupervisor({ t: "fatal", message: `worker ${worker.index}: ${message}` });
        fail(message, 1);
      },
    );
    return;
  }
  if (dir !== undefined && hasData(dir)) say();
  else if (dir !== undefined) slow = setTimeout(say, 1000);
  running.ready.then(
    async () => {
      clearTimeout(slow);
      // Shards that more workers wrote in an earlier run are read into this one process.
      const p = running.persistence;
      try {
        if (p !== undefined) await absorbShards(running.context.databases, { dir: p.opts.dir, durable: () => p.durable(), log: (l) => process.stderr.write(`${l}\n`) });
      } catch (e) {
        fail(`reading the shards of an earlier run: ${e instanceof Error ? e.message : String(e)}`, 1);
      }
      serveMetrics(config!, server.port);
      process.stdout.write(`ready to accept connections on ${host}:${server.port}\n`);
    },
    (e: unknown) => fail(e instanceof Error ? e.message : String(e), 1),
  );
}

/** The start-up line: version, workers, port, data directory and durability. */
function banner(cfg: ServerConfig, workers: number, port: number): string {
  const cores = availableParallelism();
  const count = cfg.workers === 0 ? `${workers} worker${workers === 1 ? "" : "s"} (auto for ${cores} core${cores === 1 ? "" : "s"})` : `${workers} worker${workers === 1 ? "" : "s"}`;
  const durability = cfg.appendonly ? `WAL on, appendfsync ${cfg.appendfsync}` : "WAL off";
  const tls = cfg["tls-port"] !== 0 ? `, TLS port ${cfg["tls-port"]} (client certificates: ${cfg["tls-auth-clients"]})` : "";
  return `fast-cache-server ${VERSION}: ${count}, port ${port}${tls}, data ${cfg.dir} (${durability}), maxmemory ${cfg.maxmemory} ${cfg["maxmemory-policy"]}\n`;
}

/** Starts /metrics when `metrics-port` asks for it; a port that cannot be had stops the server. */
function serveMetrics(cfg: ServerConfig, respPort: number, workerRestarts?: () => number): void {
  if (cfg["metrics-port"] < 0) return;
  try {
    const m = startMetricsServer({ hostname: cfg.bind, port: cfg["metrics-port"], respPort, password: cfg.requirepass, workerRestarts });
    const host = cfg.bind.includes(":") ? `[${cfg.bind}]` : cfg.bind;
    process.stderr.write(`metrics on http://${host}:${m.port}/metrics\n`);
  } catch (e) {
    fail(`cannot serve metrics on ${cfg.bind}:${cfg["metrics-port"]}: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
}

/** Why the port could not be had: another fast-cache serves it, or the bind failed. */
function portErrorMessage(e: unknown, bind: string, port: number): string {
  return e instanceof PortBusyError ? e.message : listenErrorMessage(e, bind, port);
}

/** Supervisor mode: N workers (this same program) share the port; one ready line for all. */
function supervise(hostname: string, port: number, workers: number, clusterPorts: boolean, started: (port: number, restarts: () => number) => void): void {
  // The same entry (script or compiled executable) with the same flags.
  const command = Bun.isStandaloneExecutable
    ? [process.execPath, ...process.argv.slice(2)]
    : [process.execPath, process.argv[1]!, ...process.argv.slice(2)];
  startSupervisor({ workers, command, hostname, port, clusterPorts }).then(
    (sup) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        sup.stop(signal === "SIGINT" ? "SIGTERM" : signal).then(() => process.exit(0));
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
      void sup.done.then((code) => process.exit(code));
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      started(sup.port, () => sup.restarts);
      if (clusterPorts) process.stderr.write(`${workers} workers; cluster ports ${sup.clusterPorts.join(",")}\n`);
      process.stdout.write(`ready to accept connections on ${host}:${sup.port}\n`);
    },
    (e: unknown) => {
      if (e instanceof WorkerStartError) fail(e.message, 1);
      fail(portErrorMessage(e, hostname, port), 1);
    },
  );
}

if (process.argv[2] === "wal-tail") {
  // `fast-cache-server wal-tail --connect HOST:PORT | --file SEGMENT ...`: print WAL frames as JSON lines.
  runWalTail(process.argv.slice(3)).then(
    (code) => process.exit(code),
    (e: unknown) => fail(e instanceof Error ? e.message : String(e), 1),
  );
} else {
  main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e), 1));
}
