// The string family's table (Redis's t_string.c commands). Handlers live in string-set.ts (GET/SET
// and variants), string-numeric.ts (INCR family), string-range.ts (APPEND, ranges) and lcs.ts.
// Arity, flags, key specs, ACL categories and versions follow Redis 7.0's command JSON files.

import { defineCommand } from "./define.ts";
import { cmdLcs } from "./lcs.ts";
import { cmdDecr, cmdDecrBy, cmdIncr, cmdIncrBy, cmdIncrByFloat } from "./string-numeric.ts";
import { cmdAppend, cmdGetRange, cmdSetRange, cmdStrLen } from "./string-range.ts";
import { cmdGet, cmdGetDel, cmdGetEx, cmdGetSet, cmdMGet, cmdMSet, cmdMSetNx, cmdPSetEx, cmdSet, cmdSetEx, cmdSetNx } from "./string-set.ts";
import { CmdFlag, type CommandEntry } from "./types.ts";

const { WRITE, READONLY, DENYOOM, FAST } = CmdFlag;
const ONE_KEY = [1, 1, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;
const PAIRS = [1, -1, 2] as const;

const READ_FAST = ["read", "string", "fast"] as const;
const READ_SLOW = ["read", "string", "slow"] as const;
const WRITE_FAST = ["write", "string", "fast"] as const;
const WRITE_SLOW = ["write", "string", "slow"] as const;

export const stringCommands: CommandEntry[] = [
  defineCommand({ name: "get", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the string value of a key.", since: "1.0.0", handler: cmdGet }),
  defineCommand({ name: "set", arity: -3, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    since: "1.0.0", handler: cmdSet }),
  defineCommand({ name: "setnx", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Set the string value of a key only when the key doesn't exist.", since: "1.0.0", handler: cmdSetNx }),
  defineCommand({ name: "setex", arity: 4, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    since: "2.0.0", handler: cmdSetEx }),
  defineCommand({ name: "psetex", arity: 4, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    since: "2.6.0", handler: cmdPSetEx }),
  defineCommand({ name: "mget", arity: -2, flags: READONLY | FAST, keys: ALL_KEYS, categories: READ_FAST,
    summary: "Atomically returns the string values of one or more keys.", since: "1.0.0", handler: cmdMGet }),
  defineCommand({ name: "mset", arity: -3, flags: WRITE | DENYOOM, keys: PAIRS, categories: WRITE_SLOW,
    summary: "Atomically creates or modifies the string values of one or more keys.", since: "1.0.1", handler: cmdMSet }),
  defineCommand({ name: "msetnx", arity: -3, flags: WRITE | DENYOOM, keys: PAIRS, categories: WRITE_SLOW,
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    since: "1.0.1", handler: cmdMSetNx }),
  defineCommand({ name: "getset", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Returns the previous string value of a key after setting it to a new value.", since: "1.0.0", handler: cmdGetSet }),
  defineCommand({ name: "getdel", arity: 2, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Returns the string value of a key after deleting the key.", since: "6.2.0", handler: cmdGetDel }),
  defineCommand({ name: "getex", arity: -2, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Returns the string value of a key after setting its expiration time.", since: "6.2.0", handler: cmdGetEx }),
  defineCommand({ name: "append", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", since: "2.0.0", handler: cmdAppend }),
  defineCommand({ name: "strlen", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the length of a string value.", since: "2.2.0", handler: cmdStrLen }),
  defineCommand({ name: "incr", arity: 2, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    since: "1.0.0", handler: cmdIncr }),
  defineCommand({ name: "decr", arity: 2, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    since: "1.0.0", handler: cmdDecr }),
  defineCommand({ name: "incrby", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    since: "1.0.0", handler: cmdIncrBy }),
  defineCommand({ name: "decrby", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    since: "1.0.0", handler: cmdDecrBy }),
  defineCommand({ name: "incrbyfloat", arity: 3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    since: "2.6.0", handler: cmdIncrByFloat }),
  defineCommand({ name: "getrange", arity: 4, flags: READONLY, keys: ONE_KEY, categories: READ_SLOW,
    summary: "Returns a substring of the string stored at a key.", since: "2.4.0", handler: cmdGetRange }),
  defineCommand({ name: "substr", arity: 4, flags: READONLY, keys: ONE_KEY, categories: READ_SLOW,
    summary: "Returns a substring from a string value.", since: "1.0.0", handler: cmdGetRange }),
  defineCommand({ name: "setrange", arity: 4, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    since: "2.2.0", handler: cmdSetRange }),
  defineCommand({ name: "lcs", arity: -3, flags: READONLY, keys: [1, 2, 1], categories: READ_SLOW,
    summary: "Finds the longest common substring.", since: "7.0.0", handler: cmdLcs }),
];
