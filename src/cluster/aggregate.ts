// Keyless commands about the whole keyspace, answered from every worker and merged, so N workers
// look like one server: DBSIZE (sum), KEYS (concatenation), SCAN (the cursor carries the worker),
// RANDOMKEY, FLUSHALL/FLUSHDB (every worker), INFO (stats, clients, memory and keyspace summed; latency
// histograms added up), LATENCY HISTOGRAM, MEMORY STATS/DOCTOR, CONFIG SET /
// CONFIG RESETSTAT (applied on every worker).

import { humanBytes, infoWants } from "../commands/info.ts";
import { MEMORY_OVERHEAD_SECTION, memoryDoctorReport, mergeOverheads, overheadOfInfo, writeMemoryStats, type MemoryOverhead } from "../commands/memory-stats.ts";
import { addLatencyBuckets, LATENCY_BUCKETS_SECTION, mergeLatencyInfo, writeLatencyHistogram } from "../commands/latency-histogram.ts";
import type { Args } from "../commands/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import { notifyHandlers } from "./notify-remote.ts";
import { isError, readArray, readBulk, readInteger } from "./reply-reader.ts";
import type { CrossHandler } from "./router.ts";
import type { WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const INFO_ARG = enc.encode("info");
const LATENCY_BUCKETS_ARG = enc.encode(LATENCY_BUCKETS_SECTION);
const MEMORY_OVERHEAD_ARG = enc.encode(MEMORY_OVERHEAD_SECTION);

const firstError = (replies: Uint8Array[]): Uint8Array | undefined => replies.find((r) => isError(r, 0));

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

/** Text of a bulk or verbatim reply. */
function textOf(r: Uint8Array): string | undefined {
  if (r[0] === 61) {
    const v = readBulkLike(r);
    return v === undefined ? undefined : v.slice(4);
  }
  const b = readBulk(r, 0);
  return b ? dec.decode(b) : undefined;
}

function readBulkLike(r: Uint8Array): string | undefined {
  const lf = r.indexOf(10);
  const len = Number(dec.decode(r.subarray(1, lf - 1)));
  return dec.decode(r.subarray(lf + 1, lf + 1 + len));
}

const SUMMED = new Set(["Stats", "Keyspace", "Clients", "Memory"]);
/** Server-wide settings (the same on every worker) and rates: this worker's line stands. */
const NOT_SUMMED = new Set(["maxclients", "maxmemory", "instantaneous_input_kbps", "instantaneous_output_kbps"]);
/** The largest over the workers, not the sum. */
const LARGEST = new Set(["client_recent_max_input_buffer", "client_recent_max_output_buffer"]);

/** The lines of one INFO section (without its header), up to the blank line that ends it. */
function sectionLines(text: string, name: string): string[] {
  const lines = text.split("\r\n");
  const at = lines.indexOf(`# ${name}`);
  if (at < 0) return [];
  const out: string[] = [];
  for (let i = at + 1; i < lines.length && !lines[i]!.startsWith("# "); i++) out.push(lines[i]!);
  return out;
}

/** Sums integer fields of the Stats, Clients, Memory and Keyspace sections over every worker's INFO; Replication is worker 0's. */
export function mergeInfo(texts: readonly string[], mine: number): string {
  const totals = new Map<string, number>();
  const keyspace = new Map<string, Map<string, number>>();
  /** Commandstats and Errorstats: `name:a=1,b=2` lines whose fields add up (first seen order). */
  const perName = new Map<string, Map<string, Map<string, number>>>([["Commandstats", new Map()], ["Errorstats", new Map()]]);
  for (const t of texts) {
    let section = "";
    for (const line of t.split("\r\n")) {
      if (line.startsWith("# ")) section = line.slice(2);
      const named = perName.get(section);
      if (named !== undefined && line.includes(":") && !line.startsWith("# ")) {
        const i = line.indexOf(":");
        const m = named.get(line.slice(0, i)) ?? new Map<string, number>();
        for (const kv of line.slice(i + 1).split(",")) {
          const [a, b] = kv.split("=");
          if (a !== undefined && b !== undefined) m.set(a, (m.get(a) ?? 0) + Number(b));
        }
        named.set(line.slice(0, i), m);
        continue;
      }
      if (!SUMMED.has(section)) continue;
      const i = line.indexOf(":");
      if (i < 0) continue;
      const k = line.slice(0, i);
      const v = line.slice(i + 1);
      if (section === "Keyspace") {
        const m = keyspace.get(k) ?? new Map<string, number>();
        for (const kv of v.split(",")) {
          const [a, b] = kv.split("=");
          if (a !== undefined && b !== undefined) m.set(a, (m.get(a) ?? 0) + Number(b));
        }
        keyspace.set(k, m);
      } else if (/^-?\d+$/.test(v) && !NOT_SUMMED.has(k)) {
        totals.set(k, LARGEST.has(k) ? Math.max(totals.get(k) ?? 0, Number(v)) : (totals.get(k) ?? 0) + Number(v));
      }
    }
  }
  let section = "";
  const out: string[] = [];
  for (const line of texts[mine]!.split("\r\n")) {
    if (section === "Replication" && !line.startsWith("# ")) continue;
    if (line.startsWith("# ")) {
      section = line.slice(2);
      out.push(line);
      // Worker 0 serves the replicas and holds the link to a primary: its section is the server's.
      if (section === "Replication") out.push(...sectionLines(texts[0]!, "Replication"));
      if (section === "Keyspace") {
        for (const [db, m] of [...keyspace].sort(([a], [b]) => Number(a.slice(2)) - Number(b.slice(2)))) {
          const ttl = m.get("avg_ttl") ?? 0;
          out.push(`${db}:keys=${m.get("keys") ?? 0},expires=${m.get("expires") ?? 0},avg_ttl=${ttl}`);
        }
      }
      for (const [name, m] of perName.get(section) ?? []) {
        if (section === "Errorstats") out.push(`${name}:count=${m.get("count") ?? 0}`);
        else {
          const calls = m.get("calls") ?? 0;
          const usec = m.get("usec") ?? 0;
          out.push(`${name}:calls=${calls},usec=${usec},usec_per_call=${calls > 0 ? (usec / calls).toFixed(2) : "0.00"},rejected_calls=${m.get("rejected_calls") ?? 0},failed_calls=${m.get("failed_calls") ?? 0}`);
        }
      }
      continue;
    }
    if ((section === "Keyspace" || perName.has(section)) && line.includes(":")) continue;
    const i = line.indexOf(":");
    const k = i > 0 ? line.slice(0, i) : "";
    if (SUMMED.has(section) && totals.has(k)) {
      out.push(`${k}:${totals.get(k)}`);
    } else if (section === "Memory" && k.endsWith("_human") && totals.has(k.slice(0, -6))) {
      out.push(`${k}:${humanBytes(totals.get(k.slice(0, -6))!)}`);
    } else if (section === "Memory" && k === "mem_fragmentation_ratio") {
      const used = totals.get("used_memory") ?? 0;
      out.push(`${k}:${used > 0 ? ((totals.get("used_memory_rss") ?? 0) / used).toFixed(2) : "0.00"}`);
    } else {
      out.push(line);
    }
  }
  return out.join("\r\n");
}

const info: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  // Latencystats: the workers also send their raw buckets, merged here (src/commands/latency-histogram.ts).
  const latency = infoWants(argv.slice(1).map((a) => dec.decode(a).toLowerCase()), "latencystats");
  cw.askAllFor(c, latency ? [...argv, LATENCY_BUCKETS_ARG] : argv, (replies) => {
    const texts = replies.map(textOf);
    if (texts.some((t) => t === undefined)) return hold(replies[cw.index]!);
    let merged = mergeInfo(texts as string[], cw.index);
    if (latency) merged = mergeLatencyInfo(c.server, merged, texts as string[]);
    const w = new ReplyWriter(merged.length + 64);
    w.resp = c.reply.resp;
    if (replies[cw.index]![0] === 61) w.verbatim(merged);
    else w.bulkString(merged);
    hold(w.bytes());
  });
  return true;
};

/** ROLE: worker 0 serves every replica and holds the link to a primary, so it answers. */
const onHub: CrossHandler = (cw, c, _e, argv) => {
  if (cw.index === 0) return false;
  const hold = c.hold(c.replyMode !== "on");
  cw.links[0]!.send(argv, c.reply.resp, hold, c.dbIndex);
  return true;
};

/** LATENCY HISTOGRAM: every worker's buckets (asked as INFO __latencybuckets) added up. */
const latencyHistogram: CrossHandler = (cw, c, _e, argv) => {
  const hold = c.hold(c.replyMode !== "on");
  cw.askAll([INFO_ARG, LATENCY_BUCKETS_ARG], 2, (replies) => {
    const all = new Map<string, Uint32Array>();
    for (const r of replies) addLatencyBuckets(textOf(r) ?? "", all);
    const w = new ReplyWriter(256);
    w.resp = c.reply.resp;
    writeLatencyHistogram(w, c.server, argv, all);
    hold(w.bytes());
  });
  return true;
};

/** MEMORY STATS / DOCTOR: every worker's figures (asked as INFO __memoryoverhead) added up. */
const memoryMerged =
  (write: (w: ReplyWriter, m: MemoryOverhead) => void): CrossHandler =>
  (cw, c) => {
    const hold = c.hold(c.replyMode !== "on");
    cw.askAll([INFO_ARG, MEMORY_OVERHEAD_ARG], 2, (replies) => {
      const ms = replies.map((r) => overheadOfInfo(textOf(r) ?? ""));
      if (ms.some((m) => m === undefined)) return hold(firstError(replies) ?? enc.encode("-ERR a worker did not answer MEMORY\r\n"));
      const w = new ReplyWriter(1024);
      w.resp = c.reply.resp;
      write(w, mergeOverheads(ms as MemoryOverhead[]));
      hold(w.bytes());
    });
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
  info,
  role: onHub,
  "latency|histogram": latencyHistogram,
  "memory|stats": memoryMerged(writeMemoryStats),
  "memory|doctor": memoryMerged((w, m) => w.verbatim(memoryDoctorReport(m))),
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
  ...notifyHandlers, // (P)SUBSCRIBE: tell the other workers before confirming (src/cluster/notify-remote.ts)
};
