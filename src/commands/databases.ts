// The numbered databases: MOVE and SWAPDB (SELECT is a connection command, FLUSHDB/FLUSHALL and
// COPY ... DB are key commands). Each database is its own Keyspace (engine/databases.ts); with
// cluster ports only database 0 exists and these answer Redis Cluster's errors.
import { copyValue } from "../engine/compound/codecs.ts";
import { Status } from "../engine/types.ts";
import { ERR_DB_RANGE, ERR_OTHER_DB_ISOLATED } from "../protocol/errors.ts";
import { intRangeArgOrReply } from "./args.ts";
import { defineCommand } from "./define.ts";
import { touchAll } from "./watch.ts";
import { ERR_SAME_OBJECT } from "./key-ops.ts";
import { replyWriteFailure } from "./string-value.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify, notifyInDb } from "./notify.ts";

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const inClusterMode = (c: Client): boolean => (c.server.cluster?.clusterPort ?? 0) !== 0;

// MOVE key db
function cmdMove(c: Client, argv: Args): void {
  if (inClusterMode(c)) return c.reply.error("ERR MOVE is not allowed in cluster mode");
  const id = intRangeArgOrReply(c, argv, 2, INT_MIN, INT_MAX);
  if (id === undefined) return;
  if (id < 0 || id >= c.server.databases.count) return c.reply.error(ERR_DB_RANGE);
  if (id === c.dbIndex) return c.reply.error(ERR_SAME_OBJECT);
  if (c.isolated === true) return c.reply.error(ERR_OTHER_DB_ISOLATED("MOVE"));
  const key = argv[1]!;
  const src = c.db;
  const slot = src.lookup(key);
  if (slot < 0) return c.reply.integer(0);
  const dst = c.server.databases.at(id);
  if (dst.peek(key) >= 0) return c.reply.integer(0);
  const status = copyValue(src, slot, dst, key, src.expireAt(slot));
  if (status !== Status.Ok) {
    replyWriteFailure(c, status);
    return;
  }
  src.delete(key);
  notify(c, NC.GENERIC, "move_from", key);
  notifyInDb(c, dst.db, NC.GENERIC, "move_to", key);
  c.server.blocking?.signal(dst, key);
  c.reply.integer(1);
}

/** A DB index argument of SWAPDB: Redis's own message names which one was bad. */
function dbIndexOrReply(c: Client, argv: Args, i: number, which: string): number | undefined {
  const a = argv[i]!;
  const text = new TextDecoder().decode(a);
  const n = /^-?\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) {
    c.reply.error(`ERR invalid ${which} DB index`);
    return undefined;
  }
  return n;
}

// SWAPDB index1 index2
function cmdSwapdb(c: Client, argv: Args): void {
  if (inClusterMode(c)) return c.reply.error("ERR SWAPDB is not allowed in cluster mode");
  const a = dbIndexOrReply(c, argv, 1, "first");
  if (a === undefined) return;
  const b = dbIndexOrReply(c, argv, 2, "second");
  if (b === undefined) return;
  const n = c.server.databases.count;
  if (a < 0 || a >= n || b < 0 || b >= n) return c.reply.error(ERR_DB_RANGE);
  if (c.isolated === true) return c.reply.error(ERR_OTHER_DB_ISOLATED("SWAPDB"));
  const ka = c.server.databases.at(a);
  const kb = c.server.databases.at(b);
  // Every watcher of either database sees its keys changed (Redis touches the watched keys of both).
  touchAll(c.server.databases.at(a));
  touchAll(c.server.databases.at(b));
  c.server.databases.swap(a, b);
  c.server.blocking?.swapped(ka, kb);
  c.reply.ok();
}

const { WRITE, FAST } = CmdFlag;

export const databaseCommands: CommandEntry[] = [
  defineCommand({ name: "move", arity: 3, flags: WRITE | FAST, keys: [1, 1, 1], categories: ["keyspace", "write", "fast"],
    summary: "Moves a key to another database.", since: "1.0.0", handler: cmdMove }),
  defineCommand({ name: "swapdb", arity: 3, flags: WRITE | FAST, categories: ["keyspace", "write", "fast", "dangerous"],
    summary: "Swaps two Redis databases.", since: "4.0.0", handler: cmdSwapdb }),
];
