// Builds the server's Persistence from its configuration and ties it to the server state: INFO
// persistence, the command registry (SAVE/BGSAVE/LASTSAVE), -LOADING while recovery runs.
import type { ServerConfig } from "../config/params.ts";
import { saveText } from "../config/params.ts";
import type { Databases } from "../engine/databases.ts";
import { Persistence, type PersistenceOptions, type RecoveryResult } from "../persistence/index.ts";
import { attachPersistence } from "../persistence/registry.ts";
import type { ServerState } from "./context.ts";
import { importRedisDump, isFirstStart } from "./rdb-import.ts";
import { logAt } from "../log.ts";

/** What a caller of startServer may add to the persistence built from the config. */
export type ServerPersistenceOptions = Pick<PersistenceOptions, "log" | "onFrames" | "io" | "now" | "compress" | "shard">;

/** Persistence options from the server parameters (Redis names) plus the caller's extras. */
export function persistenceFromConfig(cfg: ServerConfig, extra: ServerPersistenceOptions = {}): Persistence {
  return new Persistence({
    dir: cfg.dir,
    appendonly: cfg.appendonly,
    appendfsync: cfg.appendfsync,
    fsyncIntervalMs: cfg["fsync-interval-ms"],
    segmentBytes: cfg["wal-segment-bytes"],
    snapshotEverySeconds: cfg["snapshot-every-seconds"],
    snapshotMinWrites: cfg["snapshot-min-writes"],
    repair: cfg["wal-repair"],
    snapshotRepair: cfg["snapshot-repair"],
    ...extra,
  });
}

/** Configuration values as they are without persistence (CONFIG GET tells the truth). */
export function describeNoPersistence(cfg: ServerConfig): void {
  cfg.appendonly = false;
  cfg.save = "";
}

/**
 * Registers `p` with the server and starts recovery into `ks` (-LOADING until it ends). The
 * promise rejects with a LockError or a RecoveryError; the server then stays in -LOADING.
 */
export function openForServer(p: Persistence, ks: Databases, state: ServerState, cfg: ServerConfig, log: (line: string) => void = logAt("notice")): Promise<RecoveryResult> {
  cfg.save = saveText(cfg);
  state.loading = true;
  const loading = p.open(ks);
  attachPersistence(state, p);
  state.infoProviders.set("persistence", () => p.info().replace(/^# Persistence\r\n/, ""));
  return loading.then(
    (r) => {
      // A Redis dump.rdb is imported at the first start only (rdb-import.ts).
      if (isFirstStart(r)) importRedisDump(cfg.dir, cfg.dbfilename, ks, state, log);
      state.loading = false;
      return r;
    },
    (e: unknown) => {
      throw e; // still loading: the server keeps answering -LOADING until it is stopped
    },
  );
}
