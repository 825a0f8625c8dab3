// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP (t_stream.c: xinfoCommand), with
// 7.0's fields: max-deleted-entry-id, entries-added, recorded-first-entry-id, entries-read, lag.

import { formatId, MAX_ID } from "../../engine/stream/stream-id.ts";
import type { ConsumerGroup } from "../../engine/stream/stream-groups.ts";
import type { StreamValue } from "../../engine/stream/stream-value.ts";
import { ERR_NO_SUCH_KEY, ERR_NOT_INTEGER } from "../../protocol/errors.ts";
import type { ReplyWriter } from "../../protocol/reply-writer.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { lookupStreamOrReply, replyCounted, shown, streamAt, WRONG_TYPE, writeEntry, writeRange } from "./stream-args.ts";

/** The stream at argv[2], or undefined after replying (no such key, WRONGTYPE). */
function streamOrReply(c: Client, argv: Args): StreamValue | undefined {
  const slot = lookupStreamOrReply(c, argv[2]!, true);
  if (slot === WRONG_TYPE) return undefined;
  if (slot < 0) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return undefined;
  }
  return streamAt(c, slot);
}

function groupEntriesRead(r: ReplyWriter, g: ConsumerGroup): void {
  if (g.entriesRead !== -1) r.integer(g.entriesRead);
  else r.nullBulk();
}

function groupLag(r: ReplyWriter, s: StreamValue, g: ConsumerGroup): void {
  const lag = s.lag(g);
  if (lag !== undefined) r.integer(lag);
  else r.nullBulk();
}

/**
 * Redis's rax numnodes for the node keys: not kept by this layout (there is no radix tree), so
 * it reports one node per stream node plus the root, which is what Redis shows for keys that
 * share no prefix bytes.
 */
const radixNodes = (s: StreamValue): number => s.log.nodeCount + 1;

function header(r: ReplyWriter, s: StreamValue): void {
  r.bulkString("length");
  r.integer(s.length);
  r.bulkString("radix-tree-keys");
  r.integer(s.log.nodeCount);
  r.bulkString("radix-tree-nodes");
  r.integer(radixNodes(s));
  r.bulkString("last-generated-id");
  r.bulkString(formatId(s.lastId));
  r.bulkString("max-deleted-entry-id");
  r.bulkString(formatId(s.maxDeletedId));
  r.bulkString("entries-added");
  r.integer(s.entriesAdded);
  r.bulkString("recorded-first-entry-id");
  r.bulkString(formatId(s.firstId()));
}

function edgeEntry(c: Client, s: StreamValue, last: boolean): void {
  let wrote = false;
  s.log.range(0n, MAX_ID, last, 1, (id, fv) => {
    writeEntry(c.reply, id, fv);
    wrote = true;
  });
  if (!wrote) c.reply.nullBulk();
}

// XINFO STREAM key [FULL [COUNT count]]
export function cmdXInfoStream(c: Client, argv: Args): void {
  const s = streamOrReply(c, argv);
  if (s === undefined) return;
  let full = false;
  let count = 10;
  if (argv.length === 4 || argv.length === 6) {
    if (!isKeyword(argv[3]!, "full") || (argv.length === 6 && !isKeyword(argv[4]!, "count"))) {
      return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${shown(argv[1]!)}'. Try XINFO HELP.`);
    }
    full = true;
    if (argv.length === 6) {
      const n = parseInt64(argv[5]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      count = n < 0 ? 10 : n;
    }
  } else if (argv.length !== 3) {
    return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${shown(argv[1]!)}'. Try XINFO HELP.`);
  }
  const r = c.reply;
  r.mapHeader(full ? 9 : 10);
  header(r, s);
  if (!full) {
    r.bulkString("groups");
    r.integer(s.groups.size);
    r.bulkString("first-entry");
    edgeEntry(c, s, false);
    r.bulkString("last-entry");
    edgeEntry(c, s, true);
    return;
  }
  r.bulkString("entries");
  replyCounted(c, (w) => writeRange(w, s, 0n, MAX_ID, false, count));
  r.bulkString("groups");
  const groups = s.sortedGroups();
  r.arrayHeader(groups.length);
  for (const g of groups) {
    r.mapHeader(7);
    r.bulkString("name");
    r.bulk(g.name);
    r.bulkString("last-delivered-id");
    r.bulkString(formatId(g.lastId));
    r.bulkString("entries-read");
    groupEntriesRead(r, g);
    r.bulkString("lag");
    groupLag(r, s, g);
    r.bulkString("pel-count");
    r.integer(g.pel.length);
    r.bulkString("pending");
    const pel = count > 0 ? g.pel.slice(0, count) : g.pel;
    r.arrayHeader(pel.length);
    for (const e of pel) {
      r.arrayHeader(4);
      r.bulkString(formatId(e.id));
      r.bulk(e.consumer.name);
      r.integer(e.deliveryTime);
      r.integer(e.deliveryCount);
    }
    r.bulkString("consumers");
    const consumers = g.sortedConsumers();
    r.arrayHeader(consumers.length);
    for (const k of consumers) {
      r.mapHeader(4);
      r.bulkString("name");
      r.bulk(k.name);
      r.bulkString("seen-time");
      r.integer(k.seenTime);
      r.bulkString("pel-count");
      r.integer(k.pending.length);
      r.bulkString("pending");
      const mine = count > 0 ? k.pending.slice(0, count) : k.pending;
      r.arrayHeader(mine.length);
      for (const e of mine) {
        r.arrayHeader(3);
        r.bulkString(formatId(e.id));
        r.integer(e.deliveryTime);
        r.integer(e.deliveryCount);
      }
    }
  }
}

// XINFO GROUPS key
export function cmdXInfoGroups(c: Client, argv: Args): void {
  const s = streamOrReply(c, argv);
  if (s === undefined) return;
  const r = c.reply;
  const groups = s.sortedGroups();
  r.arrayHeader(groups.length);
  for (const g of groups) {
    r.mapHeader(6);
    r.bulkString("name");
    r.bulk(g.name);
    r.bulkString("consumers");
    r.integer(g.consumers.size);
    r.bulkString("pending");
    r.integer(g.pel.length);
    r.bulkString("last-delivered-id");
    r.bulkString(formatId(g.lastId));
    r.bulkString("entries-read");
    groupEntriesRead(r, g);
    r.bulkString("lag");
    groupLag(r, s, g);
  }
}

// XINFO CONSUMERS key group
export function cmdXInfoConsumers(c: Client, argv: Args): void {
  const s = streamOrReply(c, argv);
  if (s === undefined) return;
  const g = s.group(argv[3]!);
  if (g === undefined) return c.reply.error(`NOGROUP No such consumer group '${shown(argv[3]!)}' for key name '${shown(argv[2]!)}'`);
  const r = c.reply;
  const now = c.db.now();
  const consumers = g.sortedConsumers();
  r.arrayHeader(consumers.length);
  for (const k of consumers) {
    r.mapHeader(3);
    r.bulkString("name");
    r.bulk(k.name);
    r.bulkString("pending");
    r.integer(k.pending.length);
    r.bulkString("idle");
    r.integer(Math.max(0, now - k.seenTime));
  }
}

const XINFO_HELP = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Prints this help.",
];

// XINFO HELP
export function cmdXInfoHelp(c: Client): void {
  c.reply.arrayHeader(XINFO_HELP.length);
  for (const line of XINFO_HELP) c.reply.simple(line);
}
