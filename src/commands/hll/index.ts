// The HyperLogLog family's table entries (Redis 7.0 arity, flags, key specs, ACL categories).
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { cmdPfAdd, cmdPfCount, cmdPfMerge } from "./hll-commands.ts";
import { cmdPfDebug, cmdPfSelfTest } from "./hll-debug.ts";

const { WRITE, READONLY, DENYOOM, FAST, ADMIN } = CmdFlag;

export const hllCommands: CommandEntry[] = [
  defineCommand({ name: "pfadd", arity: -2, flags: WRITE | DENYOOM | FAST, keys: [1, 1, 1], categories: ["write", "hyperloglog", "fast"],
    summary: "Adds the specified elements to the specified HyperLogLog.", since: "2.8.9", handler: cmdPfAdd }),
  defineCommand({ name: "pfcount", arity: -2, flags: READONLY, keys: [1, -1, 1], categories: ["read", "hyperloglog", "slow"],
    summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", since: "2.8.9", handler: cmdPfCount }),
  defineCommand({ name: "pfmerge", arity: -2, flags: WRITE | DENYOOM, keys: [1, -1, 1], categories: ["write", "hyperloglog", "slow"],
    summary: "Merge N different HyperLogLogs into a single one.", since: "2.8.9", handler: cmdPfMerge }),
  defineCommand({ name: "pfdebug", arity: 3, flags: WRITE | DENYOOM | ADMIN, keys: [2, 2, 1], categories: ["write", "hyperloglog", "admin", "slow", "dangerous"],
    summary: "Internal commands for debugging HyperLogLog values", since: "2.8.9", handler: cmdPfDebug }),
  defineCommand({ name: "pfselftest", arity: 1, flags: ADMIN, categories: ["hyperloglog", "admin", "slow", "dangerous"],
    summary: "An internal command for testing HyperLogLog values", since: "2.8.9", handler: cmdPfSelfTest }),
];
