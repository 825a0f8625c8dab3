// Child process of bench/embedded.ts: fills one store with N entries of 16-byte keys and 32-byte
// values (strings, as an application would pass them) and prints RSS before and after as JSON.
//   bun bench/rss-child.ts <fast-cache|lru-cache|map> [count]
// RSS is read after Bun.gc(true) and a short pause, so strings a store did not keep are gone.
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
    case "lru-cache":
      return new LRUCache<string, string>({ max: count });
    case "map":
      return new Map<string, string>();
    default:
      throw new Error(`unknown store ${impl}`);
  }
}

const scratch = Buffer.alloc(FIXED_KEY_BYTES + FIXED_VALUE_BYTES);
Bun.gc(true);
const before = process.memoryUsage().rss;
const store = makeStore();
for (let i = 0; i < count; i++) {
  writeFixedKey(scratch, 0, i);
  writeFixedValue(scratch, FIXED_KEY_BYTES, i);
  // latin1 decoding gives flat (non-rope) one-byte strings, like strings read from the network.
  store.set(scratch.toString("latin1", 0, FIXED_KEY_BYTES), scratch.toString("latin1", FIXED_KEY_BYTES));
}
// Collect the garbage strings, give the allocator's scavenger a moment to return freed pages
// to the OS, collect again, then read RSS. `store` stays reachable through the output below.
Bun.gc(true);
await Bun.sleep(500);
Bun.gc(true);
const after = process.memoryUsage().rss;
const engineBytes = store instanceof Cache ? store.stats().memoryBytes : null;
console.log(JSON.stringify({ impl, count, size: store.size, before, after, bytesPerKey: (after - before) / count, engineBytes }));
