// XGROUP CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP and XACK (t_stream.c:
// xgroupCommand, xackCommand), with 7.0's checks in its order: options, key, group, then the ID.

import { consumerDelete, consumerEnsure, groupAck, groupCreate, groupDestroy, groupSetId } from "../../engine/stream/stream-group-ops.ts";
import type { ConsumerGroup } from "../../engine/stream/stream-groups.ts";
import type { StreamId } from "../../engine/stream/stream-id.ts";
import { streamCreate } from "../../engine/stream/stream-type.ts";
import { ERR_NOT_INTEGER, ERR_OOM } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { idOrReply, lookupStreamOrReply, shown, streamAt, strictIdOrReply, WRONG_TYPE } from "./stream-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const ERR_KEY_REQUIRED =
  "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
const ERR_SUBCOMMAND_SYNTAX = (sub: Uint8Array): string => `ERR unknown subcommand or wrong number of arguments for '${shown(sub)}'. Try XGROUP HELP.`;
const isDollar = (a: Uint8Array): boolean => a.length === 1 && a[0] === 36;

interface GroupTarget {
  slot: number;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: number;
}

/** The options (CREATE, SETID), the key and the group, or undefined after replying. */
function targetOrReply(c: Client, argv: Args, create: boolean, setid: boolean, needGroup: boolean): GroupTarget | undefined {
  let mkstream = false;
  let entriesRead = -1;
  if (create || setid) {
    for (let i = 5; i < argv.length; ) {
      if (create && isKeyword(argv[i]!, "mkstream")) {
        mkstream = true;
        i++;
      } else if (isKeyword(argv[i]!, "entriesread") && i + 1 < argv.length) {
        const n = parseInt64(argv[i + 1]!);
        if (Number.isNaN(n)) {
          c.reply.error(ERR_NOT_INTEGER);
          return undefined;
        }
        if (n < 0 && n !== -1) {
          c.reply.error("ERR value for ENTRIESREAD must be positive or -1");
          return undefined;
        }
        entriesRead = n;
        i += 2;
      } else {
        c.reply.error(ERR_SUBCOMMAND_SYNTAX(argv[1]!));
        return undefined;
      }
    }
  }
  const slot = lookupStreamOrReply(c, argv[2]!, false);
  if (slot === WRONG_TYPE) return undefined;
  if (slot < 0 && !mkstream) {
    c.reply.error(ERR_KEY_REQUIRED);
    return undefined;
  }
  const group = slot >= 0 ? streamAt(c, slot).group(argv[3]!) : undefined;
  if (group === undefined && needGroup) {
    c.reply.error(`NOGROUP No such consumer group '${shown(argv[3]!)}' for key name '${shown(argv[2]!)}'`);
    return undefined;
  }
  return { slot, group, mkstream, entriesRead };
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
export function cmdXGroupCreate(c: Client, argv: Args): void {
  if (argv.length > 8) return c.reply.error(ERR_SUBCOMMAND_SYNTAX(argv[1]!));
  const t = targetOrReply(c, argv, true, false, false);
  if (t === undefined) return;
  let id: StreamId | undefined;
  if (isDollar(argv[4]!)) id = t.slot >= 0 ? streamAt(c, t.slot).lastId : 0n;
  else id = strictIdOrReply(c, argv[4]!);
  if (id === undefined) return;
  let slot = t.slot;
  if (slot < 0) {
    slot = streamCreate(c.db, argv[2]!);
    if (slot < 0) return c.reply.error(ERR_OOM);
  }
  if (!groupCreate(c.db, slot, argv[3]!, id, t.entriesRead)) return c.reply.error("BUSYGROUP Consumer Group name already exists");
  c.reply.ok();
  notify(c, NC.STREAM, "xgroup-create", argv[2]!);
}

// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
export function cmdXGroupSetId(c: Client, argv: Args): void {
  if (argv.length !== 5 && argv.length !== 7) return c.reply.error(ERR_SUBCOMMAND_SYNTAX(argv[1]!));
  const t = targetOrReply(c, argv, false, true, true);
  if (t === undefined) return;
  const id = isDollar(argv[4]!) ? streamAt(c, t.slot).lastId : idOrReply(c, argv[4]!);
  if (id === undefined) return;
  groupSetId(c.db, t.slot, t.group!, id, t.entriesRead);
  c.reply.ok();
  notify(c, NC.STREAM, "xgroup-setid", argv[2]!);
}

// XGROUP DESTROY key group
export function cmdXGroupDestroy(c: Client, argv: Args): void {
  const t = targetOrReply(c, argv, false, false, false);
  if (t === undefined) return;
  if (t.group === undefined) return c.reply.integer(0);
  groupDestroy(c.db, t.slot, argv[3]!);
  c.reply.integer(1);
  notify(c, NC.STREAM, "xgroup-destroy", argv[2]!);
}

// XGROUP CREATECONSUMER key group consumer
export function cmdXGroupCreateConsumer(c: Client, argv: Args): void {
  const t = targetOrReply(c, argv, false, false, true);
  if (t === undefined) return;
  const created = consumerEnsure(c.db, t.slot, t.group!, argv[4]!, c.db.now()).created;
  c.reply.integer(created ? 1 : 0);
  if (created) notify(c, NC.STREAM, "xgroup-createconsumer", argv[2]!);
}

// XGROUP DELCONSUMER key group consumer
export function cmdXGroupDelConsumer(c: Client, argv: Args): void {
  const t = targetOrReply(c, argv, false, false, true);
  if (t === undefined) return;
  const pending = consumerDelete(c.db, t.slot, t.group!, argv[4]!);
  c.reply.integer(Math.max(0, pending));
  if (pending >= 0) notify(c, NC.STREAM, "xgroup-delconsumer", argv[2]!);
}

const XGROUP_HELP = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Prints this help.",
];

// XGROUP HELP
export function cmdXGroupHelp(c: Client): void {
  c.reply.arrayHeader(XGROUP_HELP.length);
  for (const line of XGROUP_HELP) c.reply.simple(line);
}

// XACK key group id [id ...]
export function cmdXAck(c: Client, argv: Args): void {
  const slot = lookupStreamOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  const g = slot >= 0 ? streamAt(c, slot).group(argv[2]!) : undefined;
  if (g === undefined) return c.reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictIdOrReply(c, argv[j]!);
    if (id === undefined) return;
    ids.push(id);
  }
  c.reply.integer(groupAck(c.db, slot, g, ids));
}
