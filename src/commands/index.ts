// Joins the command families in a fixed order and builds the name map once.
// Nothing else in the code base switches over command names.
import { bitmapCommands } from "./bitmap/index.ts";
import { clusterCommands } from "./cluster.ts";
import { connectionCommands } from "./connection.ts";
import { databaseCommands } from "./databases.ts";
import { hashCommands } from "./hash/index.ts";
import { hllCommands } from "./hll/index.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./list/index.ts";
import { persistenceCommands } from "./persistence.ts";
import { pubsubCommands } from "./pubsub.ts";
import { serverCommands } from "./server.ts";
import { replicationCommands } from "./replication.ts";
import { scriptingCommands } from "./scripting.ts";
import { setCommands } from "./set/index.ts";
import { sortCommands } from "./sort/index.ts";
import { streamCommands } from "./stream/index.ts";
import { stringCommands } from "./strings.ts";
import { zsetCommands } from "./zset/index.ts";
import { functionCommands } from "./functions.ts";
import { geoCommands } from "./geo/index.ts";
import { transactionCommands } from "./transactions.ts";
import { watchCommands } from "./watch.ts";
import { monitorCommands } from "./monitor.ts";
import type { CommandEntry, CommandTable } from "./types.ts";

import { dumpRestoreCommands } from "./dump-restore.ts";
const FAMILIES: readonly (readonly CommandEntry[])[] = [stringCommands, hashCommands, listCommands, setCommands, zsetCommands, geoCommands, streamCommands, sortCommands, bitmapCommands, hllCommands, keyCommands, databaseCommands, connectionCommands, serverCommands, persistenceCommands, transactionCommands, watchCommands, monitorCommands, pubsubCommands, clusterCommands, functionCommands, scriptingCommands, replicationCommands, dumpRestoreCommands];

export function buildCommandTable(families: readonly (readonly CommandEntry[])[] = FAMILIES): CommandTable {
  const byName = new Map<string, CommandEntry>();
  const list: CommandEntry[] = [];
  for (const family of families) {
    for (const entry of family) {
      if (byName.has(entry.name)) throw new Error(`command ${entry.name} is declared twice`);
      byName.set(entry.name, entry);
      list.push(entry);
    }
  }
  return { get: (name) => byName.get(name), all: () => list };
}
