// XPENDING XCLAIM XAUTOCLAIM (t_stream.c: xpendingCommand, xclaimCommand, xautoclaimCommand).

import { ClaimBatch, consumerEnsure } from "../../engine/stream/stream-group-ops.ts";
import { lowerBound, type Consumer, type ConsumerGroup } from "../../engine/stream/stream-groups.ts";
import { formatId, type StreamId } from "../../engine/stream/stream-id.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { intervalIdOrReply, lookupStreamOrReply, parseId, replyCounted, shown, streamAt, strictIdOrReply, WRONG_TYPE, writeEntry } from "./stream-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const NOGROUP = (key: Uint8Array, group: Uint8Array): string => `NOGROUP No such key '${shown(key)}' or consumer group '${shown(group)}'`;

/** The group `argv[2]` of stream `argv[1]`, or undefined after replying (WRONGTYPE or NOGROUP). */
function groupOrReply(c: Client, argv: Args): { slot: number; group: ConsumerGroup } | undefined {
  const slot = lookupStreamOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return undefined;
  const group = slot >= 0 ? streamAt(c, slot).group(argv[2]!) : undefined;
  if (group === undefined) {
    c.reply.error(NOGROUP(argv[1]!, argv[2]!));
    return undefined;
  }
  return { slot, group };
}

function intOrReply(c: Client, arg: Uint8Array, msg = ERR_NOT_INTEGER): number | undefined {
  const n = parseInt64(arg);
  if (Number.isNaN(n)) {
    c.reply.error(msg);
    return undefined;
  }
  return n;
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
export function cmdXPending(c: Client, argv: Args): void {
  const summary = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return c.reply.error(ERR_SYNTAX);
  let start: StreamId = 0n;
  let end: StreamId = 0n;
  let count = 0;
  let minIdle = 0;
  let consumerName: Uint8Array | undefined;
  if (argv.length >= 6) {
    let at = 3;
    if (isKeyword(argv[3]!, "idle")) {
      const n = intOrReply(c, argv[4]!);
      if (n === undefined) return;
      minIdle = n;
      if (argv.length < 8) return c.reply.error(ERR_SYNTAX);
      at += 2;
    }
    const n = intOrReply(c, argv[at + 2]!);
    if (n === undefined) return;
    count = n < 0 ? 0 : n;
    const s = intervalIdOrReply(c, argv[at]!, true);
    if (s === undefined) return;
    const e = intervalIdOrReply(c, argv[at + 1]!, false);
    if (e === undefined) return;
    start = s;
    end = e;
    if (at + 3 < argv.length) consumerName = argv[at + 3]!;
  }
  const t = groupOrReply(c, argv);
  if (t === undefined) return;
  const g = t.group;
  const r = c.reply;
  if (summary) {
    r.arrayHeader(4);
    r.integer(g.pel.length);
    if (g.pel.length === 0) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
      return;
    }
    r.bulkString(formatId(g.pel[0]!.id));
    r.bulkString(formatId(g.pel[g.pel.length - 1]!.id));
    const holders = g.sortedConsumers().filter((x) => x.pending.length > 0);
    r.arrayHeader(holders.length);
    for (const h of holders) {
      r.arrayHeader(2);
      r.bulk(h.name);
      r.bulkString(String(h.pending.length));
    }
    return;
  }
  let list = g.pel;
  if (consumerName !== undefined) {
    const owner = g.consumer(consumerName);
    if (owner === undefined) return r.arrayHeader(0);
    list = owner.pending;
  }
  const now = c.db.now();
  replyCounted(c, (w) => {
    let n = 0;
    for (let i = lowerBound(list, start); i < list.length && count > 0; i++) {
      const e = list[i]!;
      if (e.id > end) break;
      if (minIdle > 0 && now - e.deliveryTime < minIdle) continue;
      n++;
      count--;
      w.arrayHeader(4);
      w.bulkString(formatId(e.id));
      w.bulk(e.consumer.name);
      w.integer(Math.max(0, now - e.deliveryTime));
      w.integer(e.deliveryCount);
    }
    return n;
  });
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
export function cmdXClaim(c: Client, argv: Args): void {
  const t = groupOrReply(c, argv);
  if (t === undefined) return;
  const { slot, group: g } = t;
  let minIdle = intOrReply(c, argv[4]!, "ERR Invalid min-idle-time argument for XCLAIM");
  if (minIdle === undefined) return;
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseId(argv[j]!, 0n, true);
    if (p === undefined) break;
    ids.push(p.id);
  }
  const now = c.db.now();
  let force = false;
  let justId = false;
  let retryCount = -1;
  let deliveryTime = -1;
  let lastId: StreamId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isKeyword(opt, "force")) force = true;
    else if (isKeyword(opt, "justid")) justId = true;
    else if (isKeyword(opt, "idle") && more > 0) {
      const n = intOrReply(c, argv[++j]!, "ERR Invalid IDLE option argument for XCLAIM");
      if (n === undefined) return;
      deliveryTime = now - n;
    } else if (isKeyword(opt, "time") && more > 0) {
      const n = intOrReply(c, argv[++j]!, "ERR Invalid TIME option argument for XCLAIM");
      if (n === undefined) return;
      deliveryTime = n;
    } else if (isKeyword(opt, "retrycount") && more > 0) {
      const n = intOrReply(c, argv[++j]!, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      if (n === undefined) return;
      retryCount = n;
    } else if (isKeyword(opt, "lastid") && more > 0) {
      const id = strictIdOrReply(c, argv[++j]!);
      if (id === undefined) return;
      lastId = id;
    } else return c.reply.error(`ERR Unrecognized XCLAIM option '${shown(opt)}'`);
  }
  const lastMoved = lastId > g.lastId;
  if (lastMoved) g.lastId = lastId;
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const s = streamAt(c, slot);
  let consumer: Consumer | undefined;
  const batch = new ClaimBatch(c.db, slot, g);
  const claimed: [StreamId, Uint8Array[] | undefined][] = [];
  for (const id of ids) {
    const e = g.pending(id);
    const fv = s.log.get(id);
    if (fv === undefined) {
      if (e !== undefined) batch.drop(id);
      continue;
    }
    if (e === undefined && !force) continue;
    if (e !== undefined && minIdle > 0 && now - e.deliveryTime < minIdle) continue;
    if (consumer === undefined) {
      const got = consumerEnsure(c.db, slot, g, argv[3]!, now);
      consumer = got.consumer;
      consumer.seenTime = now;
      if (got.created) notify(c, NC.STREAM, "xgroup-createconsumer", argv[1]!);
    }
    const base = e === undefined ? 1 : e.deliveryCount;
    const count = retryCount >= 0 ? retryCount : justId ? base : base + 1;
    batch.claim(id, consumer, deliveryTime, count);
    claimed.push([id, justId ? undefined : fv]);
  }
  batch.finish(lastMoved);
  c.reply.arrayHeader(claimed.length);
  for (const [id, fv] of claimed) {
    if (justId) c.reply.bulkString(formatId(id));
    else writeEntry(c.reply, id, fv);
  }
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
export function cmdXAutoClaim(c: Client, argv: Args): void {
  let minIdle = intOrReply(c, argv[4]!, "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (minIdle === undefined) return;
  if (minIdle < 0) minIdle = 0;
  const start = intervalIdOrReply(c, argv[5]!, true);
  if (start === undefined) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isKeyword(argv[j]!, "count") && more > 0) {
      const n = parseInt64(argv[j + 1]!);
      if (Number.isNaN(n) || n < 1 || n > Math.floor(9223372036854775807 / 16)) return c.reply.error("ERR COUNT must be > 0");
      count = n;
      j++;
    } else if (isKeyword(argv[j]!, "justid")) justId = true;
    else return c.reply.error(ERR_SYNTAX);
  }
  const t = groupOrReply(c, argv);
  if (t === undefined) return;
  const { slot, group: g } = t;
  const s = streamAt(c, slot);
  const now = c.db.now();
  let attempts = count * 10;
  let consumer: Consumer | undefined;
  const batch = new ClaimBatch(c.db, slot, g);
  const claimed: [StreamId, Uint8Array[] | undefined][] = [];
  const deleted: StreamId[] = [];
  const pel = g.pel;
  let i = lowerBound(pel, start);
  while (attempts-- > 0 && count > 0 && i < pel.length) {
    const e = pel[i]!;
    const fv = s.log.get(e.id);
    if (fv === undefined) {
      deleted.push(e.id);
      batch.drop(e.id);
      count--;
      continue;
    }
    i++;
    if (minIdle > 0 && now - e.deliveryTime < minIdle) continue;
    if (consumer === undefined) {
      const got = consumerEnsure(c.db, slot, g, argv[3]!, now);
      consumer = got.consumer;
      consumer.seenTime = now;
      if (got.created) notify(c, NC.STREAM, "xgroup-createconsumer", argv[1]!);
    }
    batch.claim(e.id, consumer, now, justId ? e.deliveryCount : e.deliveryCount + 1);
    claimed.push([e.id, justId ? undefined : fv]);
    count--;
  }
  const cursor = i < pel.length ? pel[i]!.id : 0n;
  batch.finish(false);
  const r = c.reply;
  r.arrayHeader(3);
  r.bulkString(formatId(cursor));
  r.arrayHeader(claimed.length);
  for (const [id, fv] of claimed) {
    if (justId) r.bulkString(formatId(id));
    else writeEntry(r, id, fv);
  }
  r.arrayHeader(deleted.length);
  for (const id of deleted) r.bulkString(formatId(id));
}
