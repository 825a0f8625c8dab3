// Hit-ratio simulation (not timed): each cache replays a key trace; a miss is followed by a set.
// Traces: Zipf(0.99), and the same Zipf stream polluted by periodic long sequential scans of keys
// that never repeat. Capacity is 10 % of the distinct keys of the Zipf stream (the reusable
// working set; scan keys are one-shot and are not counted).
import { LRUCache } from "lru-cache";
import { Cache } from "../src/index.ts";
import { distinctCount, zipfTrace } from "./runner.ts";

/** One replayable trace: ids below `universe` are Zipf keys, ids at or above it are scan keys. */
export interface Trace {
  name: string;
  ids: Uint32Array;
  universe: number;
  capacity: number;
  distinct: number;
}

/** A cache under test, reduced to "get, and set on a miss". */
interface Subject {
  name: string;
  make(capacity: number): { get(key: string): unknown; set(key: string, value: string): unknown; close?(): void };
}

const SUBJECTS: Subject[] = [
  { name: "fast-cache (s3fifo, default)", make: (cap) => new Cache({ maxEntries: cap }) },
  { name: "fast-cache (lru)", make: (cap) => new Cache({ maxEntries: cap, eviction: "lru" }) },
  { name: "lru-cache", make: (cap) => new LRUCache<string, string>({ max: cap }) },
];

/** The Zipf trace and its scan-polluted variant. */
export function buildTraces(quick: boolean): Trace[] {
  const universe = 100_000;
  const length = quick ? 400_000 : 1_000_000;
  const zipf = zipfTrace(universe, length, 0.99, 7);
  const distinct = distinctCount(zipf);
  const capacity = Math.round(distinct * 0.1);
  // Every `period` Zipf accesses, a sequential scan of `scanLength` fresh keys (2× the capacity).
  const period = 50_000;
  const scanLength = capacity * 2;
  const scans = Math.floor(length / period);
  const polluted = new Uint32Array(length + scans * scanLength);
  let next = universe;
  let o = 0;
  for (let i = 0; i < length; i++) {
    polluted[o++] = zipf[i] ?? 0;
    if ((i + 1) % period === 0) for (let j = 0; j < scanLength; j++) polluted[o++] = next++;
  }
  return [
    { name: `Zipf(0.99), ${length / 1000}k requests`, ids: zipf, universe, capacity, distinct },
    { name: `Zipf(0.99) + scans of ${scanLength / 1000}k one-shot keys every ${period / 1000}k`, ids: polluted, universe, capacity, distinct },
  ];
}

export interface HitRatioRow {
  trace: string;
  cache: string;
  capacity: number;
  requests: number;
  hitRatio: number;
  /** Hit ratio counting only requests for Zipf keys (scan requests can never hit). */
  zipfHitRatio: number;
}

/** Replays every trace through every cache. */
export function runHitRatios(traces: Trace[]): HitRatioRow[] {
  const rows: HitRatioRow[] = [];
  for (const t of traces) {
    const names: string[] = [];
    for (let i = 0; i < t.universe; i++) names.push(`key:${i}`);
    for (const s of SUBJECTS) {
      const c = s.make(t.capacity);
      let hits = 0;
      let zipfHits = 0;
      let zipfRequests = 0;
      for (let i = 0; i < t.ids.length; i++) {
        const id = t.ids[i] ?? 0;
        const isZipf = id < t.universe;
        const key = isZipf ? (names[id] ?? "") : `scan:${id}`;
        if (isZipf) zipfRequests++;
        if (c.get(key) !== undefined) {
          hits++;
          if (isZipf) zipfHits++;
        } else {
          c.set(key, "v");
        }
      }
      c.close?.();
      rows.push({
        trace: t.name, cache: s.name, capacity: t.capacity, requests: t.ids.length,
        hitRatio: hits / t.ids.length, zipfHitRatio: zipfHits / zipfRequests,
      });
    }
  }
  return rows;
}
