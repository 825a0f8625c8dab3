// fast-cache-server entry point: flags → config → server. With persistence (the default), the
// server listens at once (clients get -LOADING), recovers from --dir, then logs "Ready to accept
// connections". Log lines go through src/log.ts (stdout or `logfile`). SIGINT/SIGTERM shut it
// down cleanly (src/server/shutdown.ts: final snapshot when `save` is set, WAL flushed and synced,
// exit 0); configuration errors exit 2; listen, lock and recovery errors print one line on stderr
// and exit 1. `wal-tail` is a small subscriber that prints the WAL export stream (or a segment
// file) as JSON lines.

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
import { bannerLines, loadedLine } from "./banner.ts";
import { configureLog, log, logAt, redactSecrets, type LogRole } from "./log.ts";

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

/** Log level, file, format and the secrets never to print, from the configuration. */
function setupLog(cfg: ServerConfig): void {
  try {
    configureLog({ level: cfg.loglevel, file: cfg.logfile, format: cfg["log-format"] });
  } catch (e) {
    fail(`can't open the log file ${cfg.logfile}: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
  redactSecrets([cfg.requirepass, cfg.masterauth, cfg["wal-export-token"]]);
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
  const startedAt = performance.now();
  try {
    const loaded = loadConfig({ file: req.configFile, flags: req.flags, cli: true });
    const cfg = loaded.config;
    config = cfg;
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
    setupLog(cfg);
    configureLog({ role: () => (worker === undefined ? "M" : "C") });
    if (worker === undefined && loaded.warning !== undefined) log.warning(loaded.warning.replace(/^warning: /, ""));
    const workers = cfg.workers === 0 ? autoWorkers(availableParallelism()) : cfg.workers;
    if (worker === undefined && (workers > 1 || cfg["cluster-ports"] || cfg["cluster-peers"] !== "")) {
      supervise(cfg, workers, loaded.file);
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
      for (const line of bannerLines(cfg, 1, cfg.port, loaded.file)) log.notice(line);
    }
    server = startServer({
      worker: worker === undefined ? undefined : { identity: worker, attach: (id, deps) => (attachment = attachWorker(id, deps)) },
      reusePort: worker !== undefined,
      config: cfg,
      configFile: loaded.file,
      configFileKeys: loaded.fileKeys,
      configFormat: loaded.format,
      persistence: cfg.appendonly || cfg["snapshot-every-seconds"] > 0 ? { log: logAt("notice") } : undefined,
      onShutdown: () => process.exit(0),
    });
  } catch (e) {
    if (worker !== undefined) tellSupervisor({ t: "fatal", message: e instanceof Error ? e.message : String(e) });
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof ServerStartError) fail(e.message, 1);
    throw e;
  }
  const running = server;
  // A replica logs with role S (REPLICAOF may change it at any time).
  const base: LogRole = worker === undefined ? "M" : "C";
  configureLog({ role: () => (running.context.replication?.info().includes("role:slave") ? "S" : base) });
  running.config.onChange((name) => {
    if (name === "loglevel") configureLog({ level: running.config.values.loglevel });
    else if (name === "requirepass" || name === "masterauth") setupLog(running.config.values);
  });
  process.on("SIGINT", () => running.shutdown.onSignal("SIGINT"));
  process.on("SIGTERM", () => running.shutdown.onSignal("SIGTERM"));
  // The supervisor is gone (even SIGKILLed): a worker never outlives it.
  if (worker !== undefined) process.on("disconnect", () => void running.shutdown.request({}));
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  // Said when there is data to load (a fresh start prints nothing but the ready line).
  const dir = running.persistence?.opts.dir;
  const say = (): void => log.notice(`listening on ${host}:${server.port} (-LOADING), loading data from ${dir}`);
  let slow: ReturnType<typeof setTimeout> | undefined;
  if (worker !== undefined) {
    if (dir !== undefined && hasData(dir, worker.index)) log.notice(`worker ${worker.index} listening on ${host}:${server.port} (-LOADING), loading data from ${dir}`);
    // A worker reports to its supervisor, which logs the one ready line.
    running.ready.then(
      async (r) => {
        if (running.persistence !== undefined) log.notice(loadedLine(r, r?.ms ?? performance.now() - startedAt));
        // Keys left in the wrong shard by a restart with another worker count go to their owners.
        const p = running.persistence;
        const cw = attachment?.cluster;
        if (p !== undefined && cw !== undefined) {
          await rebalance(cw, { dir: p.opts.dir, durable: () => p.durable(), log: logAt("notice") });
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
    async (r) => {
      clearTimeout(slow);
      // Shards that more workers wrote in an earlier run are read into this one process.
      const p = running.persistence;
      try {
        if (p !== undefined) await absorbShards(running.context.databases, { dir: p.opts.dir, durable: () => p.durable(), log: logAt("notice") });
      } catch (e) {
        fail(`reading the shards of an earlier run: ${e instanceof Error ? e.message : String(e)}`, 1);
      }
      if (p !== undefined) log.notice(loadedLine(r, r?.ms ?? performance.now() - startedAt));
      serveMetrics(config!, server.port);
      log.notice(`Ready to accept connections on ${host}:${server.port}`);
    },
    (e: unknown) => fail(e instanceof Error ? e.message : String(e), 1),
  );
}

/** Starts /metrics when `metrics-port` asks for it; a port that cannot be had stops the server. */
function serveMetrics(cfg: ServerConfig, respPort: number, workerRestarts?: () => number): void {
  if (cfg["metrics-port"] < 0) return;
  try {
    const m = startMetricsServer({ hostname: cfg.bind, port: cfg["metrics-port"], respPort, password: cfg.requirepass, workerRestarts });
    const host = cfg.bind.includes(":") ? `[${cfg.bind}]` : cfg.bind;
    log.notice(`metrics on http://${host}:${m.port}/metrics`);
  } catch (e) {
    fail(`cannot serve metrics on ${cfg.bind}:${cfg["metrics-port"]}: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
}

/** Why the port could not be had: another fast-cache serves it, or the bind failed. */
function portErrorMessage(e: unknown, bind: string, port: number): string {
  return e instanceof PortBusyError ? e.message : listenErrorMessage(e, bind, port);
}

/**
 * Supervisor mode: N workers (this same program) share the port; it logs the banner and the one
 * ready line for all. A stop signal goes to every worker (each shuts down as its
 * `shutdown-on-sig*` says); the supervisor exits 0 once all of them have exited.
 */
function supervise(cfg: ServerConfig, workers: number, file: string): void {
  const { bind: hostname, port } = cfg;
  // The same entry (script or compiled executable) with the same flags.
  const command = Bun.isStandaloneExecutable
    ? [process.execPath, ...process.argv.slice(2)]
    : [process.execPath, process.argv[1]!, ...process.argv.slice(2)];
  // Workers write a final snapshot before they exit: give them that long before SIGKILL.
  const killAfterMs = (cfg["shutdown-timeout"] + 60) * 1000;
  startSupervisor({ workers, command, hostname, port, clusterPorts: cfg["cluster-ports"], killAfterMs, log: logAt("notice"),
    claimed: (p) => {
      for (const line of bannerLines(cfg, workers, p, file)) log.notice(line);
    },
  }).then(
    (sup) => {
      let stopping = false;
      const stop = (signal: "SIGINT" | "SIGTERM"): void => {
        log.warning(`Received ${signal} scheduling shutdown...`);
        if (stopping) return;
        stopping = true;
        void sup.stop(signal).then(() => {
          log.warning("fast-cache is now ready to exit, bye bye...");
          process.exit(0);
        });
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
      void sup.done.then((code) => {
        log.warning("fast-cache is now ready to exit, bye bye...");
        process.exit(code);
      });
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      serveMetrics(cfg, sup.port, () => sup.restarts);
      if (cfg["cluster-ports"]) log.notice(`${workers} workers; cluster ports ${sup.clusterPorts.join(",")}`);
      log.notice(`Ready to accept connections on ${host}:${sup.port}`);
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
