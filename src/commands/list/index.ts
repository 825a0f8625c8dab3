// The LIST family's table entries (Redis 7.0 arity, flags, key specs, ACL categories).
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { blmpopKeyPositions, cmdBLMove, cmdBLMPop, cmdBLPop, cmdBRPop, cmdBRPopLPush } from "./list-blocking.ts";
import { cmdLInsert, cmdLRem, cmdLSet, cmdLTrim } from "./list-edit.ts";
import { cmdLMove, cmdLMPop, cmdLPop, cmdRPop, cmdRPopLPush } from "./list-pop.ts";
import { cmdLPush, cmdLPushX, cmdRPush, cmdRPushX } from "./list-push.ts";
import { cmdLIndex, cmdLLen, cmdLPos, cmdLRange } from "./list-read.ts";

const { WRITE, READONLY, DENYOOM, FAST, NOSCRIPT, BLOCKING } = CmdFlag;
const ONE_KEY = [1, 1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;
const WRITE_FAST = ["write", "list", "fast"] as const;
const WRITE_SLOW = ["write", "list", "slow"] as const;
const READ_FAST = ["read", "list", "fast"] as const;
const READ_SLOW = ["read", "list", "slow"] as const;
const BLOCKING_SLOW = ["write", "list", "slow", "blocking"] as const;

export const listCommands: CommandEntry[] = [
  defineCommand({ name: "lpush", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.", since: "1.0.0", handler: cmdLPush }),
  defineCommand({ name: "rpush", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.", since: "1.0.0", handler: cmdRPush }),
  defineCommand({ name: "lpushx", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Prepends one or more elements to a list only when the list exists.", since: "2.2.0", handler: cmdLPushX }),
  defineCommand({ name: "rpushx", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Appends an element to a list only when the list exists.", since: "2.2.0", handler: cmdRPushX }),
  defineCommand({ name: "lpop", arity: -2, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", since: "1.0.0", handler: cmdLPop }),
  defineCommand({ name: "rpop", arity: -2, flags: WRITE | FAST, keys: ONE_KEY, categories: WRITE_FAST,
    summary: "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", since: "1.0.0", handler: cmdRPop }),
  defineCommand({ name: "llen", arity: 2, flags: READONLY | FAST, keys: ONE_KEY, categories: READ_FAST,
    summary: "Returns the length of a list.", since: "1.0.0", handler: cmdLLen }),
  defineCommand({ name: "lrange", arity: 4, flags: READONLY, keys: ONE_KEY, categories: READ_SLOW,
    summary: "Returns a range of elements from a list.", since: "1.0.0", handler: cmdLRange }),
  defineCommand({ name: "lindex", arity: 3, flags: READONLY, keys: ONE_KEY, categories: READ_SLOW,
    summary: "Returns an element from a list by its index.", since: "1.0.0", handler: cmdLIndex }),
  defineCommand({ name: "lpos", arity: -3, flags: READONLY, keys: ONE_KEY, categories: READ_SLOW,
    summary: "Returns the index of matching elements in a list.", since: "6.0.6", handler: cmdLPos }),
  defineCommand({ name: "lset", arity: 4, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Sets the value of an element in a list by its index.", since: "1.0.0", handler: cmdLSet }),
  defineCommand({ name: "lrem", arity: 4, flags: WRITE, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Removes elements from a list. Deletes the list if the last element was removed.", since: "1.0.0", handler: cmdLRem }),
  defineCommand({ name: "ltrim", arity: 4, flags: WRITE, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", since: "1.0.0", handler: cmdLTrim }),
  defineCommand({ name: "linsert", arity: 5, flags: WRITE | DENYOOM, keys: ONE_KEY, categories: WRITE_SLOW,
    summary: "Inserts an element before or after another element in a list.", since: "2.2.0", handler: cmdLInsert }),
  defineCommand({ name: "lmove", arity: 5, flags: WRITE | DENYOOM, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", since: "6.2.0", handler: cmdLMove }),
  defineCommand({ name: "rpoplpush", arity: 3, flags: WRITE | DENYOOM, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", since: "1.2.0", handler: cmdRPopLPush }),
  // Key spec: the first key only (numkeys makes the rest movable).
  defineCommand({ name: "lmpop", arity: -4, flags: WRITE, keys: [2, -1, 1], categories: WRITE_SLOW,
    summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", since: "7.0.0", handler: cmdLMPop }),
  defineCommand({ name: "blpop", arity: -3, flags: WRITE | NOSCRIPT | BLOCKING, keys: [1, -2, 1], categories: BLOCKING_SLOW,
    summary: "Remove and get the first element in a list, or block until one is available", since: "2.0.0", handler: cmdBLPop }),
  defineCommand({ name: "brpop", arity: -3, flags: WRITE | NOSCRIPT | BLOCKING, keys: [1, -2, 1], categories: BLOCKING_SLOW,
    summary: "Remove and get the last element in a list, or block until one is available", since: "2.0.0", handler: cmdBRPop }),
  // 7.0.15 lists BRPOPLPUSH and BLMOVE without @blocking.
  defineCommand({ name: "brpoplpush", arity: 4, flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available", since: "2.2.0", handler: cmdBRPopLPush }),
  defineCommand({ name: "blmove", arity: 6, flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING, keys: TWO_KEYS, categories: WRITE_SLOW,
    summary: "Pop an element from a list, push it to another list and return it; or block until one is available", since: "6.2.0", handler: cmdBLMove }),
  defineCommand({ name: "blmpop", arity: -5, flags: WRITE | BLOCKING, keys: [3, 3, 1], movableKeys: blmpopKeyPositions, categories: BLOCKING_SLOW,
    summary: "Pop elements from a list, or block until one is available", since: "7.0.0", handler: cmdBLMPop }),
];
