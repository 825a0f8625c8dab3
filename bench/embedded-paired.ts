// bench:embedded's main cases again, measured for a loaded machine: the subjects of a case run in
// alternating order, round after round, and each keeps its fastest round (the round least
// disturbed by other processes). mitata runs each case for a while and then the next, so a load
// that comes and goes lands on some subjects and not others; here every subject sees the same.
//
//   bun bench/embedded-paired.ts          (package script: bun run bench:embedded-paired)
//   BENCH_ROUNDS=15                        rounds per case (default 15)
//   BENCH_FILTER=<regex>                   only the cases whose name matches
// Each case runs in a fresh child process, so no case inherits the heap (and GC work) of another.
import { LRUCache } from "lru-cache";
import { Cache } from "../src/index.ts";
import { fmtNs, printEnvironment, printTable, zipfTrace } from "./runner.ts";

const TTL = 3_600_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const OPS = 200_000; // per round
const key = (prefix: string, i: number): string => `${prefix}${i.toString().padStart(12, "0")}`;
const VALUE = "v".repeat(32);
const hitKeys = Array.from({ length: 1 << 16 }, (_, i) => key("key:", i));
const evictKeys = Array.from({ length: 1 << 18 }, (_, i) => key("evk:", i));
const mixKeys = Array.from({ length: 1 << 17 }, (_, i) => key("mix:", i));
const MIX_LEN = 1 << 20;
const mixStream = Array.from(zipfTrace(1 << 17, MIX_LEN, 0.99, 11), (id) => mixKeys[id] ?? "");
const mixIsSet = new Uint8Array(MIX_LEN);
for (let i = 0, x = 12345; i < MIX_LEN; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  mixIsSet[i] = x % 10 === 0 ? 1 : 0;
}

interface Store { get(k: string): unknown; set(k: string, v: string): unknown }
type Maker = (max: number | undefined) => Store;
const SUBJECTS: [string, Maker][] = [
  ["fast-cache getString (ttl)", (max) => { const c = new Cache({ maxEntries: max, ttl: TTL, sweepIntervalMs: 0 }); return { get: (k) => c.getString(k), set: (k, v) => c.set(k, v) }; }],
  ["fast-cache get bytes (ttl)", (max) => { const c = new Cache({ maxEntries: max, ttl: TTL, sweepIntervalMs: 0 }); return { get: (k) => c.get(k), set: (k, v) => c.set(k, v) }; }],
  ["fast-cache getString", (max) => { const c = new Cache({ maxEntries: max, sweepIntervalMs: 0 }); return { get: (k) => c.getString(k), set: (k, v) => c.set(k, v) }; }],
  ["lru-cache", (max) => new LRUCache<string, string>({ max: max ?? 1 << 18 })],
];

interface Case { name: string; max?: number; fill: readonly string[]; keys: readonly string[]; mask: number; op: "get" | "set" | "mix" }
const CASES: Case[] = [
  { name: "get hit, 65,536 keys", fill: hitKeys, keys: hitKeys, mask: (1 << 16) - 1, op: "get" },
  { name: "get hit, 1,024 hot keys", fill: hitKeys, keys: hitKeys, mask: 1023, op: "get" },
  { name: "set overwrite", fill: hitKeys, keys: hitKeys, mask: (1 << 16) - 1, op: "set" },
  { name: "set evicting, cap 32,768", max: 1 << 15, fill: evictKeys.slice((1 << 18) - (1 << 15)), keys: evictKeys, mask: (1 << 18) - 1, op: "set" },
  { name: "set evicting, cap 1,024", max: 1024, fill: evictKeys.slice((1 << 13) - 1024, 1 << 13), keys: evictKeys, mask: (1 << 13) - 1, op: "set" },
  { name: "Zipf 90/10 mix, cap 32,768", max: 1 << 15, fill: [], keys: mixStream, mask: MIX_LEN - 1, op: "mix" },
];

// One generated loop per case and subject, so every call site in it sees one store (a shared
// loop calling many stores' methods would be megamorphic and measure the dispatch).
const LOOP = `return function (s, keys, mask, isSet, value, start, n) {
  let sink = 0;
  for (let i = start; i < start + n; i++) {
    const j = i & mask;
    const r = OP;
    if (r !== undefined) sink++;
  }
  return sink;
};`;
function loopFor(op: Case["op"]): (s: Store, keys: readonly string[], mask: number, isSet: Uint8Array, value: string, start: number, n: number) => number {
  const expr = op === "get" ? "s.get(keys[j])" : op === "set" ? "s.set(keys[j], value)" : "(isSet[j] === 1 ? s.set(keys[j], value) : s.get(keys[j]))";
  return new Function(LOOP.replace("OP", expr))();
}

const only = process.env.BENCH_CASE;
if (only === undefined) {
  printEnvironment("bench:embedded-paired");
  const filter = new RegExp(process.env.BENCH_FILTER ?? ".");
  const rows: string[][] = [];
  for (const c of CASES.filter((x) => filter.test(x.name))) {
    const proc = Bun.spawn([process.execPath, import.meta.path], { env: { ...process.env, BENCH_CASE: c.name }, stdout: "pipe", stderr: "inherit" });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    rows.push(JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as string[]);
  }
  printTable(`Fastest of ${ROUNDS} alternating rounds of ${OPS} operations (ratio to lru-cache)`, ["case", ...SUBJECTS.map(([n]) => n)], rows);
} else {
  const c = CASES.find((x) => x.name === only);
  if (c === undefined) throw new Error(`unknown case ${only}`);
  console.log(JSON.stringify(runCase(c)));
}

function runCase(c: Case): string[] {
  const runs = SUBJECTS.map(([name, make]) => {
    const s = make(c.max);
    for (const k of c.fill) s.set(k, VALUE);
    if (c.op === "mix") for (let j = 0; j < MIX_LEN; j++) if (s.get(mixStream[j]!) === undefined) s.set(mixStream[j]!, VALUE);
    const loop = loopFor(c.op);
    loop(s, c.keys, c.mask, mixIsSet, VALUE, 0, 50_000); // warm-up: compiled before it is timed
    return { name, s, loop, best: Infinity, pos: 50_000 };
  });
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? runs : [...runs].reverse();
    for (const x of order) {
      const t0 = Bun.nanoseconds();
      x.loop(x.s, c.keys, c.mask, mixIsSet, VALUE, x.pos, OPS);
      x.best = Math.min(x.best, (Bun.nanoseconds() - t0) / OPS);
      x.pos += OPS;
    }
  }
  const ref = runs.find((x) => x.name === "lru-cache")!.best;
  return [c.name, ...runs.map((x) => `${fmtNs(x.best)} (${(x.best / ref).toFixed(2)}×)`)];
}
