// Plugs replication (src/replication/) into a server: the master client that runs a primary's
// stream, the RDB codec for full syncs both ways, and the mutation listener beside persistence.
import type { Socket } from "bun";
import type { ServerConfig } from "../config/params.ts";
import type { Databases } from "../engine/databases.ts";
import type { MutationListener } from "../engine/types.ts";
import { rdbCodec } from "../persistence/rdb/replication-codec.ts";
import type { LinkClient, RdbReceiver } from "../replication/master-link.ts";
import { Replication } from "../replication/replication.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import type { ServerState } from "./context.ts";
import { receiveRdb } from "./rdb-receive.ts";

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
    receiveRdb(): RdbReceiver {
      return receiveRdb(state, databases, w.workerCount);
    },
  });
}
