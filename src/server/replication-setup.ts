// Plugs replication (src/replication/) into a server: the master client that runs a primary's
// stream, the RDB codec for full syncs both ways, and the mutation listener beside persistence.
import type { Socket } from "bun";
import type { ServerConfig } from "../config/params.ts";
import { restoreValue } from "../engine/compound/codecs.ts";
import type { Databases } from "../engine/databases.ts";
import type { MutationListener } from "../engine/types.ts";
import { rdbCodec, readRdbEntries, type RdbEntryOut } from "../persistence/rdb/replication-codec.ts";
import type { LinkClient } from "../replication/master-link.ts";
import { Replication } from "../replication/replication.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import type { ServerState } from "./context.ts";

export interface ReplicationWiring {
  state: ServerState;
  config: ServerConfig;
  databases: Databases;
  host: ConnectionHost;
  persistenceRecord: MutationListener | undefined;
  workerIndex: number;
  workerCount: number;
  /** A new client id (unique across workers). */
  nextClientId(): number;
}

export function setupReplication(w: ReplicationWiring): Replication {
  const { state, databases } = w;
  return new Replication({
    server: state,
    config: w.config,
    databases,
    persistenceRecord: w.persistenceRecord,
    rdb: rdbCodec,
    workerIndex: w.workerIndex,
    workerCount: w.workerCount,
    get listeningPort() {
      return state.tcpPort;
    },
    masterClient(socket: Socket<unknown>): LinkClient {
      const conn = new Connection(w.nextClientId(), socket as Socket<Connection | undefined>, w.host);
      conn.authenticated = true;
      conn.isMaster = true;
      conn.replyMode = "off";
      state.clients.set(conn.id, conn);
      return conn;
    },
    loadRdb(bytes: Uint8Array): void {
      // Every entry is read (and the file checked) before anything is replaced.
      const entries = readRdbEntries(bytes);
      if (w.workerCount === 1) {
        databases.each((_i, ks) => ks.clear());
        for (const e of entries) restoreValue(databases.at(e.db), e.key, e.type, e.packed, e.expireAt);
        return;
      }
      // Several workers: each key goes to its owner over the worker links (`__restore`), in the
      // same order as the stream's commands that the master client forwards after it.
      loadOnWorkers(state, entries);
    },
  });
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
