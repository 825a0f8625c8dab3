// DUMP, RESTORE and MIGRATE (migrate.ts) (Redis's cluster.c dumpCommand / restoreCommand) with Redis's payload format
// (src/persistence/rdb/dump-payload.ts), so payloads move between redis-server and fast-cache.
// IDLETIME and FREQ are checked as Redis checks them; our keyspace keeps its own access clock
// and eviction counters, so they set nothing here.
import { restoreValue } from "../engine/compound/codecs.ts";
import { dumpPayload, DumpFooterError, parseDumpPayload, RdbError } from "../persistence/rdb/index.ts";
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { intArgOrReply, isKeyword } from "./args.ts";
import { cmdMigrate, migrateKeyPositions } from "./migrate.ts";
import { defineCommand } from "./define.ts";
import { replyWriteFailure } from "./string-value.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

export const ERR_BUSYKEY = "BUSYKEY Target key name already exists.";
export const ERR_DUMP_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
export const ERR_BAD_DATA = "ERR Bad data format";

// DUMP key
function cmdDump(c: Client, argv: Args): void {
  const slot = c.db.lookup(argv[1]!);
  if (slot < 0) return c.reply.nullBulk();
  c.reply.bulk(dumpPayload(c.db, slot));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
function cmdRestore(c: Client, argv: Args): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isKeyword(argv[j]!, "replace")) replace = true;
    else if (isKeyword(argv[j]!, "absttl")) absttl = true;
    else if (isKeyword(argv[j]!, "idletime") && more >= 1 && freq === -1) {
      const v = intArgOrReply(c, argv, j + 1);
      if (v === undefined) return;
      if (v < 0) return c.reply.error("ERR Invalid IDLETIME value, must be >= 0");
      idle = v;
      j++;
    } else if (isKeyword(argv[j]!, "freq") && more >= 1 && idle === -1) {
      const v = intArgOrReply(c, argv, j + 1);
      if (v === undefined) return;
      if (v < 0 || v > 255) return c.reply.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = v;
      j++;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const key = argv[1]!;
  const db = c.db;
  if (!replace && db.lookup(key) >= 0) return c.reply.error(ERR_BUSYKEY);
  let ttl = intArgOrReply(c, argv, 2);
  if (ttl === undefined) return;
  if (ttl < 0) return c.reply.error("ERR Invalid TTL value, must be >= 0");
  let value: ReturnType<typeof parseDumpPayload>;
  try {
    value = parseDumpPayload(argv[3]!);
  } catch (e) {
    if (e instanceof DumpFooterError) return c.reply.error(ERR_DUMP_PAYLOAD);
    if (e instanceof RdbError) return c.reply.error(ERR_BAD_DATA);
    throw e;
  }
  if (replace) db.delete(key);
  if (ttl !== 0 && !absttl) ttl += db.now();
  // An absolute TTL already in the past: the key is gone (deleted when REPLACE), the reply OK.
  if (ttl !== 0 && ttl <= db.now()) return c.reply.ok();
  const status = restoreValue(db, key, value.type, value.packed, ttl);
  if (!replyWriteFailure(c, status)) c.reply.ok();
}

const ONE_KEY = [1, 1, 1] as const;

export const dumpRestoreCommands: CommandEntry[] = [
  defineCommand({ name: "dump", arity: 2, flags: CmdFlag.READONLY, keys: ONE_KEY, categories: ["keyspace", "read", "slow"],
    summary: "Returns a serialized representation of the value stored at a key.", since: "2.6.0", handler: cmdDump }),
  defineCommand({ name: "restore", arity: -4, flags: CmdFlag.WRITE | CmdFlag.DENYOOM, keys: ONE_KEY, categories: ["keyspace", "write", "slow", "dangerous"],
    summary: "Creates a key from the serialized representation of a value.", since: "2.6.0", handler: cmdRestore }),
  defineCommand({ name: "migrate", arity: -6, flags: CmdFlag.WRITE, keys: [3, 3, 1], movableKeys: migrateKeyPositions,
    categories: ["keyspace", "write", "slow", "dangerous"], summary: "Atomically transfers a key from one Redis instance to another.", since: "2.6.0", handler: cmdMigrate }),
];
