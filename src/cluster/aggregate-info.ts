// INFO, LATENCY HISTOGRAM and MEMORY STATS/DOCTOR over several workers: each worker's INFO text
// (stats, clients, memory and keyspace summed; Replication from worker 0), latency buckets and
// memory overheads added up, so N workers answer as one server.

import { humanBytes, infoWants } from "../commands/info.ts";
import { MEMORY_OVERHEAD_SECTION, memoryDoctorReport, mergeOverheads, overheadOfInfo, writeMemoryStats, type MemoryOverhead } from "../commands/memory-stats.ts";
import { addLatencyBuckets, LATENCY_BUCKETS_SECTION, mergeLatencyInfo, writeLatencyHistogram } from "../commands/latency-histogram.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import { firstError, readBulk } from "./reply-reader.ts";
import type { CrossHandler } from "./router.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const INFO_ARG = enc.encode("info");
const LATENCY_BUCKETS_ARG = enc.encode(LATENCY_BUCKETS_SECTION);
const MEMORY_OVERHEAD_ARG = enc.encode(MEMORY_OVERHEAD_SECTION);

/** Text of a bulk or verbatim reply. */
export function textOf(r: Uint8Array): string | undefined {
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


export const infoHandlers: Record<string, CrossHandler> = {
  info,
  "latency|histogram": latencyHistogram,
  "memory|stats": memoryMerged(writeMemoryStats),
  "memory|doctor": memoryMerged((w, m) => w.verbatim(memoryDoctorReport(m))),
};
