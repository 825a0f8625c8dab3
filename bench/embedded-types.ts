// The embedded Cache's data types against the in-process structure a Bun developer would reach
// for, in one run: time per operation (mitata p50) and bytes per element (RSS, fresh child each).
//
//   bun bench/embedded-types.ts           (package script: bun run bench:embedded-types)
//   BENCH_QUICK=1                          shorter mitata budget
//   BENCH_SKIP=rss                         time only
//   bun bench/embedded-types.ts --rss <family> <subject>    (child mode: prints one JSON line)
//
// Shape: KEYS keys of ELEMENTS elements each (small collections, the common case: the server's
// compact encodings apply), 12-byte members and 16-byte values, all strings.
//   hash:  hset overwrite of one field / hget hit        vs Map<string, Map<string, string>>
//   list:  lpush + lpop of one element (a stack)          vs Map<string, string[]> (push + pop)
//   set:   sadd of a present member / sismember hit       vs Map<string, Set<string>>
//   zset:  zadd score update / zscore hit                 vs Map<string, sorted array + Map of scores>
// Figures: bench/RESULTS.md, "Embedded data types vs Map/array/Set".
import { bench, do_not_optimize, run, summary } from "mitata";
import { Cache } from "../src/index.ts";
import { fmtNs, jsonMode, printEnvironment, printTable, quickMode } from "./runner.ts";

const KEYS = 4096;
const ELEMENTS = 16;
const RSS_KEYS = 65_536; // 1,048,576 elements in the memory run
const key = (i: number): string => `key:${String(i).padStart(12, "0")}`;
const member = (j: number): string => `m:${String(j).padStart(10, "0")}`;
const VALUE = "v".repeat(16);
const FAMILIES = ["hash", "list", "set", "zset"] as const;
type Family = (typeof FAMILIES)[number];

/** A sorted set as a JS developer would write it: scores by member plus members sorted by (score, member). */
class SortedArray {
  readonly scores = new Map<string, number>();
  readonly order: { m: string; s: number }[] = [];
  add(m: string, s: number): void {
    const old = this.scores.get(m);
    if (old !== undefined) this.order.splice(this.indexOf(m, old), 1);
    this.scores.set(m, s);
    this.order.splice(this.lowerBound(m, s), 0, { m, s });
  }
  private lowerBound(m: string, s: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.order[mid]!;
      if (e.s < s || (e.s === s && e.m < m)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  private indexOf(m: string, s: number): number {
    return this.lowerBound(m, s);
  }
}

/** Fills one subject with `keys` collections of ELEMENTS elements. */
function fill(family: Family, subject: "fast-cache" | "js", keys: number): unknown {
  if (subject === "fast-cache") {
    const c = new Cache({ sweepIntervalMs: 0 });
    for (let i = 0; i < keys; i++) {
      const k = key(i);
      if (family === "hash") {
        const fields: Record<string, string> = {};
        for (let j = 0; j < ELEMENTS; j++) fields[member(j)] = VALUE;
        c.hset(k, fields);
      } else if (family === "list") for (let j = 0; j < ELEMENTS; j++) c.rpush(k, member(j));
      else if (family === "set") for (let j = 0; j < ELEMENTS; j++) c.sadd(k, member(j));
      else for (let j = 0; j < ELEMENTS; j++) c.zadd(k, [[member(j), j]]);
    }
    return c;
  }
  const m = new Map<string, unknown>();
  for (let i = 0; i < keys; i++) {
    const k = key(i);
    if (family === "hash") {
      const h = new Map<string, string>();
      for (let j = 0; j < ELEMENTS; j++) h.set(member(j), VALUE);
      m.set(k, h);
    } else if (family === "list") {
      const a: string[] = [];
      for (let j = 0; j < ELEMENTS; j++) a.push(member(j));
      m.set(k, a);
    } else if (family === "set") {
      const s = new Set<string>();
      for (let j = 0; j < ELEMENTS; j++) s.add(member(j));
      m.set(k, s);
    } else {
      const z = new SortedArray();
      for (let j = 0; j < ELEMENTS; j++) z.add(member(j), j);
      m.set(k, z);
    }
  }
  return m;
}

// ---- child mode: bytes per element -------------------------------------------------------------

if (process.argv[2] === "--rss") {
  const family = process.argv[3] as Family;
  const subject = process.argv[4] as "fast-cache" | "js";
  fill(family, subject, 4096); // warm-up: JIT code and one-time allocations are not charged
  Bun.gc(true);
  await Bun.sleep(200);
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  const kept = fill(family, subject, RSS_KEYS);
  Bun.gc(true);
  await Bun.sleep(300);
  Bun.gc(true);
  const after = process.memoryUsage().rss;
  do_not_optimize(kept);
  console.log(JSON.stringify({ bytesPerElement: (after - before) / (RSS_KEYS * ELEMENTS) }));
  process.exit(0);
}

// ---- time ----------------------------------------------------------------------------------------

const keys = Array.from({ length: KEYS }, (_, i) => key(i));
const members = Array.from({ length: ELEMENTS }, (_, j) => member(j));
const KMASK = KEYS - 1;
const EMASK = ELEMENTS - 1;
function warmed<T>(f: () => T): () => T {
  for (let w = 0; w < 20_000; w++) f();
  return f;
}

summary(() => {
  bench("hset overwrite: fast-cache", function* () {
    const c = fill("hash", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.hset(keys[n & KMASK]!, { [members[(n >>> 12) & EMASK]!]: VALUE })); });
  }).gc("inner");
  bench("hset overwrite: Map of Map", function* () {
    const m = fill("hash", "js", KEYS) as Map<string, Map<string, string>>;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(m.get(keys[n & KMASK]!)!.set(members[(n >>> 12) & EMASK]!, VALUE)); });
  }).gc("inner");
});
summary(() => {
  bench("hget hit: fast-cache hgetString", function* () {
    const c = fill("hash", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.hgetString(keys[n & KMASK]!, members[(n >>> 12) & EMASK]!)); });
  });
  bench("hget hit: Map of Map", function* () {
    const m = fill("hash", "js", KEYS) as Map<string, Map<string, string>>;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(m.get(keys[n & KMASK]!)!.get(members[(n >>> 12) & EMASK]!)); });
  });
});
summary(() => {
  bench("lpush + lpop: fast-cache", function* () {
    const c = fill("list", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const k = keys[i++ & KMASK]!; c.lpush(k, VALUE); return do_not_optimize(c.lpop(k)); });
  }).gc("inner");
  bench("push + pop: Map of array", function* () {
    const m = fill("list", "js", KEYS) as Map<string, string[]>;
    let i = 0;
    yield warmed(() => { const a = m.get(keys[i++ & KMASK]!)!; a.push(VALUE); return do_not_optimize(a.pop()); });
  }).gc("inner");
});
summary(() => {
  bench("sadd present: fast-cache", function* () {
    const c = fill("set", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.sadd(keys[n & KMASK]!, members[(n >>> 12) & EMASK]!)); });
  }).gc("inner");
  bench("sadd present: Map of Set", function* () {
    const m = fill("set", "js", KEYS) as Map<string, Set<string>>;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(m.get(keys[n & KMASK]!)!.add(members[(n >>> 12) & EMASK]!)); });
  }).gc("inner");
});
summary(() => {
  bench("sismember hit: fast-cache", function* () {
    const c = fill("set", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.sismember(keys[n & KMASK]!, members[(n >>> 12) & EMASK]!)); });
  });
  bench("sismember hit: Map of Set", function* () {
    const m = fill("set", "js", KEYS) as Map<string, Set<string>>;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(m.get(keys[n & KMASK]!)!.has(members[(n >>> 12) & EMASK]!)); });
  });
});
summary(() => {
  bench("zadd update: fast-cache", function* () {
    const c = fill("zset", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.zadd(keys[n & KMASK]!, [[members[(n >>> 12) & EMASK]!, n & 31]])); });
  }).gc("inner");
  bench("zadd update: sorted array", function* () {
    const m = fill("zset", "js", KEYS) as Map<string, SortedArray>;
    let i = 0;
    yield warmed(() => { const n = i++; m.get(keys[n & KMASK]!)!.add(members[(n >>> 12) & EMASK]!, n & 31); return do_not_optimize(n); });
  }).gc("inner");
});
summary(() => {
  bench("zscore hit: fast-cache", function* () {
    const c = fill("zset", "fast-cache", KEYS) as Cache;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(c.zscore(keys[n & KMASK]!, members[(n >>> 12) & EMASK]!)); });
  });
  bench("zscore hit: sorted array", function* () {
    const m = fill("zset", "js", KEYS) as Map<string, SortedArray>;
    let i = 0;
    yield warmed(() => { const n = i++; return do_not_optimize(m.get(keys[n & KMASK]!)!.scores.get(members[(n >>> 12) & EMASK]!)); });
  });
});

printEnvironment("bench:embedded-types" + (quickMode ? " (QUICK)" : ""));
const results = await run({ format: jsonMode ? "quiet" : "mitata", colors: false });
const p50 = new Map<string, number>();
for (const b of results.benchmarks) for (const r of b.runs) if (r.stats) p50.set(r.name, r.stats.p50);
const ns = (name: string): number => p50.get(name) ?? NaN;

const pairs: [string, string, string][] = [
  ["hset overwrite", "hset overwrite: fast-cache", "hset overwrite: Map of Map"],
  ["hget hit", "hget hit: fast-cache hgetString", "hget hit: Map of Map"],
  ["lpush + lpop", "lpush + lpop: fast-cache", "push + pop: Map of array"],
  ["sadd (present)", "sadd present: fast-cache", "sadd present: Map of Set"],
  ["sismember hit", "sismember hit: fast-cache", "sismember hit: Map of Set"],
  ["zadd (update)", "zadd update: fast-cache", "zadd update: sorted array"],
  ["zscore hit", "zscore hit: fast-cache", "zscore hit: sorted array"],
];
printTable(`Time per operation, ${KEYS} keys × ${ELEMENTS} elements (mitata p50)`, ["operation", "fast-cache", "JS structure", "ratio"],
  pairs.map(([op, a, b]) => [op, fmtNs(ns(a)), fmtNs(ns(b)), (ns(a) / ns(b)).toFixed(2) + "×"]));

const skip = new Set((process.env.BENCH_SKIP ?? "").split(","));
if (!skip.has("rss")) {
  const JS_NAMES: Record<Family, string> = { hash: "Map of Map", list: "Map of array", set: "Map of Set", zset: "Map of sorted array + Map" };
  const perElement = async (family: Family, subject: string): Promise<number> => {
    const proc = Bun.spawn([process.execPath, import.meta.path, "--rss", family, subject], { stdout: "pipe", stderr: "inherit" });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    return (JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { bytesPerElement?: number }).bytesPerElement ?? NaN;
  };
  const rows: string[][] = [];
  for (const f of FAMILIES) {
    const ours = await perElement(f, "fast-cache");
    const theirs = await perElement(f, "js");
    rows.push([f, ours.toFixed(1), `${theirs.toFixed(1)} (${JS_NAMES[f]})`, (ours / theirs).toFixed(2) + "×"]);
  }
  printTable(`RSS bytes per element, ${RSS_KEYS} keys × ${ELEMENTS} elements, fresh child each`, ["family", "fast-cache", "JS structure", "ratio"], rows);
}
