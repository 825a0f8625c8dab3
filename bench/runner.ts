// Shared helpers for the benchmark scripts: modes, table printing, number formatting, a seeded
// Zipf key stream and a free loopback port. Nothing here is timed.
import { cpus, release, totalmem } from "node:os";

/** `BENCH_JSON=1` prints machine-readable JSON after the human tables. */
export const jsonMode = process.env.BENCH_JSON === "1";
/** `BENCH_QUICK=1` shortens every run (fewer requests, smaller traces). */
export const quickMode = process.env.BENCH_QUICK === "1";

/** Prints `rows` under `headers` with aligned columns. The first column is left aligned. */
export function printTable(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** Nanoseconds as a short human string ("12.3 ns", "4.56 µs"). */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return "-";
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

/** A number with thousands separators and `digits` decimals. */
export function fmtNum(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "-";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as "0.87×". */
export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : "-";
}

/** A fraction as a percentage ("43.21 %"). */
export function fmtPct(f: number): string {
  return Number.isFinite(f) ? `${(f * 100).toFixed(2)} %` : "-";
}

/** Bytes as MiB. */
export function fmtMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1). Same seed, same stream. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A Zipf(s) sampler over ranks 0..n-1 (rank 0 is the most popular), by inverse CDF with a
 * binary search. Ranks are mapped through a seeded permutation so that popular ids are spread
 * over the id space instead of being 0, 1, 2…
 */
export function zipfSampler(n: number, s: number, rng: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / Math.pow(i + 1, s);
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] = (cdf[i] ?? 0) / sum;
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = perm[i] ?? 0;
    perm[i] = perm[j] ?? 0;
    perm[j] = t;
  }
  return () => {
    const u = rng();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] ?? 1) < u) lo = mid + 1;
      else hi = mid;
    }
    return perm[lo] ?? 0;
  };
}

/** `length` key ids drawn from Zipf(s) over `n` ids, with a fixed seed. */
export function zipfTrace(n: number, length: number, s = 0.99, seed = 42): Uint32Array {
  const next = zipfSampler(n, s, createRng(seed));
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) out[i] = next();
  return out;
}

/** Number of distinct values in `ids`. */
export function distinctCount(ids: Uint32Array): number {
  return new Set(ids).size;
}

/** A loopback TCP port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Machine and runtime description for the header of every report. */
export function environment(): Record<string, string | number> {
  const cpu = cpus()[0];
  return {
    bun: Bun.version,
    revision: Bun.revision.slice(0, 9),
    cpu: cpu ? cpu.model : "unknown",
    cores: cpus().length,
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/** Prints the environment line. */
export function printEnvironment(title: string): void {
  const env = environment();
  console.log(`${title}\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join("  ")}`);
}

/** Prints `data` as one JSON document when `BENCH_JSON=1`. */
export function emitJson(data: unknown): void {
  if (jsonMode) console.log(JSON.stringify({ environment: environment(), ...(data as object) }, null, 2));
}

/** Length of the fixed-size keys used by the memory benchmarks ("key:" + 12 digits). */
export const FIXED_KEY_BYTES = 16;
/** Length of the fixed-size values used by the memory benchmarks ("val:" + 28 digits). */
export const FIXED_VALUE_BYTES = 32;

/** Writes `prefix` then `n` as zero-padded decimal, `width` bytes in all, at `buf[off]`. */
function writePadded(buf: Uint8Array, off: number, prefix: string, n: number, width: number): void {
  for (let i = 0; i < prefix.length; i++) buf[off + i] = prefix.charCodeAt(i);
  let v = n;
  for (let i = width - 1; i >= prefix.length; i--) {
    buf[off + i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** The 16-byte key number `i` ("key:000000000042"), written at `buf[off]`. */
export function writeFixedKey(buf: Uint8Array, off: number, i: number): void {
  writePadded(buf, off, "key:", i, FIXED_KEY_BYTES);
}

/** The 32-byte value number `i` ("val:0000…0042"), written at `buf[off]`. */
export function writeFixedValue(buf: Uint8Array, off: number, i: number): void {
  writePadded(buf, off, "val:", i, FIXED_VALUE_BYTES);
}
