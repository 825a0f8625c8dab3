// Migration by copying the file: a Redis `dump.rdb` (magic "REDIS") found in `dir` under
// `dbfilename` at the first start (no snapshot and no WAL of ours yet) is loaded. Our own files are
// named snap-s*/wal-s*, so the default name `dump.rdb` is Redis's alone; a file under that name
// without the RDB magic is left alone and said so. A corrupt or truncated RDB refuses the start
// (RecoveryError, as for our own damaged snapshot: never start empty silently), and nothing of it
// is loaded (loadRdb validates the whole file first).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Databases } from "../engine/databases.ts";
import { RecoveryError, type RecoveryResult } from "../persistence/index.ts";
import { isRdb, loadRdb, RdbError } from "../persistence/rdb/index.ts";
import { loadLibrary } from "../scripting/function-libraries.ts";
import type { ServerState } from "./context.ts";

/** True when recovery found nothing of ours: no snapshot, no WAL segment, no frame. */
export const isFirstStart = (r: RecoveryResult): boolean => r.snapshot === undefined && r.segments.length === 0 && r.frames === 0 && r.keys === 0;

/** Loads `dir/dbfilename` when it is a Redis RDB; returns the keys loaded (-1: no file or not an RDB). */
export function importRedisDump(dir: string, dbfilename: string, databases: Databases, state: ServerState, log: (line: string) => void): number {
  const path = join(dir, dbfilename);
  if (!existsSync(path)) return -1;
  const bytes = new Uint8Array(readFileSync(path));
  if (!isRdb(bytes)) {
    log(`${path} is not a Redis RDB file (no REDIS magic): not loaded`);
    return -1;
  }
  const cluster = state.cluster;
  const owns = cluster !== undefined && cluster.nodes.length > 1 ? (key: Uint8Array): boolean => cluster.slots.ownerOfKey(key) === cluster.index : undefined;
  try {
    const r = loadRdb(databases, bytes, owns !== undefined ? { owns } : {});
    log(
      `Loaded Redis RDB ${path} (RDB version ${r.version}, redis-ver ${r.aux["redis-ver"] ?? "?"}): ${r.loaded} keys` +
        (r.expired > 0 ? `, ${r.expired} expired skipped` : "") + (r.notOwned > 0 ? `, ${r.notOwned} belong to other workers` : "") +
        (r.functions.length > 0 ? `, ${r.functions.length} function libraries` : ""),
    );
    for (const code of r.functions) {
      const f = loadLibrary(code, true);
      if (f.error !== undefined) log(`A function library of ${path} was not loaded: ${f.error}`);
    }
    return r.loaded;
  } catch (e) {
    if (e instanceof RdbError) throw new RecoveryError(`Redis RDB file ${path} is corrupt or truncated, nothing of it was loaded: ${e.message}. Fix or remove the file to start.`);
    throw e;
  }
}
