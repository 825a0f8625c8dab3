// Model test of the sorted set type against a plain JS model (a Map of scores, sorted on demand):
// random puts, removes and score moves across the listpack → skiplist conversion; ranks, score
// ranges and walks compared at every step; every recorded mutation replayed into a second
// keyspace must reproduce the zset; the packed (serialized) form loads back to the same entries.
import { describe, expect, test } from "bun:test";
import "../../../src/engine/compound/all-types.ts";
import { applyDelta, copyValue, encodingOf, restoreValue } from "../../../src/engine/compound/codecs.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { MutationOp, ValueType, type MutationRecord } from "../../../src/engine/types.ts";
import { ZSetLarge } from "../../../src/engine/zset/zset-large.ts";
import { readScore, scoreBytes } from "../../../src/engine/zset/zset-packed.ts";
import { compareBytes } from "../../../src/engine/zset/zset-score.ts";
import {
  zsetCard, zsetCountBeforeScore, zsetEntries, zsetPut, zsetRank, zsetRemove, zsetReplace, zsetScore, zsetWalk,
} from "../../../src/engine/zset/zset-type.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const KEY = b("z");

function pair(): { ks: Keyspace; replica: Keyspace } {
  const replica = new Keyspace({});
  const ks = new Keyspace({
    onMutation: (m: MutationRecord) => {
      const key = m.key.slice();
      const value = m.value.slice();
      if (m.op === MutationOp.Delete) replica.delete(key);
      else if (m.op === MutationOp.Delta) applyDelta(replica, m.type, key, value);
      else if (m.op === MutationOp.Set) restoreValue(replica, key, m.type, value, m.expireAt);
    },
  });
  return { ks, replica };
}

type Entry = [string, number];
const sorted = (model: Map<string, number>): Entry[] =>
  [...model].sort((x, y) => (x[1] !== y[1] ? x[1] - y[1] : compareBytes(b(x[0]), b(y[0]))));

function entriesOf(ks: Keyspace): Entry[] {
  const slot = ks.peek(KEY);
  if (slot < 0) return [];
  const { members, scores } = zsetEntries(ks, slot);
  return members.map((m, i) => [dec.decode(m), scores[i]!]);
}

function rng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

describe("the sorted set type against a JS model", () => {
  test("random puts, removes and moves across the conversion, replayed exactly", () => {
    const { ks, replica } = pair();
    const model = new Map<string, number>();
    const rnd = rng(11);
    let converted = false;
    for (let step = 0; step < 3000; step++) {
      const slot = ks.peek(KEY);
      const op = rnd(10);
      const member = (): string => `m${rnd(step < 1000 ? 150 : 600)}`;
      if (op < 6) {
        const ms = [member(), member(), member()];
        const ss = ms.map(() => (rnd(5) === 0 ? rnd(3) : rnd(1000) / 7 - 50));
        const expected = new Set(ms.filter((m) => !model.has(m))).size;
        ms.forEach((m, i) => model.set(m, ss[i]!));
        expect(zsetPut(ks, KEY, slot, ms.map(b), ss)).toBe(expected);
      } else if (slot >= 0) {
        const m = member();
        expect(zsetRemove(ks, KEY, slot, [b(m)])).toBe(model.delete(m) ? 1 : 0);
      }
      const s = ks.peek(KEY);
      if (s >= 0 && encodingOf(ks, s) === "skiplist") converted = true;
      if (step % 97 === 0 || step === 2999) {
        const want = sorted(model);
        expect(entriesOf(ks)).toEqual(want);
        expect(entriesOf(replica)).toEqual(want);
        if (s >= 0) {
          expect(zsetCard(ks, s)).toBe(want.length);
          for (let k = 0; k < 5; k++) {
            const r = rnd(want.length);
            expect(zsetRank(ks, s, b(want[r]![0]))).toBe(r);
            expect(zsetScore(ks, s, b(want[r]![0]))).toBe(want[r]![1]);
            const min = rnd(1000) / 7 - 50;
            expect(zsetCountBeforeScore(ks, s, (x) => x < min)).toBe(want.filter((e) => e[1] < min).length);
          }
          const from = rnd(want.length);
          const back: string[] = [];
          zsetWalk(ks, s, from, true, (m) => void back.push(dec.decode(m)));
          expect(back).toEqual(want.slice(0, from + 1).reverse().map((e) => e[0]));
        }
      }
    }
    expect(converted).toBe(true);
  });

  test("a put naming a member twice counts it once and keeps its last score (short and long lists)", () => {
    const ks = new Keyspace({});
    for (const n of [3, 20, 200]) {
      const key = b(`d${n}`);
      const members = Array.from({ length: n }, (_, i) => b(`m${i}`));
      members.push(b("m0"));
      const scores = members.map((_, i) => i);
      expect(zsetPut(ks, key, -1, members, scores)).toBe(n);
      expect(zsetScore(ks, ks.peek(key), b("m0"))).toBe(n);
      expect(zsetCard(ks, ks.peek(key))).toBe(n);
    }
  });

  test("a put that changes no score writes and journals nothing (listpack and skiplist)", () => {
    let deltas = 0;
    const ks = new Keyspace({ onMutation: (m) => void (m.op === MutationOp.Delta && deltas++) });
    for (const n of [5, 300]) {
      const key = b(`u${n}`);
      const members = Array.from({ length: n }, (_, i) => b(`m${i}`));
      zsetPut(ks, key, -1, members, members.map((_, i) => i));
      const before = deltas;
      expect(zsetPut(ks, key, ks.peek(key), [b("m1"), b("m2")], [1, 2])).toBe(0);
      expect(deltas).toBe(before);
      expect(zsetPut(ks, key, ks.peek(key), [b("m1"), b("m2")], [1, 7])).toBe(0);
      expect(deltas).toBe(before + 1);
    }
  });

  test("a STORE of a large result keeps -0 (skiplist) and replays exactly", () => {
    const { ks, replica } = pair();
    const members = Array.from({ length: 200 }, (_, i) => b(`m${i}`));
    const scores = members.map((_, i) => (i === 0 ? -0 : i));
    expect(zsetReplace(ks, KEY, members, scores)).toBe(200);
    expect(Object.is(zsetScore(ks, ks.peek(KEY), b("m0")), -0)).toBe(true);
    expect(Object.is(zsetScore(replica, replica.peek(KEY), b("m0")), -0)).toBe(true);
    expect(encodingOf(replica, replica.peek(KEY))).toBe("skiplist");
    expect(zsetReplace(ks, KEY, members.slice(0, 3), scores.slice(0, 3))).toBe(3);
    expect(Object.is(zsetScore(replica, replica.peek(KEY), b("m0")), 0)).toBe(true);
    expect(entriesOf(replica)).toEqual(entriesOf(ks));
  });

  test("conversion thresholds: 128 members and 64-byte members stay a listpack, one more converts", () => {
    const ks = new Keyspace({});
    const members = Array.from({ length: 128 }, (_, i) => b(`m${i}`));
    zsetPut(ks, KEY, -1, members, members.map((_, i) => i));
    expect(encodingOf(ks, ks.peek(KEY))).toBe("listpack");
    zsetPut(ks, KEY, ks.peek(KEY), [b("x".repeat(64))], [1]);
    expect(encodingOf(ks, ks.peek(KEY))).toBe("skiplist");
    const k2 = b("z2");
    zsetPut(ks, k2, -1, [b("y".repeat(65))], [1]);
    expect(encodingOf(ks, ks.peek(k2))).toBe("skiplist");
    // Serialized and loaded back into the small encoding when it fits again (as a STORE would).
    const k3 = b("z3");
    zsetPut(ks, k3, -1, [b("a"), b("b")], [2, 1]);
    expect(copyValue(ks, ks.peek(k3), ks, b("z4"), 0)).toBe(0);
    expect(encodingOf(ks, ks.peek(b("z4")))).toBe("listpack");
  });

  test("serialize / load round trip of a large zset keeps order and scores", () => {
    const ks = new Keyspace({});
    const n = 5000;
    const rnd = rng(3);
    const members = Array.from({ length: n }, (_, i) => b(`member:${i}`));
    const scores = members.map(() => rnd(100));
    zsetPut(ks, KEY, -1, members, scores);
    const slot = ks.peek(KEY);
    const other = new Keyspace({});
    expect(restoreValue(other, KEY, ValueType.ZSet, ks.serializedValue(slot).slice(), 0)).toBe(0);
    expect(entriesOf(other)).toEqual(entriesOf(ks));
    expect(encodingOf(other, other.peek(KEY))).toBe("skiplist");
  });
});

describe("memory accounting", () => {
  test("a growing skiplist is recharged, so maxmemory evicts other keys to make room", () => {
    const ks = new Keyspace({ maxMemory: 2 * 1024 * 1024, policy: "lru" });
    for (let k = 0; k < 150; k++) {
      const key = b(`z${k}`);
      const members = Array.from({ length: 500 }, (_, i) => b(`member-${k}-${i}`));
      expect(zsetPut(ks, key, ks.peek(key), members, members.map((_, i) => i))).toBe(500);
      expect(ks.usedMemory()).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
    expect(ks.stats().evictions).toBeGreaterThan(0);
    const last = ks.peek(b("z149"));
    expect(zsetCard(ks, last)).toBe(500);
    expect(ks.entryBytes(last)).toBeGreaterThan(500 * 16);
  });
});

describe("score elements", () => {
  test("small integers take 0-3 bytes, exact float32s 4, the rest 8; all read back exactly", () => {
    const cases: [number, number][] = [[0, 0], [1, 1], [-1, 1], [127, 1], [-128, 1], [128, 2], [-32768, 2], [40000, 3], [-8388608, 3],
      [8388608, 4], [1.5, 4], [-0.25, 4], [Infinity, 4], [-Infinity, 4], [1.1, 8], [0.1, 8], [1e300, 8], [-0, 4], [2 ** 53, 4], [2 ** 53 + 2, 8]];
    for (const [x, len] of cases) {
      const bytes = scoreBytes(x).slice();
      expect([x, bytes.length]).toEqual([x, len]);
      expect(Object.is(readScore(bytes), x)).toBe(true);
    }
  });
});

describe("the large encoding", () => {
  test("one million members: ranks, order and walks", () => {
    const t = new ZSetLarge();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) t.set(b(`m${i}`), (i * 7919) % n);
    expect(t.size).toBe(n);
    expect(t.order.check()).toEqual([]);
    // score s belongs to the member i with i*7919 ≡ s (mod n): ranks are the scores.
    for (const i of [0, 1, 12345, 999_999]) expect(t.rankOf(b(`m${i}`))).toBe((i * 7919) % n);
    let prev = -1;
    let seen = 0;
    t.order.walk(500_000, false, (_s, score) => {
      expect(score).toBe(prev < 0 ? 500_000 : prev + 1);
      prev = score;
      return ++seen < 1000;
    });
    expect(t.countBeforeScore((s) => s < 250_000)).toBe(250_000);
  });

  test("churn reuses space: delete and re-add keeps bytes bounded and the order valid", () => {
    const t = new ZSetLarge();
    const n = 20_000;
    for (let i = 0; i < n; i++) t.set(b(`m${i}`), i);
    const rnd = rng(5);
    const after: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < n; i++) if (rnd(2) === 0) t.delete(b(`m${i}`));
      for (let i = 0; i < n; i++) t.set(b(`m${i}`), rnd(1000));
      after.push(t.bytes());
    }
    expect(t.size).toBe(n);
    expect(t.order.check()).toEqual([]);
    // Freed member slots, arena space and blocks are reused: later rounds do not grow.
    expect(after[5]!).toBeLessThan(after[1]! * 1.2);
  });
});
