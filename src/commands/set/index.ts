// The SET family's table entries (Redis 7.0 arity, flags, key specs, ACL categories).
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { cmdSInter, cmdSInterCard, cmdSInterStore, cmdSDiff, cmdSDiffStore, cmdSUnion, cmdSUnionStore } from "./set-algebra.ts";
import { cmdSAdd, cmdSCard, cmdSIsMember, cmdSMembers, cmdSMIsMember, cmdSRem, cmdSScan } from "./set-basic.ts";
import { cmdSMove, cmdSPop, cmdSRandMember } from "./set-random.ts";

const { WRITE, READONLY, DENYOOM, FAST } = CmdFlag;
const ONE = [1, 1, 1] as const;
const ALL = [1, -1, 1] as const;
const RF = ["read", "set", "fast"] as const;
const RS = ["read", "set", "slow"] as const;
const WF = ["write", "set", "fast"] as const;
const WS = ["write", "set", "slow"] as const;

export const setCommands: CommandEntry[] = [
  defineCommand({ name: "sadd", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE, categories: WF,
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.", since: "1.0.0", handler: cmdSAdd }),
  defineCommand({ name: "srem", arity: -3, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Removes one or more members from a set. Deletes the set if the last member was removed.", since: "1.0.0", handler: cmdSRem }),
  defineCommand({ name: "smembers", arity: 2, flags: READONLY, keys: ONE, categories: RS,
    summary: "Returns all members of a set.", since: "1.0.0", handler: cmdSMembers }),
  defineCommand({ name: "sismember", arity: 3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Determines whether a member belongs to a set.", since: "1.0.0", handler: cmdSIsMember }),
  defineCommand({ name: "smismember", arity: -3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Determines whether multiple members belong to a set.", since: "6.2.0", handler: cmdSMIsMember }),
  defineCommand({ name: "scard", arity: 2, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Returns the number of members in a set.", since: "1.0.0", handler: cmdSCard }),
  defineCommand({ name: "spop", arity: -2, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", since: "1.0.0", handler: cmdSPop }),
  defineCommand({ name: "srandmember", arity: -2, flags: READONLY, keys: ONE, categories: RS,
    summary: "Get one or multiple random members from a set", since: "1.0.0", handler: cmdSRandMember }),
  defineCommand({ name: "smove", arity: 4, flags: WRITE | FAST, keys: [1, 2, 1], categories: WF,
    summary: "Moves a member from one set to another.", since: "1.0.0", handler: cmdSMove }),
  defineCommand({ name: "sinter", arity: -2, flags: READONLY, keys: ALL, categories: RS,
    summary: "Returns the intersect of multiple sets.", since: "1.0.0", handler: cmdSInter }),
  defineCommand({ name: "sintercard", arity: -3, flags: READONLY, keys: [2, -1, 1], categories: RS,
    summary: "Returns the number of members of the intersect of multiple sets.", since: "7.0.0", handler: cmdSInterCard }),
  defineCommand({ name: "sunion", arity: -2, flags: READONLY, keys: ALL, categories: RS,
    summary: "Returns the union of multiple sets.", since: "1.0.0", handler: cmdSUnion }),
  defineCommand({ name: "sdiff", arity: -2, flags: READONLY, keys: ALL, categories: RS,
    summary: "Returns the difference of multiple sets.", since: "1.0.0", handler: cmdSDiff }),
  defineCommand({ name: "sinterstore", arity: -3, flags: WRITE | DENYOOM, keys: ALL, categories: WS,
    summary: "Stores the intersect of multiple sets in a key.", since: "1.0.0", handler: cmdSInterStore }),
  defineCommand({ name: "sunionstore", arity: -3, flags: WRITE | DENYOOM, keys: ALL, categories: WS,
    summary: "Stores the union of multiple sets in a key.", since: "1.0.0", handler: cmdSUnionStore }),
  defineCommand({ name: "sdiffstore", arity: -3, flags: WRITE | DENYOOM, keys: ALL, categories: WS,
    summary: "Stores the difference of multiple sets in a key.", since: "1.0.0", handler: cmdSDiffStore }),
  defineCommand({ name: "sscan", arity: -3, flags: READONLY, keys: ONE, categories: RS,
    summary: "Iterates over members of a set.", since: "2.8.0", handler: cmdSScan }),
];
