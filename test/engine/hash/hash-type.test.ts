// The hash type against a model (a JS Map) through random operations that cross the packed →
// hashtable conversion, plus serialize/load round trips and WAL Delta replay: a keyspace rebuilt
// from the recorded mutations equals the original.
import { describe, expect, test } from "bun:test";
import { applyDelta, copyValue, encodingOf, restoreValue } from "../../../src/engine/compound/codecs.ts";
import { hashDelete, hashEntries, hashGet, hashLength, hashSet } from "../../../src/engine/hash/hash-type.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { MutationOp, type MutationRecord } from "../../../src/engine/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);

function contents(ks: Keyspace, key: string): Map<string, string> {
  const slot = ks.peek(b(key));
  const m = new Map<string, string>();
  if (slot < 0) return m;
  for (const [f, v] of hashEntries(ks, slot)) m.set(dec.decode(f), dec.decode(v));
  return m;
}

/** Replays recorded mutations into a fresh keyspace, as recovery does. */
function replay(records: { op: number; type: number; key: Uint8Array; value: Uint8Array; expireAt: number }[]): Keyspace {
  const ks = new Keyspace();
  for (const r of records) {
    if (r.op === MutationOp.Set) restoreValue(ks, r.key, r.type as 0, r.value, r.expireAt);
    else if (r.op === MutationOp.Delete) ks.delete(r.key);
    else if (r.op === MutationOp.Delta) applyDelta(ks, r.type as 0, r.key, r.value);
  }
  return ks;
}

describe("hash type", () => {
  test("random HSET/HDEL across the conversion match a Map, and Delta replay rebuilds the same hash", () => {
    const records: { op: number; type: number; key: Uint8Array; value: Uint8Array; expireAt: number }[] = [];
    const ks = new Keyspace({ onMutation: (m: MutationRecord) => records.push({ ...m, key: m.key.slice(), value: m.value.slice() }) });
    const model = new Map<string, string>();
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const key = b("h");
    for (let step = 0; step < 6000; step++) {
      const f = `f${rnd(900)}`;
      const slot = ks.peek(key);
      if (rnd(3) > 0) {
        const v = rnd(20) === 0 ? "x".repeat(70 + rnd(10)) : `v${step}`;
        const added = hashSet(ks, key, slot, [b(f), b(v)]);
        expect(added).toBe(model.has(f) ? 0 : 1);
        model.set(f, v);
      } else if (slot >= 0) {
        expect(hashDelete(ks, key, slot, [b(f)])).toBe(model.delete(f) ? 1 : 0);
      }
      if (step % 500 === 0) {
        const s = ks.peek(key);
        expect(s < 0 ? 0 : hashLength(ks, s)).toBe(model.size);
      }
    }
    expect(contents(ks, "h")).toEqual(model);
    expect(encodingOf(ks, ks.peek(key))).toBe("hashtable");
    expect(contents(replay(records), "h")).toEqual(model);
    expect(ks.checkInvariants()).toEqual([]);
  });

  test("a packed hash converts past hash-max-listpack-value and keeps every field", () => {
    const ks = new Keyspace();
    hashSet(ks, b("h"), -1, [b("a"), b("1"), b("b"), b("2")]);
    expect(encodingOf(ks, ks.peek(b("h")))).toBe("listpack");
    hashSet(ks, b("h"), ks.peek(b("h")), [b("c"), b("y".repeat(65))]);
    expect(encodingOf(ks, ks.peek(b("h")))).toBe("hashtable");
    expect(contents(ks, "h")).toEqual(new Map([["a", "1"], ["b", "2"], ["c", "y".repeat(65)]]));
  });

  test("serialize and load round-trip a 100k-field hash, and COPY makes an independent copy", () => {
    const ks = new Keyspace();
    const pairs: Uint8Array[] = [];
    for (let i = 0; i < 100_000; i++) pairs.push(b(`field:${i}`), b(`value:${i}`));
    hashSet(ks, b("big"), -1, pairs);
    const slot = ks.peek(b("big"));
    expect(hashLength(ks, slot)).toBe(100_000);
    expect(copyValue(ks, slot, ks, b("copy"), 0)).toBe(0);
    const c = ks.peek(b("copy"));
    expect(hashLength(ks, c)).toBe(100_000);
    expect(dec.decode(hashGet(ks, b("copy"), c, b("field:99999"))!)).toBe("value:99999");
    hashDelete(ks, b("copy"), c, [b("field:1")]);
    expect(hashGet(ks, b("big"), ks.peek(b("big")), b("field:1"))).toBeDefined();
    // Memory is charged as the table grows, and given back with the key.
    const used = ks.stats().usedBytes;
    ks.delete(b("copy"));
    expect(ks.stats().usedBytes).toBeLessThan(used / 1.5);
    expect(ks.checkInvariants()).toEqual([]);
  });

  test("churn on a large hash reuses its space", () => {
    const ks = new Keyspace();
    const key = b("h");
    for (let round = 0; round < 20; round++) {
      const pairs: Uint8Array[] = [];
      for (let i = 0; i < 5000; i++) pairs.push(b(`r${round}:${i}`), b("v".repeat(30)));
      hashSet(ks, key, ks.peek(key), pairs);
      if (round > 0) {
        const old: Uint8Array[] = [];
        for (let i = 0; i < 5000; i++) old.push(b(`r${round - 1}:${i}`));
        hashDelete(ks, key, ks.peek(key), old);
      }
    }
    const slot = ks.peek(key);
    expect(hashLength(ks, slot)).toBe(5000);
    // 5,000 live fields of ~40 bytes: far below what 100,000 inserted fields would take.
    expect(ks.entryBytes(slot)).toBeLessThan(2_000_000); // 100,000 inserted fields would take over 4.5 MB
  });
});
