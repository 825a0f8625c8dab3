// Child process of bench/embedded.ts: fills one store with N entries of 16-byte keys and 32-byte
// values (strings, as an application would pass them) and prints RSS before and after as JSON.
//   bun bench/rss-child.ts <fast-cache|fast-cache-limited|lru-cache|map> [count]
// RSS is read after Bun.gc(true) and a short pause, so strings a store did not keep are gone.
// Every store is warmed up first (a throwaway fill), so fixed costs are not counted per key.
import { LRUCache } from "lru-cache";
import { Cache } from "../src/index.ts";
import { FIXED_KEY_BYTES, FIXED_VALUE_BYTES, writeFixedKey, writeFixedValue } from "./runner.ts";

const impl = process.argv[2] ?? "map";
const count = Number(process.argv[3] ?? 1_000_000);

interface Store {
  set(k: string, v: string): unknown;
  readonly size: number;
}

function makeStore(): Store {
  switch (impl) {
    case "fast-cache":
      return new Cache({ sweepIntervalMs: 0 });
    case "fast-cache-limited":
      // A memory limit that is never reached: the eviction bookkeeping (S3-FIFO queues) is kept.
      return new Cache({ sweepIntervalMs: 0, maxMemory: 1 << 30 });
    case "lru-cache":
      return new LRUCache<string, string>({ max: count });
    case "map":
      return new Map<string, string>();
    default:
      throw new Error(`unknown store ${impl}`);
  }
}

const scratch = Buffer.alloc(FIXED_KEY_BYTES + FIXED_VALUE_BYTES);
function fill(store: Store, n: number): void {
  for (let i = 0; i < n; i++) {
    writeFixedKey(scratch, 0, i);
    writeFixedValue(scratch, FIXED_KEY_BYTES, i);
    // latin1 decoding gives flat (non-rope) one-byte strings, like strings read from the network.
    store.set(scratch.toString("latin1", 0, FIXED_KEY_BYTES), scratch.toString("latin1", FIXED_KEY_BYTES));
  }
}
// Warm-up, the same for every store: fill and drop a throwaway store so that the JIT's compiled
// code and the runtime's one-time allocations are in `before`, not charged to the keys.
fill(makeStore(), 100_000);
Bun.gc(true);
await Bun.sleep(200);
Bun.gc(true);
const before = process.memoryUsage().rss;
const store = makeStore();
fill(store, count);
// Collect the garbage strings, give the allocator's scavenger a moment to return freed pages
// to the OS, collect again, then read RSS. `store` stays reachable through the output below.
Bun.gc(true);
await Bun.sleep(500);
Bun.gc(true);
const after = process.memoryUsage().rss;
const engineBytes = store instanceof Cache ? store.stats().memoryBytes : null;
console.log(JSON.stringify({ impl, count, size: store.size, before, after, bytesPerKey: (after - before) / count, engineBytes }));
