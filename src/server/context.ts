// The server-wide state command handlers see (`ServerContext` of src/commands/types.ts).

import { createLatencyMonitor, createServerStats, createSlowLog } from "../commands/server-state.ts";
import type { Client, ClusterView, ReplicationView, CommandTable, LatencyMonitor, ServerContext, ServerStats, SlowLog } from "../commands/types.ts";
import type { ServerConfigStore } from "../config/store.ts";
import type { Databases } from "../engine/databases.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { BlockedClients } from "./blocking/blocked-clients.ts";
import { VERSION } from "./version.ts";

function randomRunId(): string {
  const b = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Server counters. Keyspace hits and misses are read from the engine; assigning them (CONFIG
 * RESETSTAT zeroes them) moves a baseline instead of touching the engine's own counters.
 */
export function createStatsFor(keyspace: { stats(): { hits: number; misses: number } }): ServerStats {
  const stats = createServerStats();
  let hitsBase = 0;
  let missesBase = 0;
  Object.defineProperty(stats, "keyspaceHits", {
    enumerable: true,
    get: () => keyspace.stats().hits - hitsBase,
    set: (v: number) => void (hitsBase = keyspace.stats().hits - v),
  });
  Object.defineProperty(stats, "keyspaceMisses", {
    enumerable: true,
    get: () => keyspace.stats().misses - missesBase,
    set: (v: number) => void (missesBase = keyspace.stats().misses - v),
  });
  return stats;
}

export class ServerState implements ServerContext {
  readonly stats: ServerStats;
  readonly clients = new Map<number, Client>();
  readonly startedAt = Date.now();
  readonly runId = randomRunId();
  readonly version = VERSION;
  tcpPort = 0;
  readonly pid = process.pid;
  readonly configFile: string;
  readonly executable = process.execPath;
  loading = false;
  readonly infoProviders = new Map<string, () => string>();
  readonly slowlog: SlowLog = createSlowLog();
  readonly latency: LatencyMonitor = createLatencyMonitor();
  cluster: ClusterView | undefined = undefined;
  readonly blocking = new BlockedClients();
  replication: ReplicationView | undefined = undefined;
  replicaReadOnly = false;
  /** Keyspace event classes published now (src/commands/notify.ts). */
  notifyMask = 0;
  /** Set by the server: stops it (and, from the CLI, exits the process). */
  onShutdown: (save: boolean | undefined, flags: { now?: boolean; force?: boolean }) => string | undefined = () => undefined;

  constructor(
    readonly keyspace: Keyspace,
    readonly databases: Databases,
    readonly config: ServerConfigStore,
    readonly commands: CommandTable,
  ) {
    this.stats = createStatsFor(databases);
    this.configFile = config.file;
  }

  shutdown(save: boolean | undefined, flags: { now?: boolean; force?: boolean } = {}): string | undefined {
    return this.onShutdown(save, flags);
  }
}
