import { describe, expect, test } from "bun:test";
import { GarbagePacer, garbagePacer, garbageThreshold, rssSlack } from "../../src/engine/garbage-pacer.ts";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { setAdd } from "../../src/engine/set/set-type.ts";

const MiB = 1024 * 1024;

/** A pacer with a fake collector, RSS and scheduler: `flush()` runs what was deferred. */
function fake(rss = 100 * MiB) {
  const state = { collected: 0, rss, deferred: [] as (() => void)[] };
  const pacer = new GarbagePacer(() => void state.collected++, () => state.rss, (f) => void state.deferred.push(f));
  const flush = (): void => {
    for (const f of state.deferred.splice(0)) f();
  };
  return { pacer, state, flush };
}

describe("garbage pacer", () => {
  test("thresholds: an eighth of maxmemory within 4-64 MiB; RSS slack a quarter, at least 16 MiB", () => {
    expect(garbageThreshold(8 * MiB)).toBe(4 * MiB);
    expect(garbageThreshold(64 * MiB)).toBe(8 * MiB);
    expect(garbageThreshold(4096 * MiB)).toBe(64 * MiB);
    expect(rssSlack(32 * MiB)).toBe(16 * MiB);
    expect(rssSlack(500 * MiB)).toBe(125 * MiB);
  });

  test("without a memory limit nothing is ever collected", () => {
    const { pacer, state, flush } = fake();
    for (let i = 0; i < 1000; i++) pacer.noteGarbage(MiB, 0);
    pacer.checkRss(0);
    state.rss *= 10;
    pacer.checkRss(0);
    flush();
    expect(state.collected).toBe(0);
  });

  test("released bytes reaching the threshold schedule one collection after the batch, then count again", () => {
    const { pacer, state, flush } = fake();
    const max = 64 * MiB; // threshold 8 MiB
    for (let i = 0; i < 7; i++) pacer.noteGarbage(MiB, max);
    expect(state.deferred.length).toBe(0);
    for (let i = 0; i < 20; i++) pacer.noteGarbage(MiB, max); // past it: scheduled once, not per note
    expect(state.deferred.length).toBe(1);
    expect(state.collected).toBe(0); // never inside the batch
    flush();
    expect(state.collected).toBe(1);
    expect(pacer.collections).toBe(1);
    pacer.noteGarbage(7 * MiB, max); // counting restarted at the collection
    expect(state.deferred.length).toBe(0);
    pacer.noteGarbage(MiB, max);
    flush();
    expect(state.collected).toBe(2);
  });

  test("the cron check collects when RSS grew past the slack since the last collection", () => {
    const { pacer, state } = fake(100 * MiB);
    const max = 64 * MiB; // slack 16 MiB
    pacer.checkRss(max); // first look: the baseline
    state.rss = 115 * MiB;
    pacer.checkRss(max);
    expect(state.collected).toBe(0);
    state.rss = 120 * MiB;
    pacer.checkRss(max);
    expect(state.collected).toBe(1);
    pacer.checkRss(max); // the baseline is now RSS after that collection (120 MiB)
    expect(state.collected).toBe(1);
    state.rss = 137 * MiB;
    pacer.checkRss(max);
    expect(state.collected).toBe(2);
  });

  test("a keyspace under maxmemory reports the collections it evicts, and the process pacer collects after the batch", async () => {
    const ks = new Keyspace({ maxMemory: 8 * MiB, policy: "lru" });
    ks.countAllocatedMemory(() => 0);
    const enc = new TextEncoder();
    const before = garbagePacer.collections;
    for (let k = 0; k < 6000; k++) {
      const members: Uint8Array[] = [];
      for (let j = 0; j < 100; j++) members.push(enc.encode(`member-${k}-${j}`.padEnd(16, ".")));
      const key = enc.encode(`set:${k}`);
      expect(setAdd(ks, key, ks.peek(key), members)).toBe(100);
    }
    expect(ks.usedMemory()).toBeLessThanOrEqual(8 * MiB);
    expect(ks.stats().evictions).toBeGreaterThan(3000);
    expect(garbagePacer.collections).toBe(before); // deferred: not inside the writes
    await Promise.resolve();
    expect(garbagePacer.collections).toBe(before + 1);
  });
});
