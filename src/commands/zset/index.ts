// The sorted set family's table entries (Redis 7.0 arity, flags, key specs, ACL categories).
// The numkeys commands (ZUNION, ZMPOP...) name their keys by movableKeys so routing across
// workers and transactions see every key; their first key is declared so the router looks.
import { bzmpopKeyPositions, cmdBZMPop, cmdBZPopMax, cmdBZPopMin } from "./zset-blocking.ts";
import { defineCommand } from "../define.ts";
import { CmdFlag, type Args, type CommandEntry } from "../types.ts";
import {
  cmdZDiff, cmdZDiffStore, cmdZInter, cmdZInterCard, cmdZInterStore, cmdZUnion, cmdZUnionStore,
} from "./zset-algebra.ts";
import { numkeysPositions } from "./zset-lookup.ts";
import { cmdZMPop, cmdZPopMax, cmdZPopMin, cmdZRemRangeByLex, cmdZRemRangeByRank, cmdZRemRangeByScore } from "./zset-pop.ts";
import {
  cmdZRange, cmdZRangeByLex, cmdZRangeByScore, cmdZRangeStore, cmdZRevRange, cmdZRevRangeByLex, cmdZRevRangeByScore,
} from "./zset-range.ts";
import { cmdZCard, cmdZCount, cmdZLexCount, cmdZMScore, cmdZRandMember, cmdZRank, cmdZRevRank, cmdZScan, cmdZScore } from "./zset-read.ts";
import { cmdZAdd, cmdZIncrBy, cmdZRem } from "./zset-write.ts";

const { WRITE, READONLY, DENYOOM, FAST, NOSCRIPT } = CmdFlag;
const ONE = [1, 1, 1] as const;
const RF = ["read", "sortedset", "fast"] as const;
const RS = ["read", "sortedset", "slow"] as const;
const WF = ["write", "sortedset", "fast"] as const;
const WS = ["write", "sortedset", "slow"] as const;

/** numkeys at argv[1], keys after it (ZUNION, ZINTER, ZDIFF, ZINTERCARD, ZMPOP). */
const keysAfterNumkeys = (argv: Args): number[] => numkeysPositions(argv, 1, []);
/** destination at argv[1], numkeys at argv[2] (the STORE forms). */
const destAndKeys = (argv: Args): number[] => numkeysPositions(argv, 2, [1]);

export const zsetCommands: CommandEntry[] = [
  defineCommand({ name: "zadd", arity: -4, flags: WRITE | DENYOOM | FAST, keys: ONE, categories: WF,
    summary: "Add one or more members to a sorted set, or update its score if it already exists", since: "1.2.0", handler: cmdZAdd }),
  defineCommand({ name: "zincrby", arity: 4, flags: WRITE | DENYOOM | FAST, keys: ONE, categories: WF,
    summary: "Increment the score of a member in a sorted set", since: "1.2.0", handler: cmdZIncrBy }),
  defineCommand({ name: "zrem", arity: -3, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Remove one or more members from a sorted set", since: "1.2.0", handler: cmdZRem }),
  defineCommand({ name: "zcard", arity: 2, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Get the number of members in a sorted set", since: "1.2.0", handler: cmdZCard }),
  defineCommand({ name: "zcount", arity: 4, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Count the members in a sorted set with scores within the given values", since: "2.0.0", handler: cmdZCount }),
  defineCommand({ name: "zlexcount", arity: 4, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Count the number of members in a sorted set between a given lexicographical range", since: "2.8.9", handler: cmdZLexCount }),
  defineCommand({ name: "zscore", arity: 3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Get the score associated with the given member in a sorted set", since: "1.2.0", handler: cmdZScore }),
  defineCommand({ name: "zmscore", arity: -3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Get the score associated with the given members in a sorted set", since: "6.2.0", handler: cmdZMScore }),
  defineCommand({ name: "zrank", arity: 3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Determine the index of a member in a sorted set", since: "2.0.0", handler: cmdZRank }),
  defineCommand({ name: "zrevrank", arity: 3, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", since: "2.0.0", handler: cmdZRevRank }),
  defineCommand({ name: "zrange", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set", since: "1.2.0", handler: cmdZRange }),
  defineCommand({ name: "zrangestore", arity: -5, flags: WRITE | DENYOOM, keys: [1, 2, 1], categories: WS,
    summary: "Store a range of members from sorted set into another key", since: "6.2.0", handler: cmdZRangeStore }),
  defineCommand({ name: "zrangebyscore", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set, by score", since: "1.0.5", handler: cmdZRangeByScore }),
  defineCommand({ name: "zrevrangebyscore", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", since: "2.2.0", handler: cmdZRevRangeByScore }),
  defineCommand({ name: "zrangebylex", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set, by lexicographical range", since: "2.8.9", handler: cmdZRangeByLex }),
  defineCommand({ name: "zrevrangebylex", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", since: "2.8.9", handler: cmdZRevRangeByLex }),
  defineCommand({ name: "zrevrange", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", since: "1.2.0", handler: cmdZRevRange }),
  defineCommand({ name: "zremrangebyrank", arity: 4, flags: WRITE, keys: ONE, categories: WS,
    summary: "Remove all members in a sorted set within the given indexes", since: "2.0.0", handler: cmdZRemRangeByRank }),
  defineCommand({ name: "zremrangebyscore", arity: 4, flags: WRITE, keys: ONE, categories: WS,
    summary: "Remove all members in a sorted set within the given scores", since: "1.2.0", handler: cmdZRemRangeByScore }),
  defineCommand({ name: "zremrangebylex", arity: 4, flags: WRITE, keys: ONE, categories: WS,
    summary: "Remove all members in a sorted set between the given lexicographical range", since: "2.8.9", handler: cmdZRemRangeByLex }),
  defineCommand({ name: "zpopmin", arity: -2, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Remove and return members with the lowest scores in a sorted set", since: "5.0.0", handler: cmdZPopMin }),
  defineCommand({ name: "zpopmax", arity: -2, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Remove and return members with the highest scores in a sorted set", since: "5.0.0", handler: cmdZPopMax }),
  defineCommand({ name: "zmpop", arity: -4, flags: WRITE, keys: [2, 2, 1], movableKeys: keysAfterNumkeys, categories: WS,
    summary: "Remove and return members with scores in a sorted set", since: "7.0.0", handler: cmdZMPop }),
  defineCommand({ name: "bzpopmin", arity: -3, flags: WRITE | NOSCRIPT | FAST | CmdFlag.BLOCKING, keys: [1, -2, 1], categories: ["write", "sortedset", "fast", "blocking"],
    summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", since: "5.0.0", handler: cmdBZPopMin }),
  defineCommand({ name: "bzpopmax", arity: -3, flags: WRITE | NOSCRIPT | FAST | CmdFlag.BLOCKING, keys: [1, -2, 1], categories: ["write", "sortedset", "fast", "blocking"],
    summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", since: "5.0.0", handler: cmdBZPopMax }),
  defineCommand({ name: "bzmpop", arity: -5, flags: WRITE | CmdFlag.BLOCKING, keys: [3, 3, 1], movableKeys: bzmpopKeyPositions, categories: ["write", "sortedset", "slow", "blocking"],
    summary: "Remove and return members with scores in a sorted set or block until one is available", since: "7.0.0", handler: cmdBZMPop }),
  defineCommand({ name: "zrandmember", arity: -2, flags: READONLY, keys: ONE, categories: RS,
    summary: "Get one or multiple random elements from a sorted set", since: "6.2.0", handler: cmdZRandMember }),
  defineCommand({ name: "zscan", arity: -3, flags: READONLY, keys: ONE, categories: RS,
    summary: "Incrementally iterate sorted sets elements and associated scores", since: "2.8.0", handler: cmdZScan }),
  defineCommand({ name: "zunion", arity: -3, flags: READONLY, keys: [2, 2, 1], movableKeys: keysAfterNumkeys, categories: RS,
    summary: "Add multiple sorted sets", since: "6.2.0", handler: cmdZUnion }),
  defineCommand({ name: "zinter", arity: -3, flags: READONLY, keys: [2, 2, 1], movableKeys: keysAfterNumkeys, categories: RS,
    summary: "Intersect multiple sorted sets", since: "6.2.0", handler: cmdZInter }),
  defineCommand({ name: "zdiff", arity: -3, flags: READONLY, keys: [2, 2, 1], movableKeys: keysAfterNumkeys, categories: RS,
    summary: "Subtract multiple sorted sets", since: "6.2.0", handler: cmdZDiff }),
  defineCommand({ name: "zintercard", arity: -3, flags: READONLY, keys: [2, 2, 1], movableKeys: keysAfterNumkeys, categories: RS,
    summary: "Intersect multiple sorted sets and return the cardinality of the result", since: "7.0.0", handler: cmdZInterCard }),
  defineCommand({ name: "zunionstore", arity: -4, flags: WRITE | DENYOOM, keys: ONE, movableKeys: destAndKeys, categories: WS,
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0", handler: cmdZUnionStore }),
  defineCommand({ name: "zinterstore", arity: -4, flags: WRITE | DENYOOM, keys: ONE, movableKeys: destAndKeys, categories: WS,
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0", handler: cmdZInterStore }),
  defineCommand({ name: "zdiffstore", arity: -4, flags: WRITE | DENYOOM, keys: ONE, movableKeys: destAndKeys, categories: WS,
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", since: "6.2.0", handler: cmdZDiffStore }),
];
