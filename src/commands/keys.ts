// The generic key family's table (Redis's db.c, expire.c, object.c). Handlers live in key-ops.ts,
// key-expire.ts and key-introspect.ts. Arity, flags, key specs, ACL categories and versions follow
// Redis 7.0's command JSON files.

import { defineCommand } from "./define.ts";
import { cmdMemoryDoctor, cmdMemoryMallocStats, cmdMemoryStats } from "./memory-stats.ts";
import {
  cmdExpire, cmdExpireAt, cmdExpireTime, cmdPExpire, cmdPExpireAt, cmdPExpireTime, cmdPTtl, cmdPersist, cmdTtl,
} from "./key-expire.ts";
import {
  cmdMemoryHelp, cmdMemoryPurge, cmdMemoryUsage, cmdObjectEncoding, cmdObjectFreq, cmdObjectHelp, cmdObjectIdleTime, cmdObjectRefCount,
} from "./key-introspect.ts";
import {
  cmdCopy, cmdDel, cmdExists, cmdFlushAll, cmdFlushDb, cmdKeys, cmdRandomKey, cmdRename, cmdRenameNx, cmdScan,
  cmdTouch, cmdType,
} from "./key-ops.ts";
import { CmdFlag, type CommandEntry } from "./types.ts";

const { WRITE, READONLY, DENYOOM, FAST, LOADING, STALE } = CmdFlag;
// SELECT (connection.ts) and DBSIZE (server.ts) are declared by their families.
const ONE_KEY = [1, 1, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;
const OBJECT_KEY = [2, 2, 1] as const;

const READ_FAST = ["keyspace", "read", "fast"] as const;
const READ_SLOW = ["keyspace", "read", "slow"] as const;
const WRITE_FAST = ["keyspace", "write", "fast"] as const;
const WRITE_SLOW = ["keyspace", "write", "slow"] as const;
const DANGEROUS_WRITE = ["keyspace", "write", "slow", "dangerous"] as const;

const objectSubcommands: CommandEntry[] = [
  defineCommand({ name: "object|encoding", arity: 3, flags: READONLY, keys: OBJECT_KEY, categories: READ_SLOW,
    summary: "Returns the internal encoding of a Redis object.", since: "2.2.3", handler: cmdObjectEncoding }),
  defineCommand({ name: "object|freq", arity: 3, flags: READONLY, keys: OBJECT_KEY, categories: READ_SLOW,
    summary: "Returns the logarithmic access frequency counter of a Redis object.", since: "4.0.0", handler: cmdObjectFreq }),
  defineCommand({ name: "object|idletime", arity: 3, flags: READONLY, keys: OBJECT_KEY, categories: READ_SLOW,
    summary: "Returns the time since the last access to a Redis object.", since: "2.2.3", handler: cmdObjectIdleTime }),
  defineCommand({ name: "object|refcount", arity: 3, flags: READONLY, keys: OBJECT_KEY, categories: READ_SLOW,
    summary: "Returns the reference count of a value of a key.", since: "2.2.3", handler: cmdObjectRefCount }),
  defineCommand({ name: "object|help", arity: 2, flags: LOADING | STALE, categories: ["keyspace", "slow"],
    summary: "Returns helpful text about the different subcommands.", since: "6.2.0", handler: cmdObjectHelp }),
];

const memorySubcommands: CommandEntry[] = [
  defineCommand({ name: "memory|usage", arity: -3, flags: READONLY, keys: OBJECT_KEY, categories: ["read", "slow"],
    summary: "Estimates the memory usage of a key.", since: "4.0.0", handler: cmdMemoryUsage }),
  defineCommand({ name: "memory|help", arity: 2, flags: LOADING | STALE, categories: ["slow"],
    summary: "Returns helpful text about the different subcommands.", since: "4.0.0", handler: cmdMemoryHelp }),
  defineCommand({ name: "memory|purge", arity: 2, flags: 0, categories: ["slow"],
    summary: "Asks the allocator to release memory.", since: "4.0.0", handler: cmdMemoryPurge }),
  // memory-stats.ts
  defineCommand({ name: "memory|stats", arity: 2, flags: 0, categories: ["slow"],
    summary: "Returns details about memory usage.", since: "4.0.0", handler: cmdMemoryStats }),
  defineCommand({ name: "memory|doctor", arity: 2, flags: 0, categories: ["slow"],
    summary: "Outputs a memory problems report.", since: "4.0.0", handler: cmdMemoryDoctor }),
  defineCommand({ name: "memory|malloc-stats", arity: 2, flags: 0, categories: ["slow"],
    summary: "Returns the allocator statistics.", since: "4.0.0", handler: cmdMemoryMallocStats }),
];

export const keyCommands: CommandEntry[] = [
  defineCommand({ name: "del", arity: -2, flags: WRITE, keys: ALL_KEYS, categories: WRITE_SLOW,
    summary: "Deletes one or more keys.", since: "1.0.0", handler: cmdDel }),
  defineCommand({ name: "unlink", arity: -2, flags: WRITE | FAST, keys: ALL_KEYS, categories: WRITE_FAST,
    summary: "Asynchronously deletes one or more keys.", since: "4.0.0", handler: cmdDel }),
  defineCommand({ name: "exists", arity: -2, flags: READONLY | FAST, keys: ALL_KEYS, categories: READ_FAST,
    summary: "Determines whether one or more keys exist.", since: "1.0.0", handler: cmdExists }),
  defineCommand({ name: "type", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Determines the type of value stored at a key.", since: "1.0.0", handler: cmdType }),
  defineCommand({ name: "keys", arity: 2, flags: READONLY, categories: ["keyspace", "read", "slow", "dangerous"],
    summary: "Returns all key names that match a pattern.", since: "1.0.0", handler: cmdKeys }),
  defineCommand({ name: "scan", arity: -2, flags: READONLY, categories: READ_SLOW,
    summary: "Iterates over the key names in the database.", since: "2.8.0", handler: cmdScan }),
  defineCommand({ name: "randomkey", arity: 1, flags: READONLY, categories: READ_SLOW,
    summary: "Returns a random key name from the database.", since: "1.0.0", handler: cmdRandomKey }),
  defineCommand({ name: "rename", arity: 3, flags: WRITE, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Renames a key and overwrites the destination.", since: "1.0.0", handler: cmdRename }),
  defineCommand({ name: "renamenx", arity: 3, flags: WRITE | FAST, keys: TWO_KEYS, categories: WRITE_FAST,
    summary: "Renames a key only when the target key name doesn't exist.", since: "1.0.0", handler: cmdRenameNx }),
  defineCommand({ name: "copy", arity: -3, flags: WRITE | DENYOOM, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Copies the value of a key to a new key.", since: "6.2.0", handler: cmdCopy }),
  defineCommand({ name: "expire", arity: -3, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Sets the expiration time of a key in seconds.", since: "1.0.0", handler: cmdExpire }),
  defineCommand({ name: "pexpire", arity: -3, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Sets the expiration time of a key in milliseconds.", since: "2.6.0", handler: cmdPExpire }),
  defineCommand({ name: "expireat", arity: -3, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Sets the expiration time of a key to a Unix timestamp.", since: "1.2.0", handler: cmdExpireAt }),
  defineCommand({ name: "pexpireat", arity: -3, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", since: "2.6.0", handler: cmdPExpireAt }),
  defineCommand({ name: "ttl", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the expiration time in seconds of a key.", since: "1.0.0", handler: cmdTtl }),
  defineCommand({ name: "pttl", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the expiration time in milliseconds of a key.", since: "2.6.0", handler: cmdPTtl }),
  defineCommand({ name: "expiretime", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the expiration time of a key as a Unix timestamp.", since: "7.0.0", handler: cmdExpireTime }),
  defineCommand({ name: "pexpiretime", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", since: "7.0.0", handler: cmdPExpireTime }),
  defineCommand({ name: "persist", arity: 2, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Removes the expiration time of a key.", since: "2.2.0", handler: cmdPersist }),
  defineCommand({ name: "touch", arity: -2, flags: READONLY | FAST, keys: ALL_KEYS, categories: READ_FAST,
    summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    since: "3.2.1", handler: cmdTouch }),
  defineCommand({ name: "flushdb", arity: -1, flags: WRITE, categories: DANGEROUS_WRITE,
    summary: "Remove all keys from the current database.", since: "1.0.0", handler: cmdFlushDb }),
  defineCommand({ name: "flushall", arity: -1, flags: WRITE, categories: DANGEROUS_WRITE,
    summary: "Removes all keys from all databases.", since: "1.0.0", handler: cmdFlushAll }),
  defineCommand({ name: "object", arity: -2, flags: 0, categories: ["slow"],
    summary: "A container for object introspection commands.", since: "2.2.3", subcommands: objectSubcommands }),
  defineCommand({ name: "memory", arity: -2, flags: 0, categories: ["slow"],
    summary: "A container for memory diagnostics commands.", since: "4.0.0", subcommands: memorySubcommands }),
];
