// The STREAM family's table entries (Redis 7.0 arity, flags, key specs, ACL categories).
// XREAD and XREADGROUP find their keys after STREAMS (movableKeys), so routing over workers and
// transactions see every stream they read.
import { defineCommand } from "../define.ts";
import { CmdFlag, type CommandEntry } from "../types.ts";
import { cmdXAck, cmdXGroupCreate, cmdXGroupCreateConsumer, cmdXGroupDelConsumer, cmdXGroupDestroy, cmdXGroupHelp, cmdXGroupSetId } from "./stream-group.ts";
import { cmdXInfoConsumers, cmdXInfoGroups, cmdXInfoHelp, cmdXInfoStream } from "./stream-info.ts";
import { cmdXAutoClaim, cmdXClaim, cmdXPending } from "./stream-pending.ts";
import { cmdXLen, cmdXRange, cmdXRevRange } from "./stream-range.ts";
import { cmdXAdd, cmdXDel, cmdXSetId, cmdXTrim } from "./stream-write.ts";
import { cmdXRead, cmdXReadGroup, xreadBlocks, xreadGroupBlocks, xreadKeyPositions } from "./stream-xread.ts";

const { WRITE, READONLY, DENYOOM, FAST, LOADING, STALE } = CmdFlag;
const ONE = [1, 1, 1] as const;
const SECOND = [2, 2, 1] as const;
const RF = ["read", "stream", "fast"] as const;
const RS = ["read", "stream", "slow"] as const;
const WF = ["write", "stream", "fast"] as const;
const WS = ["write", "stream", "slow"] as const;
const HELP_CATS = ["stream", "slow"] as const;
const HELP_SUMMARY = "Returns helpful text about the different subcommands.";

const xgroupSubcommands: CommandEntry[] = [
  defineCommand({ name: "xgroup|create", arity: -5, flags: WRITE | DENYOOM, keys: SECOND, categories: WS,
    summary: "Creates a consumer group.", since: "5.0.0", handler: cmdXGroupCreate }),
  defineCommand({ name: "xgroup|setid", arity: -5, flags: WRITE, keys: SECOND, categories: WS,
    summary: "Sets the last-delivered ID of a consumer group.", since: "5.0.0", handler: cmdXGroupSetId }),
  defineCommand({ name: "xgroup|destroy", arity: 4, flags: WRITE, keys: SECOND, categories: WS,
    summary: "Destroys a consumer group.", since: "5.0.0", handler: cmdXGroupDestroy }),
  defineCommand({ name: "xgroup|createconsumer", arity: 5, flags: WRITE | DENYOOM, keys: SECOND, categories: WS,
    summary: "Creates a consumer in a consumer group.", since: "6.2.0", handler: cmdXGroupCreateConsumer }),
  defineCommand({ name: "xgroup|delconsumer", arity: 5, flags: WRITE, keys: SECOND, categories: WS,
    summary: "Deletes a consumer from a consumer group.", since: "5.0.0", handler: cmdXGroupDelConsumer }),
  defineCommand({ name: "xgroup|help", arity: 2, flags: LOADING | STALE, categories: HELP_CATS,
    summary: HELP_SUMMARY, since: "5.0.0", handler: cmdXGroupHelp }),
];

const xinfoSubcommands: CommandEntry[] = [
  defineCommand({ name: "xinfo|consumers", arity: 4, flags: READONLY, keys: SECOND, categories: RS,
    summary: "Returns a list of the consumers in a consumer group.", since: "5.0.0", handler: cmdXInfoConsumers }),
  defineCommand({ name: "xinfo|groups", arity: 3, flags: READONLY, keys: SECOND, categories: RS,
    summary: "Returns a list of the consumer groups of a stream.", since: "5.0.0", handler: cmdXInfoGroups }),
  defineCommand({ name: "xinfo|stream", arity: -3, flags: READONLY, keys: SECOND, categories: RS,
    summary: "Returns information about a stream.", since: "5.0.0", handler: cmdXInfoStream }),
  defineCommand({ name: "xinfo|help", arity: 2, flags: LOADING | STALE, categories: HELP_CATS,
    summary: HELP_SUMMARY, since: "5.0.0", handler: cmdXInfoHelp }),
];

export const streamCommands: CommandEntry[] = [
  defineCommand({ name: "xadd", arity: -5, flags: WRITE | DENYOOM | FAST, keys: ONE, categories: WF,
    summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", since: "5.0.0", handler: cmdXAdd }),
  defineCommand({ name: "xrange", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Returns the messages from a stream within a range of IDs.", since: "5.0.0", handler: cmdXRange }),
  defineCommand({ name: "xrevrange", arity: -4, flags: READONLY, keys: ONE, categories: RS,
    summary: "Returns the messages from a stream within a range of IDs in reverse order.", since: "5.0.0", handler: cmdXRevRange }),
  defineCommand({ name: "xlen", arity: 2, flags: READONLY | FAST, keys: ONE, categories: RF,
    summary: "Return the number of messages in a stream.", since: "5.0.0", handler: cmdXLen }),
  defineCommand({ name: "xdel", arity: -3, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Returns the number of messages after removing them from a stream.", since: "5.0.0", handler: cmdXDel }),
  defineCommand({ name: "xtrim", arity: -4, flags: WRITE, keys: ONE, categories: WS,
    summary: "Deletes messages from the beginning of a stream.", since: "5.0.0", handler: cmdXTrim }),
  defineCommand({ name: "xsetid", arity: -3, flags: WRITE | DENYOOM | FAST, keys: ONE, categories: WF,
    summary: "An internal command for replicating stream values.", since: "5.0.0", handler: cmdXSetId }),
  defineCommand({ name: "xread", arity: -4, flags: READONLY | CmdFlag.BLOCKING, keys: [0, 0, 0], movableKeys: xreadKeyPositions, mayBlock: xreadBlocks, categories: ["read", "stream", "slow", "blocking"],
    summary: "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", since: "5.0.0", handler: cmdXRead }),
  defineCommand({ name: "xreadgroup", arity: -7, flags: WRITE | CmdFlag.BLOCKING, keys: [0, 0, 0], movableKeys: xreadKeyPositions, mayBlock: xreadGroupBlocks, categories: ["write", "stream", "slow", "blocking"],
    summary: "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", since: "5.0.0", handler: cmdXReadGroup }),
  defineCommand({ name: "xgroup", arity: -2, flags: 0, categories: ["slow"],
    summary: "A container for consumer groups commands.", since: "5.0.0", subcommands: xgroupSubcommands }),
  defineCommand({ name: "xack", arity: -4, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", since: "5.0.0", handler: cmdXAck }),
  defineCommand({ name: "xpending", arity: -3, flags: READONLY, keys: ONE, categories: RS,
    summary: "Returns the information and entries from a stream consumer group's pending entries list.", since: "5.0.0", handler: cmdXPending }),
  defineCommand({ name: "xclaim", arity: -6, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", since: "5.0.0", handler: cmdXClaim }),
  defineCommand({ name: "xautoclaim", arity: -6, flags: WRITE | FAST, keys: ONE, categories: WF,
    summary: "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", since: "6.2.0", handler: cmdXAutoClaim }),
  defineCommand({ name: "xinfo", arity: -2, flags: 0, categories: ["slow"],
    summary: "A container for stream introspection commands.", since: "5.0.0", subcommands: xinfoSubcommands }),
];
