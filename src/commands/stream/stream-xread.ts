// XREAD and XREADGROUP (t_stream.c: xreadCommand), served synchronously. BLOCK goes through
// stream-blocking.ts; without a blocking module it answers as a timeout would.

import { readGroupHistory, readGroupNew, consumerEnsure } from "../../engine/stream/stream-group-ops.ts";
import { MAX_ID, type StreamId } from "../../engine/stream/stream-id.ts";
import type { ConsumerGroup } from "../../engine/stream/stream-groups.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { lookupStreamOrReply, parseId, ERR_INVALID_ID, replyCounted, shown, streamAt, WRONG_TYPE, writeEntry, writeRange } from "./stream-args.ts";
import { blockXRead, blockXReadGroup, LAST_ID_UNKNOWN } from "./stream-blocking.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const isOne = (a: Uint8Array, ch: number): boolean => a.length === 1 && a[0] === ch;

/** Key positions of XREAD / XREADGROUP (xreadGetKeys): the first half of what follows STREAMS. */
export function xreadKeyPositions(argv: Args): number[] {
  let pos = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isKeyword(a, "block") || isKeyword(a, "count")) i++;
    else if (isKeyword(a, "group")) i += 2;
    else if (isKeyword(a, "noack")) continue;
    else {
      if (isKeyword(a, "streams")) pos = i;
      break;
    }
  }
  const n = argv.length - pos - 1;
  if (pos < 0 || n === 0 || n % 2 !== 0) return [];
  const out: number[] = [];
  for (let i = 0; i < n / 2; i++) out.push(pos + 1 + i);
  return out;
}

/** True when an XREAD call has a BLOCK option (it may wait: it runs on the client's worker). */
export function xreadBlocks(argv: Args): boolean {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isKeyword(a, "streams")) return false;
    if (isKeyword(a, "block")) return true;
  }
  return false;
}

/** True when an XREADGROUP call may wait: BLOCK given and every ID `>` (a history read never waits). */
export function xreadGroupBlocks(argv: Args): boolean {
  if (!xreadBlocks(argv)) return false;
  const keys = xreadKeyPositions(argv);
  if (keys.length === 0) return false;
  for (let i = keys[keys.length - 1]! + 1; i < argv.length; i++) if (!isOne(argv[i]!, 62)) return false;
  return true;
}

/** XREAD's BLOCK milliseconds (getTimeoutFromObjectOrReply, UNIT_MILLISECONDS), or undefined after replying. */
function blockMsOrReply(c: Client, arg: Uint8Array): number | undefined {
  const n = parseInt64(arg);
  if (Number.isNaN(n)) {
    c.reply.error("ERR timeout is not an integer or out of range");
    return undefined;
  }
  if (n < 0) {
    c.reply.error("ERR timeout is negative");
    return undefined;
  }
  if (n > 0 && n > 9223372036854775807 - c.db.now()) {
    c.reply.error("ERR timeout is out of range");
    return undefined;
  }
  return n;
}

function xreadGeneric(c: Client, argv: Args, group: boolean): void {
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let nStreams = 0;
  let noack = false;
  let groupName: Uint8Array | undefined;
  let consumerName: Uint8Array | undefined;
  const name = group ? "xreadgroup" : "xread";
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i]!;
    if (isKeyword(o, "block") && more > 0) {
      const t = blockMsOrReply(c, argv[++i]!);
      if (t === undefined) return;
      timeout = t;
    } else if (isKeyword(o, "count") && more > 0) {
      const n = parseInt64(argv[++i]!);
      if (Number.isNaN(n)) return c.reply.error("ERR value is not an integer or out of range");
      count = n < 0 ? 0 : n;
    } else if (isKeyword(o, "streams") && more > 0) {
      streamsArg = i + 1;
      nStreams = argv.length - streamsArg;
      if (nStreams % 2 !== 0) {
        return c.reply.error(`ERR Unbalanced ${name.toUpperCase()} list of streams: for each stream key an ID or '${group ? ">" : "$"}' must be specified.`);
      }
      nStreams /= 2;
      break;
    } else if (isKeyword(o, "group") && more >= 2) {
      if (!group) return c.reply.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (isKeyword(o, "noack")) {
      if (!group) return c.reply.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      noack = true;
    } else return c.reply.error(ERR_SYNTAX);
  }
  if (streamsArg === 0) return c.reply.error(ERR_SYNTAX);
  if (group && groupName === undefined) return c.reply.error("ERR Missing GROUP option for XREADGROUP");

  // XREAD BLOCK over a stream another worker owns waits here, trying on the owners.
  const cluster = c.server.cluster;
  const remote = timeout !== -1 && cluster !== undefined && c.isolated !== true && c.server.blocking !== undefined &&
    (!group || xreadGroupBlocks(argv)) && argv.slice(streamsArg, streamsArg + nStreams).some((k) => cluster.slots.ownerOfKey(k) !== cluster.index);
  // Parse the IDs and resolve the groups, key by key (errors in argument order, as Redis).
  const ids: StreamId[] = new Array(nStreams);
  const groups: (ConsumerGroup | undefined)[] = new Array(nStreams);
  const slots: number[] = new Array(nStreams);
  for (let k = 0; k < nStreams; k++) {
    const key = argv[streamsArg + k]!;
    const arg = argv[streamsArg + nStreams + k]!;
    if (remote) {
      // Keys of other workers: types, groups, `$` and the first try are the owners' (stream-blocking.ts).
      if (group) continue; // every ID is `>` (xreadGroupBlocks)
      if (isOne(arg, 36)) ids[k] = LAST_ID_UNKNOWN;
      else {
        const p = parseId(arg, 0n, true);
        if (p === undefined) return c.reply.error(ERR_INVALID_ID);
        ids[k] = p.id;
      }
      continue;
    }
    const slot = lookupStreamOrReply(c, key, true);
    if (slot === WRONG_TYPE) return;
    slots[k] = slot;
    if (groupName !== undefined) {
      const g = slot >= 0 ? streamAt(c, slot).group(groupName) : undefined;
      if (g === undefined) {
        return c.reply.error(`NOGROUP No such key '${shown(key)}' or consumer group '${shown(groupName)}' in XREADGROUP with GROUP option`);
      }
      groups[k] = g;
    }
    if (isOne(arg, 36)) {
      if (group) {
        return c.reply.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
      }
      ids[k] = slot >= 0 ? streamAt(c, slot).lastId : 0n;
      continue;
    }
    if (isOne(arg, 62)) {
      if (!group) return c.reply.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
      ids[k] = MAX_ID;
      continue;
    }
    const p = parseId(arg, 0n, true);
    if (p === undefined) return c.reply.error(ERR_INVALID_ID);
    ids[k] = p.id;
  }

  if (remote) {
    const keys = argv.slice(streamsArg, streamsArg + nStreams).map((a) => a.slice());
    if (group) return blockXReadGroup(c, keys, groupName!, consumerName!, count, noack, timeout);
    return blockXRead(c, keys, ids, count, timeout);
  }
  // Serve what can be served now.
  const now = c.db.now();
  const served: number[] = [];
  const history: boolean[] = [];
  for (let k = 0; k < nStreams; k++) {
    const slot = slots[k]!;
    if (slot < 0) continue;
    const s = streamAt(c, slot);
    const g = groups[k];
    if (g !== undefined) {
      let serve = false;
      if (ids[k] !== MAX_ID) {
        serve = true;
        history[k] = true;
      } else if (s.length > 0 && s.log.edge(true)! > g.lastId) {
        serve = true;
        ids[k] = g.lastId;
      }
      // The consumer is created (and seen) only when the group serves it now, as in 7.0.15.
      if (serve) {
        const got = consumerEnsure(c.db, slot, g, consumerName!, now);
        got.consumer.seenTime = now;
        if (got.created) notify(c, NC.STREAM, "xgroup-createconsumer", argv[streamsArg + k]!);
        served.push(k);
      }
    } else if (s.length > 0 && s.log.edge(true)! > ids[k]!) served.push(k);
  }
  if (served.length > 0) {
    const r = c.reply;
    if (r.resp === 3) r.mapHeader(served.length);
    else r.arrayHeader(served.length);
    for (const k of served) {
      if (r.resp === 2) r.arrayHeader(2);
      r.bulk(argv[streamsArg + k]!);
      const slot = slots[k]!;
      const start = ids[k]! === MAX_ID ? MAX_ID : ids[k]! + 1n;
      const g = groups[k];
      if (g === undefined) {
        replyCounted(c, (w) => writeRange(w, streamAt(c, slot), start, MAX_ID, false, count));
        continue;
      }
      const consumer = g.consumer(consumerName!)!;
      if (history[k]) replyCounted(c, (w) => readGroupHistory(c.db, slot, g, consumer, start, count, now, (id, fv) => writeEntry(w, id, fv)));
      else replyCounted(c, (w) => readGroupNew(c.db, slot, g, consumer, count, noack, now, (id, fv) => writeEntry(w, id, fv)));
    }
    return;
  }
  if (timeout !== -1) {
    const keys = argv.slice(streamsArg, streamsArg + nStreams).map((a) => a.slice());
    if (!group) return blockXRead(c, keys, ids, count, timeout);
    // Every ID is `>` here (a history read was served above, even empty).
    return blockXReadGroup(c, keys, groupName!, consumerName!, count, noack, timeout);
  }
  c.reply.nullArray();
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
export const cmdXRead = (c: Client, argv: Args): void => xreadGeneric(c, argv, false);
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
export const cmdXReadGroup = (c: Client, argv: Args): void => xreadGeneric(c, argv, true);
