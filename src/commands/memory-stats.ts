// MEMORY STATS and MEMORY DOCTOR in Redis 7.0's shapes and texts (object.c: getMemoryOverheadData,
// getMemoryDoctorReport), filled with what this server knows:
//   total.allocated   every database's engine bytes plus buffers counted outside the engine
//   peak.allocated    the highest total seen (by INFO or MEMORY STATS)
//   clients.*         query + output buffer bytes of normal clients / replicas
//   replication.backlog  the backlog's history length (INFO repl_backlog_histlen)
//   db.N overhead.hashtable.main  the engine's bytes beyond its entries (index, metadata, free
//                     arena space); .expires and .slot-to-keys are 0 (TTLs live in the index)
//   allocator.allocated / active  total.allocated (no separate allocator view);
//   allocator.resident / rss      the process RSS, so rss-overhead is 1 and the allocator-rss
//                     figures carry the JS heap and runtime.
//   startup.allocated, cluster.links, aof.buffer, lua.caches, functions.caches: 0.
// With several workers every worker's figures are added up (src/cluster/aggregate.ts asks each for
// the internal INFO section __memoryoverhead).
import { usedMemory, memoryPeak } from "./info.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Client, ServerContext } from "./types.ts";

export interface MemoryOverhead {
  peak: number;
  total: number;
  startup: number;
  backlog: number;
  clientsReplicas: number;
  clientsNormal: number;
  replicas: number;
  normalClients: number;
  dbs: { db: number; main: number }[];
  overheadTotal: number;
  keys: number;
  datasetBytes: number;
  rss: number;
}

/** Collects the figures MEMORY STATS and MEMORY DOCTOR report. */
export function memoryOverhead(s: ServerContext): MemoryOverhead {
  let engine = 0;
  let keys = 0;
  const dbs: { db: number; main: number }[] = [];
  s.databases.each((db, ks) => {
    const st = ks.stats();
    engine += st.memoryBytes;
    keys += ks.size;
    if (ks.size > 0) dbs.push({ db, main: Math.max(0, st.memoryBytes - st.usedBytes) });
  });
  const total = Math.max(usedMemory(s), engine + s.keyspace.externalMemory());
  const peak = memoryPeak(s, total);
  let clientsReplicas = 0;
  let clientsNormal = 0;
  let replicas = 0;
  for (const c of s.clients.values()) {
    const bytes = c.queryBufferBytes() + c.outputBufferBytes();
    if (c.outputClass === "replica") {
      clientsReplicas += bytes;
      replicas++;
    } else clientsNormal += bytes;
  }
  const backlog = Number(/repl_backlog_histlen:(\d+)/.exec(s.replication?.info() ?? "")?.[1] ?? 0);
  const startup = 0;
  const overheadTotal = startup + backlog + clientsReplicas + clientsNormal + dbs.reduce((n, d) => n + d.main, 0);
  return {
    peak,
    total,
    startup,
    backlog,
    clientsReplicas,
    clientsNormal,
    replicas,
    normalClients: s.clients.size - replicas,
    dbs,
    overheadTotal,
    keys,
    datasetBytes: Math.max(0, total - overheadTotal),
    rss: process.memoryUsage().rss,
  };
}

// MEMORY STATS: Redis 7.0's fields (doubles as RESP3 doubles, bulk strings in RESP2).
export function cmdMemoryStats(c: Client): void {
  writeMemoryStats(c.reply, memoryOverhead(c.server));
}

/** Writes MEMORY STATS's reply for `m` (this worker's figures, or every worker's added up). */
export function writeMemoryStats(r: ReplyWriter, m: MemoryOverhead): void {
  const net = m.total - m.startup;
  r.mapHeader(27 + m.dbs.length);
  const int = (k: string, v: number): void => {
    r.bulkString(k);
    r.integer(Math.round(v));
  };
  const dbl = (k: string, v: number): void => {
    r.bulkString(k);
    r.double(Number.isFinite(v) ? v : 0);
  };
  int("peak.allocated", m.peak);
  int("total.allocated", m.total);
  int("startup.allocated", m.startup);
  int("replication.backlog", m.backlog);
  int("clients.slaves", m.clientsReplicas);
  int("clients.normal", m.clientsNormal);
  int("cluster.links", 0);
  int("aof.buffer", 0);
  int("lua.caches", 0);
  int("functions.caches", 0);
  for (const d of m.dbs) {
    r.bulkString(`db.${d.db}`);
    r.mapHeader(3);
    int("overhead.hashtable.main", d.main);
    int("overhead.hashtable.expires", 0);
    int("overhead.hashtable.slot-to-keys", 0);
  }
  int("overhead.total", m.overheadTotal);
  int("keys.count", m.keys);
  int("keys.bytes-per-key", m.keys > 0 ? Math.floor(net / m.keys) : 0);
  int("dataset.bytes", m.datasetBytes);
  dbl("dataset.percentage", net > 0 ? (m.datasetBytes * 100) / net : 0);
  dbl("peak.percentage", m.peak > 0 ? (m.total * 100) / m.peak : 0);
  int("allocator.allocated", m.total);
  int("allocator.active", m.total);
  int("allocator.resident", m.rss);
  dbl("allocator-fragmentation.ratio", 1);
  int("allocator-fragmentation.bytes", 0);
  dbl("allocator-rss.ratio", m.total > 0 ? m.rss / m.total : 0);
  int("allocator-rss.bytes", m.rss - m.total);
  dbl("rss-overhead.ratio", 1);
  int("rss-overhead.bytes", 0);
  dbl("fragmentation", m.total > 0 ? m.rss / m.total : 0);
  int("fragmentation.bytes", m.rss - m.total);
}

export const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
export const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const ISSUES_HEAD = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
const ISSUES_TAIL = "I'm here to keep you safe, Sam. I want to help you.\n";
const BIG_PEAK =
  " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";
const HIGH_FRAG =
  ' * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "bun".\n\n';
const HIGH_ALLOC_RSS =
  " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n";
const BIG_REPLICA_BUF =
  " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n";
const BIG_CLIENT_BUF =
  " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance.\n\n";

const MB = 1024 * 1024;

/**
 * Redis's memory doctor over these figures: empty below 5 MB (or without keys); else peak > 150% of now, total
 * fragmentation > 1.4 and 10 MB, allocator RSS > 1.1 and 10 MB, clients > 200 KB each, replicas
 * > 10 MB each. (Allocator fragmentation and non-allocator RSS are 1 here, never reported.)
 */
export function memoryDoctorReport(m: MemoryOverhead): string {
  // Redis: below 5 MB allocated. The engine's arenas alone may pass that with no key (two workers
  // do), so no key at all counts as empty too.
  if (m.total < 5 * MB || m.keys === 0) return DOCTOR_EMPTY;
  const frag = m.rss / m.total;
  const issues: string[] = [];
  if (m.peak / m.total > 1.5) issues.push(BIG_PEAK);
  if (frag > 1.4 && m.rss - m.total > 10 * MB) issues.push(HIGH_FRAG);
  if (frag > 1.1 && m.rss - m.total > 10 * MB) issues.push(HIGH_ALLOC_RSS);
  if (m.replicas > 0 && m.clientsReplicas / m.replicas > 10 * MB) issues.push(BIG_REPLICA_BUF);
  if (m.normalClients > 0 && m.clientsNormal / m.normalClients > 200 * 1024) issues.push(BIG_CLIENT_BUF);
  if (issues.length === 0) return DOCTOR_FINE;
  return ISSUES_HEAD + issues.join("") + ISSUES_TAIL;
}

/** Every worker's figures added up (MEMORY STATS / DOCTOR with several workers). */
export function mergeOverheads(ms: readonly MemoryOverhead[]): MemoryOverhead {
  const out: MemoryOverhead = { ...ms[0]!, dbs: [] };
  const dbs = new Map<number, number>();
  for (const k of Object.keys(out) as (keyof MemoryOverhead)[]) if (k !== "dbs") (out[k] as number) = 0;
  for (const m of ms) {
    for (const k of Object.keys(m) as (keyof MemoryOverhead)[]) if (k !== "dbs") (out[k] as number) += m[k] as number;
    for (const d of m.dbs) dbs.set(d.db, (dbs.get(d.db) ?? 0) + d.main);
  }
  out.dbs = [...dbs].sort(([a], [b]) => a - b).map(([db, main]) => ({ db, main }));
  return out;
}

/** The internal INFO section a multi-worker MEMORY STATS / DOCTOR asks each worker for. */
export const MEMORY_OVERHEAD_SECTION = "__memoryoverhead";

/** That section's body: the figures as one JSON line. */
export function memoryOverheadBody(s: ServerContext): string {
  return `json:${JSON.stringify(memoryOverhead(s))}\r\n`;
}

/** The figures in one worker's `INFO __memoryoverhead` text, or undefined. */
export function overheadOfInfo(text: string): MemoryOverhead | undefined {
  const m = /\r\njson:(\{[^\r]*\})\r\n/.exec(text);
  return m === null ? undefined : (JSON.parse(m[1]!) as MemoryOverhead);
}

// MEMORY DOCTOR: verbatim text in RESP3, a bulk string in RESP2.
export function cmdMemoryDoctor(c: Client): void {
  c.reply.verbatim(memoryDoctorReport(memoryOverhead(c.server)));
}

// MEMORY MALLOC-STATS: what Redis answers when its allocator is not jemalloc.
export function cmdMemoryMallocStats(c: Client): void {
  c.reply.verbatim("Stats not supported for the current allocator");
}
