// The embedded Cache vs lru-cache 11 (with and without ttl) vs a plain Map, in one run:
//   1. mitata: get hit, get miss, set overwrite, set with eviction at capacity, 90/10 Zipf mix
//   2. hit ratios on a Zipf(0.99) trace and a scan-polluted trace (plain simulation)
//   3. RSS bytes per key, 1M entries of 16-byte keys / 32-byte values, one fresh child per store,
//      plus a live redis-server when it is installed
//
//   bun bench/embedded.ts            (package script: bun run bench:embedded)
//   BENCH_QUICK=1                    shorter mitata budget and traces
//   BENCH_JSON=1                     JSON document at the end
//   BENCH_FILTER=<regex>             only the mitata cases whose name matches
//   BENCH_SKIP=hit,rss               skip the hit-ratio and/or RSS sections
//
// Measured figures, with machine, runtime and date: bench/RESULTS.md, "Embedded Cache vs …".
// Keys are strings. lru-cache and Map store string values; fast-cache is measured both with
// getString (string in, string out: like for like) and get (a Uint8Array copy of the bytes).
import { LRUCache } from "lru-cache";
import { bench, do_not_optimize, run, summary } from "mitata";
import { Cache } from "../src/index.ts";
import { buildTraces, runHitRatios } from "./hit-ratio.ts";
import { measureRss } from "./rss.ts";
import { emitJson, fmtMiB, fmtNs, fmtPct, fmtRatio, jsonMode, printEnvironment, printTable, quickMode, zipfTrace } from "./runner.ts";

const TTL = 3_600_000; // one hour: nothing expires during the run, but every entry carries a deadline
const KEYS = 1 << 16; // resident keys for hit / miss / overwrite
const KMASK = KEYS - 1;
const EVICT_CAP = 1 << 15; // capacity for the eviction case
const EVICT_STREAM = 1 << 18; // distinct keys cycled through it (8× the capacity: every set evicts)
const EMASK = EVICT_STREAM - 1;
const HOT_MASK = 1023; // 1,024 hot keys for the cache-resident get case
const HOT_CAP = 1 << 10; // capacity of the cache-resident eviction case…
const HOT_STREAM = 1 << 13; // …and the distinct keys cycled through it
const HOT_STREAM_MASK = HOT_STREAM - 1;
const MIX_UNIVERSE = 1 << 17; // Zipf key universe of the mix
const MIX_CAP = 1 << 15; // caches in the mix hold a quarter of the universe
const MIX_LEN = 1 << 20;
const MIX_MASK = MIX_LEN - 1;

const key = (prefix: string, i: number): string => `${prefix}${i.toString().padStart(12, "0")}`;
const hitKeys = Array.from({ length: KEYS }, (_, i) => key("key:", i));
const missKeys = Array.from({ length: KEYS }, (_, i) => key("nop:", i));
const evictKeys = Array.from({ length: EVICT_STREAM }, (_, i) => key("evk:", i));
const mixKeys = Array.from({ length: MIX_UNIVERSE }, (_, i) => key("mix:", i));
const mixStream = Array.from(zipfTrace(MIX_UNIVERSE, MIX_LEN, 0.99, 11), (id) => mixKeys[id] ?? "");
const mixIsSet = new Uint8Array(MIX_LEN);
{
  let x = 12345;
  for (let i = 0; i < MIX_LEN; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    mixIsSet[i] = x % 10 === 0 ? 1 : 0;
  }
}
const VALUE = "v".repeat(32);

/** The operations every subject offers, string in and string out. */
interface Subject {
  name: string;
  make(opts: { max?: number; ttl: boolean }): { get(k: string): unknown; set(k: string, v: string): unknown };
}
const ours = (ttl: boolean, max?: number): Cache => new Cache({ maxEntries: max, ttl: ttl ? TTL : 0, sweepIntervalMs: 0 });
const lru = (ttl: boolean, max?: number): LRUCache<string, string> =>
  new LRUCache<string, string>(ttl ? { max: max ?? KEYS * 4, ttl: TTL } : { max: max ?? KEYS * 4 });
/**
 * A Map with FIFO eviction at `max`: insertion order kept in a ring of keys (the cheapest
 * possible bounded "cache"). Evicting through `map.keys().next()` instead is pathological on
 * JSC: after many deletes the iterator walks the deleted entries (~20 µs per call measured).
 */
class FifoMap {
  readonly m = new Map<string, string>();
  private readonly ring: (string | undefined)[];
  private pos = 0;
  constructor(private readonly max: number) {
    this.ring = new Array<string | undefined>(max).fill(undefined);
  }
  get(k: string): string | undefined { return this.m.get(k); }
  set(k: string, v: string): void {
    if (!this.m.has(k)) {
      const old = this.ring[this.pos];
      if (old !== undefined) this.m.delete(old);
      this.ring[this.pos] = k;
      this.pos = this.pos + 1 === this.max ? 0 : this.pos + 1;
    }
    this.m.set(k, v);
  }
}
const SUBJECTS: Subject[] = [
  { name: "fast-cache getString (ttl)", make: (o) => { const c = ours(o.ttl, o.max); return { get: (k) => c.getString(k), set: (k, v) => c.set(k, v) }; } },
  { name: "fast-cache get bytes (ttl)", make: (o) => { const c = ours(o.ttl, o.max); return { get: (k) => c.get(k), set: (k, v) => c.set(k, v) }; } },
  { name: "fast-cache getString", make: (o) => { const c = ours(false, o.max); return { get: (k) => c.getString(k), set: (k, v) => c.set(k, v) }; } },
  { name: "lru-cache", make: (o) => lru(false, o.max) },
  { name: "lru-cache (ttl)", make: (o) => lru(true, o.max) },
  // A plain Map when unbounded; with a capacity, a Map plus a FIFO ring of keys.
  { name: "Map", make: (o) => (o.max === undefined ? new Map<string, string>() : new FifoMap(o.max)) },
];
// Subjects named "(ttl)" get ttl; fast-cache getString without "(ttl)" is the no-ttl control.
const withTtl = (s: Subject): boolean => s.name.includes("(ttl)");

/** A subject filled with `keys`. The fast-cache variants call their own getter directly. */
function filled(s: Subject, keys: readonly string[], max?: number): { get(k: string): unknown; set(k: string, v: string): unknown } {
  const c = s.make({ max, ttl: withTtl(s) });
  for (const k of keys) c.set(k, VALUE);
  return c;
}

/**
 * Runs `f` enough times for the JIT to compile it before mitata sees it. mitata only batches
 * calls (and runs `.gc("inner")` once per 4096-call batch) when its first call is fast; a cold
 * first call makes it time single calls with a full GC before each, which measures cold caches.
 */
function warmed<T>(f: () => T): () => T {
  for (let w = 0; w < 20_000; w++) f();
  return f;
}

summary(() => {
  for (const s of SUBJECTS) {
    bench(`get hit: ${s.name}`, function* () {
      const c = filled(s, hitKeys);
      let i = 0;
      yield warmed(() => do_not_optimize(c.get(hitKeys[i++ & KMASK]!)));
    });
  }
});

// The same with 1,024 hot keys: everything stays in the CPU caches, so this shows the cost of
// the code path itself (the 65,536-key cases above are dominated by memory latency).
summary(() => {
  for (const s of SUBJECTS) {
    bench(`get hit, 1k hot keys: ${s.name}`, function* () {
      const c = filled(s, hitKeys);
      let i = 0;
      yield warmed(() => do_not_optimize(c.get(hitKeys[i++ & HOT_MASK]!)));
    });
  }
});

summary(() => {
  for (const s of SUBJECTS) {
    bench(`get miss: ${s.name}`, function* () {
      const c = filled(s, hitKeys);
      let i = 0;
      yield warmed(() => do_not_optimize(c.get(missKeys[i++ & KMASK]!)));
    });
  }
});

// Setters are the same for the two fast-cache "getString" variants; keep one of each ttl mode.
const SETTERS = SUBJECTS.filter((s) => !s.name.includes("get bytes"));

summary(() => {
  for (const s of SETTERS) {
    bench(`set overwrite: ${s.name.replace(" getString", "")}`, function* () {
      const c = filled(s, hitKeys);
      let i = 0;
      yield warmed(() => do_not_optimize(c.set(hitKeys[i++ & KMASK]!, VALUE)));
    }).gc("inner");
  }
});

summary(() => {
  for (const s of SETTERS) {
    bench(`set evicting: ${s.name.replace(" getString", "")}`, function* () {
      const c = filled(s, evictKeys.slice(EVICT_STREAM - EVICT_CAP), EVICT_CAP);
      let i = 0;
      yield warmed(() => do_not_optimize(c.set(evictKeys[i++ & EMASK]!, VALUE)));
    }).gc("inner");
  }
});

summary(() => {
  for (const s of SETTERS) {
    bench(`set evicting, 1k capacity: ${s.name.replace(" getString", "")}`, function* () {
      const c = filled(s, evictKeys.slice(HOT_STREAM - HOT_CAP, HOT_STREAM), HOT_CAP);
      let i = 0;
      yield warmed(() => do_not_optimize(c.set(evictKeys[i++ & HOT_STREAM_MASK]!, VALUE)));
    }).gc("inner");
  }
});

summary(() => {
  for (const s of SUBJECTS) {
    bench(`zipf 90/10 mix: ${s.name}`, function* () {
      const c = s.make({ max: MIX_CAP, ttl: withTtl(s) });
      for (let j = 0; j < MIX_LEN; j++) if (c.get(mixStream[j]!) === undefined) c.set(mixStream[j]!, VALUE);
      let i = 0;
      yield warmed(() => {
        const j = i++ & MIX_MASK;
        const k = mixStream[j]!;
        return do_not_optimize(mixIsSet[j] === 1 ? c.set(k, VALUE) : c.get(k));
      });
    }).gc("inner");
  }
});

printEnvironment("bench:embedded" + (quickMode ? " (QUICK)" : ""));
const t0 = performance.now();
const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER) : /./;
const results = await run({ format: jsonMode ? "quiet" : "mitata", colors: false, filter });
// Targets use the median of mitata's samples (each sample averages a batch of calls): on a shared
// machine the median is far less disturbed by preemption than the mean.
const micro = new Map<string, { avg: number; p50: number; p99: number }>();
for (const b of results.benchmarks) {
  for (const r of b.runs) if (r.stats) micro.set(r.name, { avg: r.stats.avg, p50: r.stats.p50, p99: r.stats.p99 });
}
const ns = (name: string): number => micro.get(name)?.p50 ?? NaN;

console.log("\nHit ratios (get, set on miss)…");
const skip = new Set((process.env.BENCH_SKIP ?? "").split(","));
const hitRows = skip.has("hit") ? [] : runHitRatios(buildTraces(quickMode));
printTable("Hit ratio at capacity = 10 % of the Zipf stream's distinct keys",
  ["trace", "cache", "capacity", "requests", "hit ratio", "Zipf-key hit ratio"],
  hitRows.map((r) => [r.trace, r.cache, String(r.capacity), String(r.requests), fmtPct(r.hitRatio), fmtPct(r.zipfHitRatio)]));

const mib = (b: number): string => (Number.isFinite(b) ? fmtMiB(b) : "-");
console.log("\nRSS per key (fresh child process per store)…");
const rss = skip.has("rss") ? [] : await measureRss(1_000_000);
printTable("RSS bytes per key, 1,000,000 entries, 16-byte keys / 32-byte values",
  ["store", "RSS before", "RSS after", "bytes/key", "note"],
  rss.map((r) => [r.store, mib(r.before), mib(r.after), r.bytesPerKey.toFixed(1), r.note]));

// Targets.
const hitOf = (trace: number, cache: string): number => hitRows.filter((r) => r.cache === cache)[trace]?.hitRatio ?? NaN;
const ourRss = rss.find((r) => r.store === "fast-cache")?.bytesPerKey ?? NaN;
// The targets of issue 14. "lru-cache" without ttl is the reference throughout (the stricter one).
const lessEq = (k: number) => (a: number, b: number): boolean => a <= k * b;
const targets = [
  { target: "getString hit with ttl ≤ 1.2× lru-cache get hit", ours: ns("get hit: fast-cache getString (ttl)"), theirs: ns("get hit: lru-cache"), unit: "ns", pass: lessEq(1.2) },
  { target: "getString hit with ttl ≤ 1.2× lru-cache, 1k hot keys", ours: ns("get hit, 1k hot keys: fast-cache getString (ttl)"), theirs: ns("get hit, 1k hot keys: lru-cache"), unit: "ns", pass: lessEq(1.2) },
  { target: "get bytes hit with ttl ≤ 1.0× lru-cache", ours: ns("get hit: fast-cache get bytes (ttl)"), theirs: ns("get hit: lru-cache"), unit: "ns", pass: lessEq(1) },
  { target: "get bytes hit with ttl ≤ 1.0× lru-cache, 1k hot keys", ours: ns("get hit, 1k hot keys: fast-cache get bytes (ttl)"), theirs: ns("get hit, 1k hot keys: lru-cache"), unit: "ns", pass: lessEq(1) },
  { target: "a ttl adds ≤ 10 % to getString", ours: ns("get hit: fast-cache getString (ttl)"), theirs: ns("get hit: fast-cache getString"), unit: "ns", pass: lessEq(1.1) },
  { target: "a ttl adds ≤ 10 % to getString, 1k hot keys", ours: ns("get hit, 1k hot keys: fast-cache getString (ttl)"), theirs: ns("get hit, 1k hot keys: fast-cache getString"), unit: "ns", pass: lessEq(1.1) },
  { target: "set overwrite ≤ 1.0× lru-cache", ours: ns("set overwrite: fast-cache"), theirs: ns("set overwrite: lru-cache"), unit: "ns", pass: lessEq(1) },
  { target: "set evicting ≤ 0.7× lru-cache, capacity 32k", ours: ns("set evicting: fast-cache"), theirs: ns("set evicting: lru-cache"), unit: "ns", pass: lessEq(0.7) },
  { target: "set evicting ≤ 0.7× lru-cache, capacity 1k", ours: ns("set evicting, 1k capacity: fast-cache"), theirs: ns("set evicting, 1k capacity: lru-cache"), unit: "ns", pass: lessEq(0.7) },
  { target: "Zipf mix with ttl ≤ 0.8× lru-cache", ours: ns("zipf 90/10 mix: fast-cache getString (ttl)"), theirs: ns("zipf 90/10 mix: lru-cache"), unit: "ns", pass: lessEq(0.8) },
  { target: "hit ratio above lru-cache, Zipf", ours: hitOf(0, "fast-cache (s3fifo, default)"), theirs: hitOf(0, "lru-cache"), unit: "%", pass: (a: number, b: number) => a > b },
  { target: "hit ratio above lru-cache, scans", ours: hitOf(1, "fast-cache (s3fifo, default)"), theirs: hitOf(1, "lru-cache"), unit: "%", pass: (a: number, b: number) => a > b },
  { target: "≤ 60 bytes RSS per key", ours: ourRss, theirs: 60, unit: "B", pass: lessEq(1) },
];
const show = (v: number, unit: string): string => (unit === "ns" ? fmtNs(v) : unit === "%" ? fmtPct(v) : v.toFixed(1));
printTable("Targets (ours vs reference; times are mitata p50)", ["target", "fast-cache", "reference", "ratio", "met"],
  targets.map((t) => [t.target, show(t.ours, t.unit), show(t.theirs, t.unit), fmtRatio(t.ours / t.theirs), t.pass(t.ours, t.theirs) ? "yes" : "NO"]));

printTable("Microbenchmarks (mitata, time per operation)", ["case", "avg", "p50", "p99"],
  [...micro].map(([n, v]) => [n, fmtNs(v.avg), fmtNs(v.p50), fmtNs(v.p99)]));
console.log(`\nTotal time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
emitJson({
  bench: "embedded",
  micro: Object.fromEntries(micro),
  hitRatios: hitRows,
  rss,
  targets: targets.map((t) => ({ target: t.target, ours: t.ours, reference: t.theirs, met: t.pass(t.ours, t.theirs) })),
});
