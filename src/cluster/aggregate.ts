// Keyless commands about the whole keyspace, answered from every worker and merged, so N workers
// look like one server: DBSIZE (sum), KEYS (concatenation), SCAN (the cursor carries the worker),
// RANDOMKEY, FLUSHALL/FLUSHDB (every worker), CONFIG SET / CONFIG RESETSTAT (applied on every
// worker), CLIENT LIST/KILL, PUBSUB; INFO, LATENCY HISTOGRAM and MEMORY are in aggregate-info.ts.

import type { Args } from "../commands/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import { infoHandlers, textOf } from "./aggregate-info.ts";
import { notifyHandlers } from "./notify-remote.ts";
import { firstError, readArray, readBulk, readInteger } from "./reply-reader.ts";
import type { CrossHandler } from "./router.ts";
import type { WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();


const sumIntegers: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    let n = 0;
    for (const r of replies) n += Math.max(0, readInteger(r, 0) || 0);
    hold(firstError(replies) ?? enc.encode(`:${n}\r\n`));
  });
  return true;
};

const keys: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    const err = firstError(replies);
    if (err !== undefined) return hold(err);
    const w = new ReplyWriter(256);
    const lists = replies.map((r) => ({ r, items: readArray(r, 0) ?? [] }));
    w.arrayHeader(lists.reduce((n, l) => n + l.items.length, 0));
    for (const { r, items } of lists) for (const [s, e] of items) w.raw(r.subarray(s, e));
    hold(w.bytes());
  });
  return true;
};

const randomkey: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    const err = firstError(replies);
    if (err !== undefined) return hold(err);
    const found = replies.filter((r) => readBulk(r, 0) !== null);
    hold(found.length > 0 ? found[Math.floor(Math.random() * found.length)]! : replies[0]!);
  });
  return true;
};

/** Every worker runs it; the reply is this worker's (or the first error). */
const everywhere: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => hold(firstError(replies) ?? replies[cw.index]!));
  return true;
};

/** Parses a SCAN cursor; undefined when it is not a plain unsigned decimal (the handler errors). */
function cursorOf(a: Uint8Array): number | undefined {
  if (a.length === 0 || a.length > 15) return undefined;
  let n = 0;
  for (const b of a) {
    if (b < 48 || b > 57) return undefined;
    n = n * 10 + (b - 48);
  }
  return n;
}

/** COUNT of a SCAN (default 10); the handler validates it. */
function scanCount(argv: Args): number {
  for (let i = 2; i + 1 < argv.length; i += 2) {
    if (dec.decode(argv[i]!).toLowerCase() === "count") return Number(dec.decode(argv[i + 1]!)) || 10;
  }
  return 10;
}

/**
 * SCAN: composite cursor = local cursor × workers + worker. A worker that finishes hands on to
 * the next one within the same call while COUNT is not reached, so a small keyspace comes back
 * in one call with cursor 0, as from one Redis.
 */
const scan: CrossHandler = (cw, c, _e, argv) => {
  const cursor = cursorOf(argv[1]!);
  if (cursor === undefined) return false;
  const n = cw.count;
  const count = scanCount(argv);
  const hold = c.hold(c.replyMode !== "on");
  const keys: Uint8Array[] = [];
  const step = (w: number, local: number): void => {
    const sub: Args = [argv[0]!, enc.encode(String(local)), ...argv.slice(2)];
    cw.askFor(c, w, sub, (reply) => {
      const items = readArray(reply, 0);
      if (items === undefined || items.length !== 2) return hold(reply.slice());
      const next = Number(dec.decode(readBulk(reply, items[0]![0]) ?? new Uint8Array(0)));
      for (const [s, e] of readArray(reply, items[1]![0]) ?? []) keys.push(reply.slice(s, e));
      if (next === 0 && w + 1 < n && keys.length < count) return step(w + 1, 0);
      const composite = next !== 0 ? next * n + w : w + 1 < n ? w + 1 : 0;
      const out = new ReplyWriter(256);
      out.arrayHeader(2);
      out.bulkString(String(composite));
      out.arrayHeader(keys.length);
      for (const k of keys) out.raw(k);
      hold(out.bytes());
    });
  };
  step(cursor % n, Math.floor(cursor / n));
  return true;
};

/** ROLE: worker 0 serves every replica and holds the link to a primary, so it answers. */
const onHub: CrossHandler = (cw, c, _e, argv) => {
  if (cw.index === 0) return false;
  const hold = c.hold(c.replyMode !== "on");
  cw.links[0]!.send(argv, c.reply.resp, hold, c.dbIndex);
  return true;
};

/** CLIENT LIST: every worker's clients, one text. */
const clientList: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    const texts = replies.map(textOf);
    if (texts.some((t) => t === undefined)) return hold(firstError(replies) ?? replies[cw.index]!);
    const w = new ReplyWriter(256);
    w.resp = c.reply.resp;
    const all = texts.join("");
    if (replies[cw.index]![0] === 61) w.verbatim(all);
    else w.bulkString(all);
    hold(w.bytes());
  });
  return true;
};

/** CLIENT KILL: tried on every worker; killed counts add up, one +OK wins over "No such client". */
const clientKill: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    let total = 0;
    let ints = 0;
    for (const r of replies) {
      if (r[0] === 43) return hold(r); // +OK (old form: one client)
      const n = readInteger(r, 0);
      if (!Number.isNaN(n)) {
        total += n;
        ints++;
      }
    }
    hold(ints === replies.length ? enc.encode(`:${total}\r\n`) : replies[cw.index]!);
  });
  return true;
};

/** PUBSUB CHANNELS: the union of every worker's channels. */
const pubsubChannels: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAllFor(c, argv, (replies) => {
    const err = firstError(replies);
    if (err !== undefined) return hold(err);
    const seen = new Set<string>();
    const w = new ReplyWriter(256);
    w.resp = c.reply.resp;
    const names: Uint8Array[] = [];
    for (const r of replies) {
      for (const [s] of readArray(r, 0) ?? []) {
        const b = readBulk(r, s);
        if (b === null || b === undefined) continue;
        const k = Buffer.from(b).toString("latin1");
        if (seen.has(k)) continue;
        seen.add(k);
        names.push(b.slice());
      }
    }
    w.arrayHeader(names.length);
    for (const n of names) w.bulk(n);
    hold(w.bytes());
  });
  return true;
};

/** PUBSUB NUMSUB: each channel's subscribers summed over the workers (asked in RESP2, a flat list). */
const pubsubNumsub: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAll(argv, 2, (replies) => {
    const err = firstError(replies);
    if (err !== undefined) return hold(err);
    const n = argv.length - 2;
    const sums = new Array<number>(n).fill(0);
    for (const r of replies) {
      const items = readArray(r, 0) ?? [];
      for (let i = 0; i < n; i++) sums[i]! += readInteger(r, items[2 * i + 1]?.[0] ?? 0) || 0;
    }
    const w = new ReplyWriter(256);
    w.resp = c.reply.resp;
    w.arrayHeader(2 * n);
    for (let i = 0; i < n; i++) {
      w.bulk(argv[i + 2]!);
      w.integer(sums[i]!);
    }
    hold(w.bytes());
  }, c.dbIndex);
  return true;
};

export const aggregateHandlers: Record<string, CrossHandler> = {
  "pubsub|channels": pubsubChannels,
  "pubsub|numsub": pubsubNumsub,
  "pubsub|shardchannels": pubsubChannels,
  "pubsub|shardnumsub": pubsubNumsub,
  spublish: sumIntegers,
  "pubsub|numpat": sumIntegers, // a pattern subscribed on two workers counts twice (Redis counts it once)
  dbsize: sumIntegers,
  keys,
  scan,
  randomkey,
  flushall: everywhere,
  flushdb: everywhere,
  swapdb: everywhere,
  "script|load": everywhere, // every worker has its own script cache
  "script|flush": everywhere,
  "function|load": everywhere, // and so does its function library set
  "function|delete": everywhere,
  "function|flush": everywhere,
  "client|pause": everywhere, // each worker holds its own clients
  "client|unpause": everywhere,
  role: onHub,
  "config|set": everywhere,
  replicaof: everywhere, // every worker knows it is a replica; worker 0 holds the link
  slaveof: everywhere,
  "config|resetstat": everywhere,
  save: everywhere,
  bgsave: everywhere,
  bgrewriteaof: everywhere,
  "client|list": clientList,
  publish: sumIntegers, // every worker delivers to its subscribers; the receiver counts add up
  "client|kill": clientKill,
  "client|unblock": sumIntegers, // the one worker where the client waits answers :1
  ...infoHandlers, // INFO, LATENCY HISTOGRAM, MEMORY STATS/DOCTOR merged over the workers
  ...notifyHandlers, // (P)SUBSCRIBE: tell the other workers before confirming (src/cluster/notify-remote.ts)
};
