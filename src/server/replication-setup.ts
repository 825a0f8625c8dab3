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
import { CommandBuffer } from "../replication/resp-encode.ts";
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
    loadRdb(bytes: Uint8Array, client: LinkClient): void {
      // Every entry is read (and the file checked) before anything is replaced.
      const entries = readRdbEntries(bytes);
      if (w.workerCount === 1) {
        databases.each((_i, ks) => ks.clear());
        for (const e of entries) restoreValue(databases.at(e.db), e.key, e.type, e.packed, e.expireAt);
        return;
      }
      // Several workers: the keys go to their owners through the master client's routing.
      client.onData(restoreCommands(entries));
    },
  });
}

/** FLUSHALL, then SELECT + RESTORE ... ABSTTL REPLACE for every entry. */
function restoreCommands(entries: readonly RdbEntryOut[]): Uint8Array {
  const out = new CommandBuffer();
  out.command(["FLUSHALL"]);
  let db = -1;
  for (const e of entries) {
    if (e.db !== db) {
      out.command(["SELECT", String(e.db)]);
      db = e.db;
    }
    const payload = rdbCodec.dumpPayload(e.type, e.packed);
    if (payload !== undefined) out.command(["RESTORE", e.key, String(e.expireAt), payload, "ABSTTL", "REPLACE"]);
  }
  out.command(["SELECT", "0"]);
  return out.take();
}
