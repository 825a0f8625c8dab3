// Counting allocated memory (the server's maxmemory): 4x the limit written under each policy keeps
// the engine's allocated bytes plus external bytes under the limit, compaction at the limit keeps
// every surviving value intact, and external bytes (client buffers) take their share of the budget.
import { expect, test } from "bun:test";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { PAGE_BYTES } from "../../src/engine/arena.ts";
import { Status, type EvictionPolicy } from "../../src/engine/types.ts";
import { b, str } from "./keyspace-helpers.ts";

const MB = 1024 * 1024;
const LIMIT = 8 * MB;

const valueOf = (i: number): Uint8Array => b(`${i}:`.padEnd(200 + (i % 700), "v"));

for (const policy of ["s3fifo", "lru", "volatile-ttl"] as EvictionPolicy[]) {
  test(`${policy}: 4x the limit written, allocated bytes stay within one page of maxMemory, values intact`, () => {
    const ks = new Keyspace({ maxMemory: LIMIT, policy, now: () => 1000 });
    ks.countAllocatedMemory(() => 0);
    let written = 0;
    for (let i = 0; written < 4 * LIMIT; i++) {
      const v = valueOf(i);
      expect(ks.set(b(`k${i}`), v, policy === "volatile-ttl" ? 1_000_000 + i : 0)).toBe(Status.Ok);
      written += v.length;
      expect(ks.usedMemory()).toBeLessThanOrEqual(LIMIT + PAGE_BYTES);
    }
    expect(ks.memoryBytes()).toBe(ks.usedMemory());
    expect(ks.checkInvariants()).toEqual([]);
    expect(ks.stats().usedBytes).toBeGreaterThan(LIMIT / 2); // most of the budget holds data
    let checked = 0;
    ks.scan(0, 1_000_000, (slot) => {
      const key = str(ks.keyView(slot))!;
      expect(str(ks.valueView(slot))).toBe(str(valueOf(Number(key.slice(1)))));
      checked++;
    });
    expect(checked).toBe(ks.size);
  });
}

test("external bytes count toward the limit: more of them evicts more, and noeviction answers OutOfMemory", () => {
  let external = 0;
  const ks = new Keyspace({ maxMemory: LIMIT, policy: "lru" });
  ks.countAllocatedMemory(() => external);
  for (let i = 0; i < 20_000; i++) ks.set(b(`k${i}`), valueOf(i));
  const before = ks.size;
  external = 3 * MB;
  ks.set(b("one-more"), b("x"));
  expect(ks.size).toBeLessThan(before);
  expect(ks.usedMemory()).toBeLessThanOrEqual(LIMIT + PAGE_BYTES);
  expect(ks.externalMemory()).toBe(3 * MB);

  const full = new Keyspace({ maxMemory: LIMIT, policy: "noeviction" });
  full.countAllocatedMemory(() => 0);
  let st: Status = Status.Ok;
  for (let i = 0; st === Status.Ok; i++) st = full.set(b(`k${i}`), valueOf(i));
  expect(st).toBe(Status.OutOfMemory);
  expect(full.usedMemory()).toBeLessThanOrEqual(LIMIT + PAGE_BYTES);
});
