// Model test of the stream type: random XADD/XDEL/XTRIM/XRANGE against a sorted JS array, across
// node splits (stream-node-max-entries, stream-node-max-bytes); serialize/load keeps the nodes;
// WAL Delta replay rebuilds the entries, the IDs and the consumer groups exactly.
import { afterEach, expect, test } from "bun:test";
import "../../../src/engine/compound/all-types.ts";
import { applyDelta, encodingOf, restoreValue } from "../../../src/engine/compound/codecs.ts";
import { limits } from "../../../src/engine/compound/limits.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { consumerEnsure, groupAck, groupCreate, readGroupHistory, readGroupNew } from "../../../src/engine/stream/stream-group-ops.ts";
import { formatId, makeId, MAX_ID, type StreamId } from "../../../src/engine/stream/stream-id.ts";
import { nextAddId, streamAppend, streamCreate, streamDelete, streamOf, streamRange, streamSetId, streamTrim } from "../../../src/engine/stream/stream-type.ts";
import { MutationOp, ValueType, type MutationRecord } from "../../../src/engine/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEY = enc.encode("s");

interface Frame { op: number; type: number; key: Uint8Array; value: Uint8Array; expireAt: number }

function recorded(now = () => 1_700_000_000_000): { ks: Keyspace; frames: Frame[] } {
  const frames: Frame[] = [];
  const ks = new Keyspace({
    now,
    onMutation: (m: MutationRecord) => frames.push({ op: m.op, type: m.type, key: m.key.slice(), value: new Uint8Array(m.value), expireAt: m.expireAt }),
  });
  return { ks, frames };
}

function replay(frames: Frame[]): Keyspace {
  const ks = new Keyspace({});
  for (const f of frames) {
    if (f.op === MutationOp.Set) restoreValue(ks, f.key, f.type as ValueType, f.value, f.expireAt);
    else if (f.op === MutationOp.Delta) applyDelta(ks, f.type as ValueType, f.key, f.value);
    else if (f.op === MutationOp.Delete) ks.delete(f.key);
  }
  return ks;
}

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Entry = [string, string[]];
function entries(ks: Keyspace, start: StreamId = 0n, end: StreamId = MAX_ID, rev = false, count = 0): Entry[] {
  const slot = ks.peek(KEY);
  const out: Entry[] = [];
  if (slot >= 0) streamRange(ks, slot, start, end, rev, count, (id, fv) => out.push([formatId(id), fv.map((e) => dec.decode(e))]));
  return out;
}

/** The whole observable state of the stream (entries, IDs, counters, groups with PELs). */
function state(ks: Keyspace): unknown {
  const slot = ks.peek(KEY);
  if (slot < 0) return null;
  const s = streamOf(ks, slot);
  return {
    entries: entries(ks),
    lastId: formatId(s.lastId),
    maxDeletedId: formatId(s.maxDeletedId),
    entriesAdded: s.entriesAdded,
    nodes: s.log.nodeCount,
    groups: s.sortedGroups().map((g) => ({
      name: dec.decode(g.name),
      lastId: formatId(g.lastId),
      entriesRead: g.entriesRead,
      pel: g.pel.map((e) => [formatId(e.id), dec.decode(e.consumer.name), e.deliveryTime, e.deliveryCount]),
      consumers: g.sortedConsumers().map((c) => [dec.decode(c.name), c.seenTime, c.pending.length]),
    })),
  };
}

const saved = { ...limits };
afterEach(() => Object.assign(limits, saved));

test("random XADD/XDEL/XTRIM/XRANGE match a sorted array across node splits, and replay reproduces them", () => {
  for (const seed of [1, 2, 3]) {
    const r = rng(seed);
    limits["stream-node-max-entries"] = seed === 3 ? 0 : 1 + Math.floor(r() * 20);
    limits["stream-node-max-bytes"] = seed === 2 ? 200 : 4096;
    const { ks, frames } = recorded();
    const slot = streamCreate(ks, KEY);
    let model: Entry[] = [];
    let ms = 0;
    for (let step = 0; step < 3000; step++) {
      const p = r();
      if (p < 0.5) {
        ms += Math.floor(r() * 3);
        const id = nextAddId(streamOf(ks, slot), BigInt(ms), undefined, 0) as StreamId;
        const fv = r() < 0.5 ? ["f", String(step)] : ["f", String(step), `g${step % 3}`, "x".repeat(Math.floor(r() * 150))];
        streamAppend(ks, slot, id, fv.map((e) => enc.encode(e)));
        model.push([formatId(id), fv]);
      } else if (p < 0.65 && model.length > 0) {
        const victim = model[Math.floor(r() * model.length)]![0];
        const [m, q] = victim.split("-").map(BigInt) as [bigint, bigint];
        expect(streamDelete(ks, slot, [makeId(m, q), makeId(m, q + 100n)])).toBe(1);
        model = model.filter((e) => e[0] !== victim);
      } else if (p < 0.7) {
        const maxlen = Math.floor(r() * 40);
        const removed = streamTrim(ks, slot, { maxlen, minid: 0n, approx: false, limit: 0 });
        expect(removed).toBe(Math.max(0, model.length - maxlen));
        model = model.slice(model.length - Math.min(model.length, maxlen));
      } else if (p < 0.73) {
        const before = model.length;
        const removed = streamTrim(ks, slot, { maxlen: 5, minid: 0n, approx: true, limit: 0 });
        expect(before - removed).toBeGreaterThanOrEqual(Math.min(before, 5));
        model = model.slice(removed);
      } else if (p < 0.76) {
        const minid = makeId(BigInt(Math.floor(r() * (ms + 1))), 0n);
        const removed = streamTrim(ks, slot, { maxlen: -1, minid, approx: false, limit: 0 });
        const keep = model.filter((e) => idOf(e[0]) >= minid);
        expect(removed).toBe(model.length - keep.length);
        model = keep;
      } else {
        const a = makeId(BigInt(Math.floor(r() * (ms + 2))), BigInt(Math.floor(r() * 3)));
        const b = a + makeId(BigInt(Math.floor(r() * 30)), 0n);
        const rev = r() < 0.5;
        const count = Math.floor(r() * 5);
        let want = model.filter((e) => idOf(e[0]) >= a && idOf(e[0]) <= b);
        if (rev) want = want.reverse();
        if (count > 0) want = want.slice(0, count);
        expect(entries(ks, a, b, rev, count)).toEqual(want);
      }
      expect(streamOf(ks, slot).length).toBe(model.length);
    }
    expect(entries(ks)).toEqual(model);
    expect(entries(ks, 0n, MAX_ID, true)).toEqual([...model].reverse());
    if (limits["stream-node-max-entries"] > 0 && model.length > 100) expect(streamOf(ks, slot).log.nodeCount).toBeGreaterThan(1);
    expect(state(replay(frames))).toEqual(state(ks));
    // The charge follows the nodes: what the keyspace holds is what the value reports.
    expect(streamOf(ks, slot).charged).toBe(streamOf(ks, slot).bytes());
  }
});

const idOf = (s: string): StreamId => {
  const [m, q] = s.split("-").map(BigInt) as [bigint, bigint];
  return makeId(m, q);
};

test("nodes split at stream-node-max-entries (deleted entries count) and approximate trims drop whole nodes", () => {
  const { ks } = recorded();
  const slot = streamCreate(ks, KEY);
  const s = streamOf(ks, slot);
  for (let i = 1; i <= 250; i++) streamAppend(ks, slot, makeId(BigInt(i), 1n), [enc.encode("k"), enc.encode(String(i))]);
  expect(s.log.nodeCount).toBe(3);
  streamDelete(ks, slot, [makeId(250n, 1n)]);
  streamAppend(ks, slot, makeId(251n, 1n), [enc.encode("k"), enc.encode("v")]);
  expect(s.log.live).toEqual([100, 100, 50]);
  expect(streamTrim(ks, slot, { maxlen: 120, minid: 0n, approx: true, limit: 0 })).toBe(100);
  expect(streamTrim(ks, slot, { maxlen: 10, minid: 0n, approx: true, limit: 50 })).toBe(0);
  expect(streamTrim(ks, slot, { maxlen: 10, minid: 0n, approx: false, limit: 0 })).toBe(140);
  expect(entries(ks).map((e) => e[0])).toEqual(Array.from({ length: 10 }, (_v, i) => `${241 + i + (i === 9 ? 1 : 0)}-1`));
});

test("a million-entry stream costs a few dozen bytes an entry and serializes back to the same nodes", () => {
  const { ks } = recorded();
  const slot = streamCreate(ks, KEY);
  const f1 = enc.encode("field1");
  const f2 = enc.encode("field2");
  for (let i = 0; i < 1_000_000; i++) streamAppend(ks, slot, makeId(1_700_000_000_000n + BigInt(i >> 4), BigInt(i & 15)), [f1, enc.encode(String(i)), f2, enc.encode("value")]);
  const s = streamOf(ks, slot);
  expect(s.length).toBe(1_000_000);
  const perEntry = s.bytes() / s.length;
  expect(perEntry).toBeLessThan(30);
  const copy = new Keyspace({});
  restoreValue(copy, KEY, ValueType.Stream, s.serialize(), 0);
  const t = streamOf(copy, copy.peek(KEY));
  expect(t.log.nodeCount).toBe(s.log.nodeCount);
  expect(t.log.lpBytes).toEqual(s.log.lpBytes);
  expect(entries(copy, makeId(1_700_000_000_777n, 3n), MAX_ID, false, 3)).toEqual(entries(ks, makeId(1_700_000_000_777n, 3n), MAX_ID, false, 3));
  expect(encodingOf(copy, copy.peek(KEY))).toBe("stream");
});

test("consumer groups survive serialize/load and Delta replay: last IDs, entries-read, PELs, delivery times and counts", () => {
  let now = 1_700_000_000_000;
  const { ks, frames } = recorded(() => now);
  const slot = streamCreate(ks, KEY);
  for (let i = 1; i <= 8; i++) streamAppend(ks, slot, makeId(BigInt(i), 0n), [enc.encode("n"), enc.encode(String(i))]);
  const s = streamOf(ks, slot);
  expect(groupCreate(ks, slot, enc.encode("g"), 0n, -1)).toBe(true);
  expect(groupCreate(ks, slot, enc.encode("g"), 0n, -1)).toBe(false);
  const g = s.group(enc.encode("g"))!;
  const alice = consumerEnsure(ks, slot, g, enc.encode("alice"), now).consumer;
  const bob = consumerEnsure(ks, slot, g, enc.encode("bob"), now).consumer;
  const seen: string[] = [];
  expect(readGroupNew(ks, slot, g, alice, 3, false, now, (id) => seen.push(formatId(id)))).toBe(3);
  now += 500;
  expect(readGroupNew(ks, slot, g, bob, 2, false, now, (id) => seen.push(formatId(id)))).toBe(2);
  now += 500;
  expect(readGroupHistory(ks, slot, g, alice, 0n, 0, now, () => {})).toBe(3);
  expect(groupAck(ks, slot, g, [makeId(1n, 0n), makeId(99n, 0n)])).toBe(1);
  streamDelete(ks, slot, [makeId(7n, 0n)]);
  streamSetId(ks, slot, makeId(20n, 0n), 30, makeId(7n, 0n));
  expect(seen).toEqual(["1-0", "2-0", "3-0", "4-0", "5-0"]);
  expect(g.entriesRead).toBe(5);
  expect(g.pel.map((e) => [formatId(e.id), e.deliveryCount])).toEqual([["2-0", 2], ["3-0", 2], ["4-0", 1], ["5-0", 1]]);
  const copy = new Keyspace({});
  restoreValue(copy, KEY, ValueType.Stream, s.serialize(), 0);
  const direct = { ...(state(ks) as object) };
  expect(state(copy)).toEqual(direct);
  expect(state(replay(frames))).toEqual(direct);
});
