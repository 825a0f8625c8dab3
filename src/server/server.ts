// Starts the Redis-compatible server: Bun.listen with reusePort, one Connection per socket,
// maxclients and protected mode at accept, and the background cron (active expiry, idle
// timeout, soft output limits). Tests start it in-process with their own table and keyspace.

import { notifyEngineRemoval, notifyNewKey, setKeyspaceEvents, wantsNewKeyEvents } from "../commands/notify.ts";
import { reclaimExpiredFields } from "../engine/hash/hash-type.ts";
import { sweepHashFields } from "../engine/hash/field-expiry.ts";
import { COLLECTION_LIMIT_NAMES, limits as collectionLimits } from "../engine/compound/limits.ts";
import type { Socket, TCPSocketListener, TLSOptions } from "bun";
import { TLS_RELOAD_PARAMS, tlsOptionsOf, tlsReloader } from "./tls.ts";
import { buildCommandTable } from "../commands/index.ts";
import type { CommandTable } from "../commands/types.ts";
import { defaultConfig, enginePolicy, type ParamName, type ServerConfig } from "../config/params.ts";
import { ServerConfigStore } from "../config/store.ts";
import { Databases } from "../engine/databases.ts";
import { useFunctionStorage } from "../scripting/function-libraries.ts";
import { Keyspace } from "../engine/keyspace.ts";
import type { Persistence, RecoveryResult } from "../persistence/index.ts";
import { detachPersistence } from "../persistence/registry.ts";
import { ERR_MAX_CLIENTS } from "../protocol/errors.ts";
import { setupReplication } from "./replication-setup.ts";
import type { Replication } from "../replication/replication.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import { ServerState } from "./context.ts";
import { Dispatcher } from "./dispatch.ts";
import { exportFromConfig, type ExportWiring } from "./export-setup.ts";
import { describeNoPersistence, openForServer, persistenceFromConfig, type ServerPersistenceOptions } from "./persistence-setup.ts";
import type { WorkerPlug, WorkerSide } from "./worker-plug.ts";
import { countServerMemory, ServerBuffers, workerUsedMemory } from "./memory-accounting.ts";
import { ShutdownControl } from "./shutdown.ts";
import { DENIED_PROTECTED_MODE, protectedModeDenies } from "./protected-mode.ts";
import { logAt } from "../log.ts";


/** Slots checked per active-expiry round, and the most rounds per tick (Redis repeats while >25% expired). */
const EXPIRE_CHECKS_PER_ROUND = 200;
const EXPIRE_MAX_ROUNDS = 16;

export interface StartOptions {
  /** Parameters; missing ones take their defaults. */
  config?: Partial<ServerConfig>;
  /** The config file the values came from ("" = none; CONFIG REWRITE refuses). */
  configFile?: string;
  /** Parameters the file set (CONFIG REWRITE keeps them). */
  configFileKeys?: Set<ParamName>;
  /** The config file's syntax (CONFIG REWRITE writes the same). @default "toml" */
  configFormat?: "toml" | "redis";
  /** Command table. @default buildCommandTable() (every family) */
  commands?: CommandTable;
  /**
   * Keyspace. @default a new Keyspace sized by maxmemory / maxmemory-policy. A keyspace passed
   * in keeps its own limits until CONFIG SET changes them.
   */
  keyspace?: Keyspace;
  /**
   * SO_REUSEPORT, so several workers can share the port. Note: with it, a second server started
   * on a port already held by a reusePort listener (e.g. a stale process) shares the port
   * silently instead of failing with "address already in use". @default true
   */
  reusePort?: boolean;
  /**
   * Durability from the config's dir / appendonly / appendfsync / snapshot parameters (`true`, or
   * extras such as `onFrames` for the export stream). The server listens at once and answers
   * -LOADING until recovery ends (`ready`). Not allowed together with `keyspace`.
   * @default undefined (no persistence: nothing is written to disk)
   */
  persistence?: boolean | ServerPersistenceOptions;
  /** Called by SHUTDOWN after the server stopped (the CLI exits the process here). */
  onShutdown?: (save: boolean | undefined) => void | Promise<void>;
  /**
   * Run as worker `index` of `count` (started by the supervisor, src/cluster/): own that share of
   * the hash slots, persist as that shard, link to the other workers. @default one worker, no links
   */
  worker?: WorkerPlug;
}

export interface RunningServer {
  readonly hostname: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly context: ServerState;
  readonly config: ServerConfigStore;
  readonly keyspace: Keyspace;
  /** The server's persistence, undefined without one. */
  readonly persistence: Persistence | undefined;
  /** Resolves when the data set is loaded (at once without persistence); rejects with a RecoveryError. */
  readonly ready: Promise<RecoveryResult | undefined>;
  /** The worker's cluster side (links, router, counters) when started as a worker. */
  readonly worker: WorkerSide | undefined;
  /**
   * Stops listening, closes every connection and the cron, then persistence (WAL flushed and
   * synced; `save: true` snapshots first, `false` never, default only where Redis would). Idempotent.
   */
  stop(opts?: { save?: boolean }): Promise<void>;
  /** SHUTDOWN and the stop signals (final snapshot, replies of in-flight commands, Redis's log lines). */
  readonly shutdown: ShutdownControl;
}

/** Listening failed (port in use, bad address...); the message is one line for the user. */
export class ServerStartError extends Error {
  override name = "ServerStartError";
}

type Sock = Socket<Connection | undefined>;

export function startServer(opts: StartOptions = {}): RunningServer {
  const values: ServerConfig = { ...defaultConfig(), ...opts.config };
  const store = new ServerConfigStore(values, opts.configFile ?? "", opts.configFileKeys ?? new Set(), opts.configFormat);
  const wantPersistence = opts.persistence !== undefined && opts.persistence !== false;
  if (wantPersistence && opts.keyspace !== undefined) throw new TypeError("startServer: persistence needs a keyspace of its own (do not pass `keyspace`)");
  const worker = opts.worker?.identity;
  const persistExtra = typeof opts.persistence === "object" ? opts.persistence : {};
  let exporting: ExportWiring;
  try {
    exporting = exportFromConfig(values, worker, persistExtra.log ?? logAt("notice"));
  } catch (e) {
    throw new ServerStartError(e instanceof Error ? e.message : String(e));
  }
  if (exporting.onFrames !== undefined && !wantPersistence) throw new ServerStartError("--wal-export needs the WAL (--appendonly yes)");
  const shardExtra = worker !== undefined ? { ...persistExtra, shard: worker.index } : persistExtra;
  const persistence = wantPersistence
    ? persistenceFromConfig(values, exporting.onFrames !== undefined ? { ...shardExtra, onFrames: exporting.onFrames } : shardExtra)
    : undefined;
  if (persistence === undefined) describeNoPersistence(values);
  let databases: Databases | undefined;
  let replication: Replication | undefined;
  const keyspace: Keyspace =
    opts.keyspace ??
    // A worker's memory limit is its share of maxmemory, set once its data is loaded (cluster/limits-book.ts).
    new Keyspace({
      maxMemory: worker !== undefined ? 0 : values.maxmemory, policy: enginePolicy(values["maxmemory-policy"]), onMutation: persistence?.record,
      evictElsewhere: (): boolean => databases!.evictFor(keyspace),
    });
  // maxmemory bounds what the process spends, as in Redis (a keyspace passed in keeps its own accounting).
  const counted = opts.keyspace === undefined;
  let buffers: ServerBuffers | undefined;
  // Databases 1..n-1 are made on first use with database 0's limits, clock and persistence.
  databases = new Databases(keyspace, values["cluster-ports"] ? 1 : values.databases, (index, evictElsewhere) => {
    const ks = new Keyspace({
      maxMemory: keyspace.maxMemory, policy: keyspace.policy, clock: keyspace, onMutation: replication?.listenerFor() ?? persistence?.record, db: index, evictElsewhere,
      initialCapacity: 64,
    });
    ks.removedByEngine = (key, cause) => notifyEngineRemoval(state, ks.db, key, cause);
    ks.addedKey = wantsNewKeyEvents(state) ? (key) => notifyNewKey(state, ks.db, key) : null;
    if (counted) ks.countAllocatedMemory(() => buffers!.current() + databases!.bytesBesides(ks));
    return ks;
  });
  const commands = opts.commands ?? buildCommandTable();
  // Function libraries live beside the shard's files when there is persistence.
  for (const problem of useFunctionStorage(persistence !== undefined ? values.dir : undefined, worker?.index ?? 0)) {
    (persistExtra.log ?? logAt("warning"))(`function library not loaded: ${problem}`);
  }
  const state = new ServerState(keyspace, databases, store, commands);
  setKeyspaceEvents(state, values["notify-keyspace-events"]);
  keyspace.removedByEngine = (key, cause) => notifyEngineRemoval(state, keyspace.db, key, cause);
  // `new` events cost a call per created key: the hook is there only while class n is configured.
  const applyNewKeyHook = (): void => eachDb((ks) => void (ks.addedKey = wantsNewKeyEvents(state) ? (key) => notifyNewKey(state, ks.db, key) : null));
  buffers = new ServerBuffers(state, persistence);
  if (counted) countServerMemory(keyspace, () => buffers!.current() + databases!.bytesBesides(keyspace), buffers);
  const eachDb = (f: (ks: Keyspace) => void): void => databases!.each((_i, ks) => f(ks));
  applyNewKeyHook();
  // A worker routes by slot; what other workers send it runs through a router-less dispatcher.
  let attached: WorkerSide | undefined;
  if (opts.worker !== undefined && worker !== undefined) {
    const local = new Dispatcher({ commands, config: values, keyspace, server: state, persistence, feedMonitors: false, guardsWrites: false });
    attached = opts.worker.attach(worker, {
      server: state,
      keyspace,
      commands,
      exec: (c, argv) => local.run(c, argv),
      host: values.bind,
      durability: persistence,
      clusterSlots: values["cluster-slots"],
      clusterPeers: values["cluster-peers"],
      onPeerFrames: exporting.onPeerFrames,
      blocking: state.blocking,
      maxclients: values.maxclients,
      maxmemory: values.maxmemory,
      usedMemory: () => workerUsedMemory(keyspace),
      setMemoryLimit: (bytes) => eachDb((ks) => ks.configure({ maxMemory: bytes })),
    });
    if (attached.sendToWorker0 !== undefined) exporting.forwardTo(attached.sendToWorker0);
  }
  const dispatcher = new Dispatcher({ commands, config: values, keyspace, server: state, persistence, router: attached?.router });
  const host: ConnectionHost = { server: state, config: values, dispatcher, keyspace, persistence, gate: attached?.gate };
  let nextId = 1;
  // Client ids are unique across workers: worker i of n hands out i+1, i+1+n, i+1+2n...
  const newClientId = (): number => (worker === undefined ? nextId++ : (nextId++ - 1) * worker.count + worker.index + 1);
  if (opts.keyspace === undefined) {
    replication = setupReplication({
      state, config: values, databases, host, persistenceRecord: persistence?.record,
      workerIndex: worker?.index ?? 0, workerCount: worker?.count ?? 1, nextClientId: newClientId,
    });
  }

  const refuse = (s: Sock): void => {
    state.stats.rejectedConnections++;
    s.end(`-${ERR_MAX_CLIENTS}\r\n`);
  };
  const accept = (s: Sock): void => {
    state.stats.totalConnectionsReceived++;
    const denied = protectedModeDenies({
      protectedMode: values["protected-mode"],
      requirepass: values.requirepass,
      remoteAddress: s.remoteAddress,
    });
    if (denied) {
      s.end(DENIED_PROTECTED_MODE);
      return;
    }
    const conn = new Connection(newClientId(), s, host);
    s.data = conn;
    state.clients.set(conn.id, conn);
  };
  // Sockets paused until the supervisor's book says whether they fit in maxclients. A TLS socket
  // is not paused (resuming it does not deliver what its TLS layer already decrypted): what it
  // sends meanwhile waits in `early` and is handed to its connection once admitted.
  const admitting = new Set<Sock>();
  const early = new Map<Sock, Uint8Array[]>();
  const limits = attached?.limits;
  const onOpen = (s: Sock, canPause = true): void => {
    if (limits === undefined) {
      if (state.clients.size >= values.maxclients) refuse(s);
      else accept(s);
      return;
    }
    let waited = false;
    let decided = false;
    limits.admit((ok) => {
      decided = true;
      if (waited) {
        if (!admitting.delete(s)) return; // closed meanwhile
        if (canPause) s.resume();
      }
      if (ok) accept(s);
      else refuse(s);
      const held = early.get(s);
      if (held !== undefined) {
        early.delete(s);
        if (ok) for (const chunk of held) s.data?.onData(chunk);
      }
    });
    if (!decided) {
      waited = true;
      admitting.add(s);
      if (canPause) s.pause();
    }
  };
  const onData = (s: Sock, chunk: Uint8Array): void => {
    if (s.data !== undefined) return s.data.onData(chunk);
    if (!admitting.has(s)) return;
    const held = early.get(s);
    if (held === undefined) early.set(s, [chunk.slice()]);
    else held.push(chunk.slice());
  };

  const listen = (port: number, tls?: TLSOptions): TCPSocketListener<Connection | undefined> =>
    Bun.listen<Connection | undefined>({
      hostname: values.bind,
      port,
      reusePort: opts.reusePort ?? true,
      data: undefined,
      ...(tls !== undefined ? { tls } : {}),
      socket: {
        binaryType: "uint8array",
        // A TLS socket is admitted once its handshake is done: pausing it mid-handshake (while
        // the supervisor decides about maxclients) stalls the handshake for good.
        open: tls === undefined ? onOpen : () => {},
        ...(tls !== undefined ? { handshake: (s: Sock, ok: boolean) => (ok ? onOpen(s, false) : s.end()) } : {}),
        data: onData,
        drain: (s) => s.data?.onDrain(),
        close: (s) => {
          admitting.delete(s);
          early.delete(s);
          s.data?.onClose();
        },
        // Errors thrown by our own callbacks land here: the connection's state can no longer be
        // trusted, so it is closed; the server goes on.
        error: (s, err) => {
          const c = s.data;
          if (c !== undefined && !c.closed) {
            c.reply.error(`ERR internal error: ${err.message}`);
            c.closeAfterReply();
            try {
              c.flush();
            } catch {
              c.onClose();
              s.end();
            }
          }
        },
      },
    });
  let listener: TCPSocketListener<Connection | undefined>;
  let clusterListener: TCPSocketListener<Connection | undefined> | undefined;
  let tlsListener: TCPSocketListener<Connection | undefined> | undefined;
  const clusterPort = attached?.clusterPort ?? 0;
  let tls: TLSOptions | undefined;
  try {
    tls = values["tls-port"] !== 0 ? tlsOptionsOf(values) : undefined;
  } catch (e) {
    attached?.close();
    throw new ServerStartError((e as Error).message);
  }
  try {
    listener = listen(values.port);
    if (clusterPort !== 0) clusterListener = listen(clusterPort);
  } catch (e) {
    attached?.close();
    throw new ServerStartError(listenErrorMessage(e, values.bind, values.port));
  }
  try {
    if (tls !== undefined) tlsListener = listen(values["tls-port"], tls);
  } catch (e) {
    listener.stop(true);
    clusterListener?.stop(true);
    attached?.close();
    throw new ServerStartError(listenErrorMessage(e, values.bind, values["tls-port"]));
  }
  state.tcpPort = listener.port;
  // Recovery starts once we listen, so clients get -LOADING meanwhile; a LockError or a
  // RecoveryError rejects `ready` (the CLI exits with it).
  const recovered = persistence !== undefined ? openForServer(persistence, databases, state, values, persistExtra.log) : Promise.resolve(undefined);
  // The export starts from the recovered position (it fails the start-up like a listen error).
  const loaded = recovered.then(async (r) => {
    if (persistence !== undefined) await exporting.start(persistence.lastSeq);
    const info = exporting.info();
    if (info !== undefined) state.infoProviders.set("walexport", () => exporting.info() ?? "");
    limits?.start();
    replication?.startFromConfig();
    return r;
  });
  loaded.catch(() => {}); // the caller sees the error through `ready`

  // ---- cron ---------------------------------------------------------------------------------
  let ticks = 0;
  const tick = (): void => {
    if (state.loading) return;
    buffers!.refresh();
    eachDb((ks) => {
      let rounds = 0;
      while (rounds++ < EXPIRE_MAX_ROUNDS && ks.sweepExpired(EXPIRE_CHECKS_PER_ROUND) * 4 > EXPIRE_CHECKS_PER_ROUND);
      sweepHashFields(ks, EXPIRE_CHECKS_PER_ROUND, reclaimExpiredFields);
    });
    if (++ticks % values.hz === 0) clientsCron(state, values);
  };
  let timer = setInterval(tick, Math.max(1, Math.floor(1000 / values.hz)));
  timer.unref();

  const reloadTls = tlsReloader(values, () => tlsListener!, (l) => (tlsListener = l), listen, persistExtra.log ?? logAt("warning"));
  applyCollectionLimits(values);
  store.onChange((name) => {
    if ((COLLECTION_LIMIT_NAMES as string[]).includes(name)) applyCollectionLimits(values);
    else if ((name === "maxmemory" || name === "maxclients") && limits !== undefined) limits.configChanged(values.maxclients, values.maxmemory);
    else if (name === "maxmemory") eachDb((ks) => ks.configure({ maxMemory: values.maxmemory }));
    else if (name === "maxmemory-policy") eachDb((ks) => ks.configure({ policy: enginePolicy(values["maxmemory-policy"]) }));
    else if (name === "notify-keyspace-events") {
      setKeyspaceEvents(state, values["notify-keyspace-events"]);
      applyNewKeyHook();
    }
    else if (name === "repl-backlog-size" || name === "repl-backlog-disk-size") replication?.configChanged();
    else if (tlsListener !== undefined && TLS_RELOAD_PARAMS.includes(name)) reloadTls();
    else if (name === "hz") {
      clearInterval(timer);
      timer = setInterval(tick, Math.max(1, Math.floor(1000 / values.hz)));
      timer.unref();
    }
  });

  let stopped: Promise<void> | undefined;
  const stop = (o: { save?: boolean } = {}): Promise<void> => {
    stopped ??= (async () => {
      clearInterval(timer);
      replication?.close();
      accepting = false;
      listener.stop(true);
      clusterListener?.stop(true);
      tlsListener?.stop(true);
      attached?.close();
      for (const c of state.clients.values()) c.kill();
      state.clients.clear();
      state.blocking.close();
      if (persistence !== undefined) {
        // A stop during loading waits for it, so the WAL is closed by the one who opened it.
        const ok = await loaded.then(() => true, () => false);
        detachPersistence(state);
        if (ok) await persistence.close(o);
      }
      await exporting.stop();
    })();
    return stopped;
  };
  let accepting = true;
  const stopAccepting = (): void => {
    if (!accepting) return;
    accepting = false;
    listener.stop(false);
    clusterListener?.stop(false);
    tlsListener?.stop(false);
  };
  const shutdown = new ShutdownControl({
    state, config: values, persistence, stopAccepting, stop,
    finished: (save) => opts.onShutdown?.(save),
  });
  state.onShutdown = (save, flags) => shutdown.request({ ...flags, save });

  return {
    hostname: listener.hostname, port: listener.port, context: state, config: store, keyspace, persistence, ready: loaded, stop, worker: attached, shutdown,
  };
}

/** Once a second: idle timeout and soft output-buffer limits. */
function clientsCron(state: ServerState, cfg: ServerConfig): void {
  const now = Date.now();
  const idleMs = cfg.timeout * 1000;
  for (const c of state.clients.values()) {
    if (!(c instanceof Connection)) continue;
    if (idleMs > 0 && !c.isMaster && c.outputClass !== "replica" && now - c.lastInteraction > idleMs) {
      c.kill();
      continue;
    }
    if (c.outputBufferBytes() > 0) c.checkOutputLimit(now);
  }
}

export function listenErrorMessage(e: unknown, bind: string, port: number): string {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? "";
  const msg = err.message ?? String(e);
  if (code === "EADDRINUSE" || /in use/i.test(msg)) return `cannot listen on ${bind}:${port}: address already in use`;
  if (code === "EADDRNOTAVAIL") return `cannot listen on ${bind}:${port}: address not available`;
  if (code === "EACCES") return `cannot listen on ${bind}:${port}: permission denied`;
  return `cannot listen on ${bind}:${port}: ${msg.split("\n")[0]}`;
}

/** The collection encoding thresholds are process-wide (as in Redis): the config sets them. */
function applyCollectionLimits(values: ServerConfig): void {
  for (const name of COLLECTION_LIMIT_NAMES) collectionLimits[name] = values[name];
}
