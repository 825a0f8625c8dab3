// A replica's side of a full sync's file, read as it arrives (src/replication/master-link.ts feeds
// it), in one of three ways:
// - One worker, no keys: each key is stored as soon as its record is whole, so the load runs
//   while the primary is still writing the file (Redis's `repl-diskless-load on-empty-db`).
//   Clients get -LOADING until the end; a bad file or a lost link empties the data again, which
//   is the state it started from.
// - One worker holding keys: the records are checked and kept as they come, and replace the data
//   only once the whole file is good (a bad file keeps the old data).
// - Several workers: the same, then each key goes to the worker that owns it (`__restore`), in
//   the order of the stream's commands that the master client forwards after it.
import { restoreValue } from "../engine/compound/codecs.ts";
import type { Databases } from "../engine/databases.ts";
import { RdbParser } from "../persistence/rdb/index.ts";
import { rdbEntryReader, type RdbEntryOut } from "../persistence/rdb/replication-codec.ts";
import type { RdbReceiver } from "../replication/master-link.ts";
import type { ServerState } from "./context.ts";

export function receiveRdb(state: ServerState, databases: Databases, workerCount: number): RdbReceiver {
  if (workerCount === 1 && databases.totalKeys === 0) return loadWhileArriving(state, databases);
  const reader = rdbEntryReader();
  return {
    feed: reader.feed,
    finish(): void {
      const entries = reader.end();
      if (workerCount > 1) return loadOnWorkers(state, entries);
      databases.each((_i, ks) => ks.clear());
      for (const e of entries) restoreValue(databases.at(e.db), e.key, e.type, e.packed, e.expireAt);
    },
    abort(): void {},
  };
}

function loadWhileArriving(state: ServerState, databases: Databases): RdbReceiver {
  state.loading = true;
  const parser = new RdbParser((e) => void restoreValue(databases.at(e.db), e.key, e.type, e.packed, e.expireAt));
  let open = true;
  const abort = (): void => {
    if (!open) return;
    open = false;
    databases.each((_i, ks) => ks.clear());
    state.loading = false;
  };
  return {
    feed(bytes: Uint8Array): void {
      if (open) parser.feed(bytes);
    },
    finish(): void {
      try {
        parser.end();
      } catch (e) {
        abort();
        throw e;
      }
      open = false;
      state.loading = false;
    },
    abort,
  };
}

const enc = new TextEncoder();
const FLUSHALL = [enc.encode("FLUSHALL")];
const RESTORE = enc.encode("__restore");
const REPLACE = enc.encode("replace");
const ignore = (): void => {};

/** FLUSHALL on every worker, then every entry stored on the worker that owns its key. */
function loadOnWorkers(state: ServerState, entries: readonly RdbEntryOut[]): void {
  const cluster = state.cluster!;
  for (let w = 0; w < cluster.count; w++) cluster.askWorker(w, FLUSHALL, ignore);
  for (const e of entries) {
    const owner = cluster.slots.ownerOfKey(e.key);
    cluster.askWorker(owner, [RESTORE, e.key, enc.encode(String(e.type)), e.packed, enc.encode(String(e.expireAt)), REPLACE], ignore, e.db);
  }
}
