// The hash family's table (Redis's t_hash.c commands, Redis 7.0's command JSON files; the field
// expiry commands of Redis 7.4 and 8.0). Handlers live in hash-read.ts, hash-write.ts and
// hash-expire.ts; the hash type itself in src/engine/hash/.

import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry, type Handler } from "../types.ts";
import {
  cmdHExpire, cmdHExpireAt, cmdHExpireTime, cmdHGetDel, cmdHGetEx, cmdHPersist, cmdHPExpire, cmdHPExpireAt, cmdHPExpireTime,
  cmdHPTtl, cmdHSetEx, cmdHTtl,
} from "./hash-expire.ts";
import { cmdHExists, cmdHGet, cmdHGetAll, cmdHKeys, cmdHLen, cmdHMGet, cmdHRandField, cmdHScan, cmdHStrLen, cmdHVals } from "./hash-read.ts";
import { cmdHDel, cmdHIncrBy, cmdHIncrByFloat, cmdHMSet, cmdHSet, cmdHSetNx } from "./hash-write.ts";

const { WRITE, READONLY, DENYOOM, FAST } = CmdFlag;
const ONE_KEY = [1, 1, 1] as const;

const READ_FAST = ["read", "hash", "fast"] as const;
const READ_SLOW = ["read", "hash", "slow"] as const;
const WRITE_FAST = ["write", "hash", "fast"] as const;

function hash(name: string, arity: number, flags: number, handler: Handler, summary: string, since: string): CommandEntry {
  const categories = flags & WRITE ? WRITE_FAST : flags & FAST ? READ_FAST : READ_SLOW;
  return defineCommand({ name, arity, flags, keys: ONE_KEY, categories, summary, since, handler });
}

export const hashCommands: CommandEntry[] = [
  hash("hset", -4, WRITE | DENYOOM | FAST, cmdHSet, "Creates or modifies the value of a field in a hash.", "2.0.0"),
  hash("hsetnx", 4, WRITE | DENYOOM | FAST, cmdHSetNx, "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0"),
  hash("hget", 3, READONLY | FAST, cmdHGet, "Returns the value of a field in a hash.", "2.0.0"),
  hash("hmset", -4, WRITE | DENYOOM | FAST, cmdHMSet, "Sets the values of multiple fields.", "2.0.0"),
  hash("hmget", -3, READONLY | FAST, cmdHMGet, "Returns the values of all fields in a hash.", "2.0.0"),
  hash("hincrby", 4, WRITE | DENYOOM | FAST, cmdHIncrBy, "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0"),
  hash("hincrbyfloat", 4, WRITE | DENYOOM | FAST, cmdHIncrByFloat, "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0"),
  hash("hdel", -3, WRITE | FAST, cmdHDel, "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0"),
  hash("hlen", 2, READONLY | FAST, cmdHLen, "Returns the number of fields in a hash.", "2.0.0"),
  hash("hstrlen", 3, READONLY | FAST, cmdHStrLen, "Returns the length of the value of a field.", "3.2.0"),
  hash("hkeys", 2, READONLY, cmdHKeys, "Returns all fields in a hash.", "2.0.0"),
  hash("hvals", 2, READONLY, cmdHVals, "Returns all values in a hash.", "2.0.0"),
  hash("hgetall", 2, READONLY, cmdHGetAll, "Returns all fields and values in a hash.", "2.0.0"),
  hash("hexists", 3, READONLY | FAST, cmdHExists, "Determines whether a field exists in a hash.", "2.0.0"),
  hash("hrandfield", -2, READONLY, cmdHRandField, "Returns one or more random fields from a hash.", "6.2.0"),
  hash("hscan", -3, READONLY, cmdHScan, "Iterates over fields and values of a hash.", "2.8.0"),
  hash("hexpire", -6, WRITE | FAST, cmdHExpire, "Set expiry for hash field using relative time to expire (seconds)", "7.4.0"),
  hash("hpexpire", -6, WRITE | FAST, cmdHPExpire, "Set expiry for hash field using relative time to expire (milliseconds)", "7.4.0"),
  hash("hexpireat", -6, WRITE | FAST, cmdHExpireAt, "Set expiry for hash field using an absolute Unix timestamp (seconds)", "7.4.0"),
  hash("hpexpireat", -6, WRITE | FAST, cmdHPExpireAt, "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", "7.4.0"),
  hash("httl", -5, READONLY | FAST, cmdHTtl, "Returns the TTL in seconds of a hash field.", "7.4.0"),
  hash("hpttl", -5, READONLY | FAST, cmdHPTtl, "Returns the TTL in milliseconds of a hash field.", "7.4.0"),
  hash("hexpiretime", -5, READONLY | FAST, cmdHExpireTime, "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", "7.4.0"),
  hash("hpexpiretime", -5, READONLY | FAST, cmdHPExpireTime, "Returns the expiration time of a hash field as a Unix timestamp, in msec.", "7.4.0"),
  hash("hpersist", -5, WRITE | FAST, cmdHPersist, "Removes the expiration time for each specified field", "7.4.0"),
  hash("hgetex", -5, WRITE | FAST, cmdHGetEx, "Get the value of one or more fields of a given hash key, and optionally set their expiration.", "8.0.0"),
  hash("hsetex", -6, WRITE | DENYOOM | FAST, cmdHSetEx, "Set the value of one or more fields of a given hash key, and optionally set their expiration.", "8.0.0"),
  hash("hgetdel", -5, WRITE | FAST, cmdHGetDel, "Returns the value of a field and deletes it from the hash.", "8.0.0"),
];
