// Per-command latency histograms as Redis 7.0 keeps them (latency-tracking): INFO latencystats
// percentiles and LATENCY HISTOGRAM. Redis uses an HdrHistogram of nanoseconds from 1 ns to 1 s
// with 2 significant digits; this is the same bucket layout in a flat Uint32Array, so the
// percentiles print the same values Redis would (the highest value equivalent to the sample):
//   values 0..255 ns one bucket each; then per power of two 2^k (k >= 8) 128 buckets of 2^(k-7) ns.
// 3072 counters (12 KiB) per command, made at its first timed call; recording is an index
// computation and one add, no allocation. Several workers merge by adding the arrays: each worker
// prints its non-zero buckets in the internal INFO section `__latencybuckets` (see mergeLatency).
import { bytesToString } from "./args.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Args, Client, CommandEntry, ServerContext } from "./types.ts";

const HALF_MAG = 7; // log2 of the 128 buckets per power of two
const HALF = 1 << HALF_MAG;
export const LATENCY_COUNTS = 3072; // enough for values below 2^30 ns
const MAX_NS = 1_000_000_000;

/** The bucket of a duration in ns (1 ns .. 1 s, clamped as Redis clamps). */
export function bucketOf(ns: number): number {
  const v = ns < 1 ? 1 : ns > MAX_NS ? MAX_NS : Math.floor(ns);
  const b = 31 - Math.clz32(v | 255) - HALF_MAG;
  return ((b + 1) << HALF_MAG) + (v >>> b) - HALF;
}

/** The lowest value (ns) of bucket `i`. */
function lowestOf(i: number): number {
  const b = (i >> HALF_MAG) - 1;
  return b < 0 ? i : ((i & (HALF - 1)) + HALF) * 2 ** b;
}

/** The highest value (ns) bucket `i` stands for. */
function highestOf(i: number): number {
  const b = (i >> HALF_MAG) - 1;
  return b < 0 ? i : lowestOf(i) + 2 ** b - 1;
}

/** Counts `n` calls of `entry` that took `ns` nanoseconds each. */
export function latencyAdd(entry: CommandEntry, ns: number, n: number): void {
  const h = entry.latency ?? (entry.latency = new Uint32Array(LATENCY_COUNTS));
  h[bucketOf(ns)]! += n;
}

export function totalOf(h: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < h.length; i++) n += h[i]!;
  return n;
}

/** hdr_value_at_percentile: the highest equivalent value (ns) at percentile `p`. */
export function valueAtPercentile(h: Uint32Array, total: number, p: number): number {
  const want = Math.max(1, Math.floor((Math.min(p, 100) / 100) * total + 0.5));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= want) return highestOf(i);
  }
  return 0;
}

/**
 * LATENCY HISTOGRAM's buckets, as Redis's log iteration gives them: levels 1024 ns * 2^j, each
 * [floor(highest value of the level / 1000) µs, calls up to it], only levels where the count grew.
 */
export function cumulativeBuckets(h: Uint32Array): [number, number][] {
  const total = totalOf(h);
  const out: [number, number][] = [];
  let i = 0;
  let seen = 0;
  let prev = 0;
  for (let level = 1024; seen < total; level *= 2) {
    const last = Math.min(bucketOf(level), h.length - 1);
    for (; i <= last; i++) seen += h[i]!;
    if (seen > prev) out.push([Math.floor(highestOf(bucketOf(level)) / 1000), seen]);
    prev = seen;
  }
  return out;
}

/** Every entry (subcommands after their container) in table order. */
function everyEntry(s: ServerContext): CommandEntry[] {
  const out: CommandEntry[] = [];
  const visit = (e: CommandEntry): void => {
    out.push(e);
    for (const sub of e.subcommands ?? []) visit(sub);
  };
  for (const e of s.commands.all()) visit(e);
  return out;
}

/** This worker's histograms with samples, by full name (`config|get`). */
export function localHistograms(s: ServerContext): Map<string, Uint32Array> {
  const out = new Map<string, Uint32Array>();
  for (const e of everyEntry(s)) if (e.latency !== undefined && totalOf(e.latency) > 0) out.set(e.name, e.latency);
  return out;
}

/** Redis's %f-then-trimmed printing of a percentile (50, 99.9). */
const percentileLabel = (p: number): string => String(Number(p.toFixed(6)));

/** The configured percentiles (latency-tracking-info-percentiles). */
function percentilesOf(s: ServerContext): number[] {
  const text = s.config.get("latency-tracking-info-percentiles") ?? "50 99 99.9";
  return text.split(" ").filter((w) => w !== "").map(Number);
}

/** The INFO latencystats body for `histograms` (local or merged over the workers). */
export function latencystatsBody(s: ServerContext, histograms: ReadonlyMap<string, Uint32Array>): string {
  const ps = percentilesOf(s);
  let out = "";
  for (const [name, h] of histograms) {
    const total = totalOf(h);
    if (total === 0) continue;
    const parts = ps.map((p) => `p${percentileLabel(p)}=${(valueAtPercentile(h, total, p) / 1000).toFixed(3)}`);
    out += `latency_percentiles_usec_${name}:${parts.join(",")}\r\n`;
  }
  return out;
}

/** The internal `__latencybuckets` INFO body: `name:bucket=count,...` for non-zero buckets. */
export function latencyBucketsBody(s: ServerContext): string {
  let out = "";
  for (const [name, h] of localHistograms(s)) {
    const parts: string[] = [];
    for (let i = 0; i < h.length; i++) if (h[i]! > 0) parts.push(`${i}=${h[i]}`);
    out += `${name}:${parts.join(",")}\r\n`;
  }
  return out;
}

/** Adds the `__latencybuckets` lines of one worker's INFO text into `into`. */
export function addLatencyBuckets(text: string, into: Map<string, Uint32Array>): void {
  const start = text.indexOf(`# ${LATENCY_BUCKETS_TITLE}\r\n`);
  if (start < 0) return;
  const body = text.slice(start).split("\r\n").slice(1);
  for (const line of body) {
    if (line === "" || line.startsWith("#")) break;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    const h = into.get(name) ?? new Uint32Array(LATENCY_COUNTS);
    for (const kv of line.slice(colon + 1).split(",")) {
      const eq = kv.indexOf("=");
      const i = Number(kv.slice(0, eq));
      if (eq > 0 && i >= 0 && i < LATENCY_COUNTS) h[i]! += Number(kv.slice(eq + 1));
    }
    into.set(name, h);
  }
}

/** The section name a multi-worker INFO asks each worker for; its title as INFO prints it. */
export const LATENCY_BUCKETS_SECTION = "__latencybuckets";
export const LATENCY_BUCKETS_TITLE = "__latencybuckets";

/**
 * One merged INFO text: the `# Latencystats` body replaced by percentiles over every worker's
 * buckets, and the internal `__latencybuckets` sections removed.
 */
export function mergeLatencyInfo(s: ServerContext, merged: string, texts: readonly string[]): string {
  const all = new Map<string, Uint32Array>();
  for (const t of texts) addLatencyBuckets(t, all);
  const raw = merged.indexOf(`\r\n# ${LATENCY_BUCKETS_TITLE}\r\n`);
  let text = raw < 0 ? merged : merged.slice(0, raw);
  const head = "# Latencystats\r\n";
  const at = text.indexOf(head);
  if (at < 0) return text;
  const from = at + head.length;
  let to = text.indexOf("\r\n\r\n", from - 2);
  to = to < 0 ? text.length : to + 2;
  text = text.slice(0, from) + latencystatsBody(s, all) + text.slice(to);
  return text;
}

/** Writes one command's histogram: {calls, histogram_usec: {µs: cumulative calls}}. */
function writeHistogram(r: ReplyWriter, name: string, h: Uint32Array): void {
  r.bulkString(name);
  r.mapHeader(2);
  r.bulkString("calls");
  r.integer(totalOf(h));
  r.bulkString("histogram_usec");
  const buckets = cumulativeBuckets(h);
  r.mapHeader(buckets.length);
  for (const [us, n] of buckets) {
    r.integer(us);
    r.integer(n);
  }
}

/**
 * The commands LATENCY HISTOGRAM [command ...] names: every one with samples when none is given;
 * else each named command (`config|get` form too) and its subcommands, unknown names skipped.
 */
export function histogramNames(s: ServerContext, argv: Args, have: (name: string) => boolean): string[] {
  if (argv.length <= 2) return everyEntry(s).map((e) => e.name).filter(have);
  const out: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const [top, sub] = bytesToString(argv[i]!).toLowerCase().split("|", 2);
    let e = s.commands.get(top!);
    if (e !== undefined && sub !== undefined) e = e.subcommands?.find((x) => x.name === `${top}|${sub}`);
    if (e === undefined) continue;
    if (have(e.name)) out.push(e.name);
    for (const x of e.subcommands ?? []) if (have(x.name)) out.push(x.name);
  }
  return out;
}

/** Writes the LATENCY HISTOGRAM reply from `histograms` (this worker's, or merged over the workers). */
export function writeLatencyHistogram(r: ReplyWriter, s: ServerContext, argv: Args, histograms: ReadonlyMap<string, Uint32Array>): void {
  const names = histogramNames(s, argv, (n) => histograms.has(n));
  r.mapHeader(names.length);
  for (const n of names) writeHistogram(r, n, histograms.get(n)!);
}

// LATENCY HISTOGRAM [command ...]
export function cmdLatencyHistogram(c: Client, argv: Args): void {
  writeLatencyHistogram(c.reply, c.server, argv, localHistograms(c.server));
}
