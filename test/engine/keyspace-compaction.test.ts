// Arena compaction under eviction: a small cache cycling through many pages moves its live records
// out of mostly dead pages (found through the slots' locations, not by walking every dead record),
// keeps every value intact and the allocated pages bounded.
import { expect, test } from "bun:test";
import { b, expectConsistent, keyspace, str } from "./keyspace-helpers.ts";

test("a small evicting keyspace compacts its pages and keeps every surviving value", () => {
  for (const policy of ["s3fifo", "lru"] as const) {
    const { ks } = keyspace({ maxEntries: 256, policy });
    const written = new Map<string, string>();
    // Hot keys read all the time stay resident, so the pages they were written to never empty
    // by themselves: only compaction can give those pages back.
    for (let h = 0; h < 32; h++) {
      ks.set(b(`hot:${h}`), b(`hot-value-${h}`));
      written.set(`hot:${h}`, `hot-value-${h}`);
    }
    for (let i = 0; i < 120_000; i++) {
      if (i % 4 === 0) ks.get(b(`hot:${(i >>> 2) % 32}`));
      const k = `key:${i % 3000}`;
      if (i % 20_000 === 0) for (let h = 0; h < 32; h++) ks.set(b(`hot:${h}`), b(`hot-value-${h}-${i}`)), written.set(`hot:${h}`, `hot-value-${h}-${i}`);
      const v = `value-${i}-${"x".repeat(i % 40)}`;
      ks.set(b(k), b(v));
      written.set(k, v);
      if (i % 5000 === 0) ks.sweepExpired(100); // the periodic tick compacts too
    }
    // ~7 MiB of records went through a 256-entry cache: old pages were compacted or released.
    expect(ks.memoryBytes()).toBeLessThan(6 * (1 << 20));
    let live = 0;
    for (const [k, v] of written) {
      const got = str(ks.get(b(k)));
      if (got !== undefined) {
        expect(got).toBe(v);
        live++;
      }
    }
    expect(live).toBe(ks.size);
    expect(ks.size).toBeLessThanOrEqual(256);
    expectConsistent(ks);
  }
});
