// Model test of the list type: random pushes, pops and middle edits against a JS array, across
// the packed → quicklist conversion; serialize/load round trip; WAL Delta replay rebuilds the list.
import { expect, test } from "bun:test";
import "../../../src/engine/compound/all-types.ts";
import { applyDelta, encodingOf, restoreValue } from "../../../src/engine/compound/codecs.ts";
import { Keyspace } from "../../../src/engine/keyspace.ts";
import { listElements, listIndex, listLength, listPop, listPush, listReplace } from "../../../src/engine/list/list-type.ts";
import { MutationOp, ValueType, type MutationRecord } from "../../../src/engine/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEY = enc.encode("l");

interface Frame { op: number; type: number; key: Uint8Array; value: Uint8Array; expireAt: number }

function recorded(): { ks: Keyspace; frames: Frame[] } {
  const frames: Frame[] = [];
  const ks = new Keyspace({
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

const contents = (ks: Keyspace): string[] => {
  const slot = ks.peek(KEY);
  return slot < 0 ? [] : listElements(ks, slot).map((e) => dec.decode(e));
};

/** A small deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("random list operations match a JS array across the packed to quicklist conversion, and replay reproduces them", () => {
  const { ks, frames } = recorded();
  const model: string[] = [];
  const r = rng(42);
  let sawLarge = false;
  for (let step = 0; step < 6000; step++) {
    const slot = ks.peek(KEY);
    const x = r();
    if (x < 0.5 || model.length === 0) {
      const n = 1 + Math.floor(r() * 8);
      const els = Array.from({ length: n }, () => `e${Math.floor(r() * 1e6)}${"x".repeat(Math.floor(r() * 40))}`);
      const left = r() < 0.5;
      const len = listPush(ks, KEY, slot, els.map((e) => enc.encode(e)), left);
      if (left) model.unshift(...els.slice().reverse());
      else model.push(...els);
      expect(len).toBe(model.length);
    } else if (x < 0.85) {
      const count = 1 + Math.floor(r() * 5);
      const left = r() < 0.5;
      const got = listPop(ks, KEY, slot, count, left).map((e) => dec.decode(e));
      const want = left ? model.splice(0, count) : model.splice(Math.max(0, model.length - count)).reverse();
      expect(got).toEqual(want);
    } else if (x < 0.95) {
      const i = Math.floor(r() * model.length);
      expect(dec.decode(listIndex(ks, slot, i)!)).toBe(model[i]!);
      expect(dec.decode(listIndex(ks, slot, i - model.length)!)).toBe(model[i]!);
    } else {
      const i = Math.floor(r() * model.length);
      model.splice(i, 1);
      listReplace(ks, KEY, model.map((e) => enc.encode(e)));
    }
    const s = ks.peek(KEY);
    expect(s < 0 ? 0 : listLength(ks, s)).toBe(model.length);
    if (s >= 0 && ks.large(s) !== undefined) sawLarge = true;
    if (step % 500 === 0) expect(contents(ks)).toEqual(model);
  }
  expect(sawLarge).toBe(true);
  expect(contents(ks)).toEqual(model);
  expect(contents(replay(frames))).toEqual(model);
  const slot = ks.peek(KEY);
  if (slot >= 0) expect(encodingOf(ks, slot)).toBe("quicklist");
});

test("a list of a million 16-byte elements is a few thousand blocks, serializes and loads back", () => {
  const ks = new Keyspace({});
  const batch: Uint8Array[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    batch.push(enc.encode(String(i).padStart(16, "0")));
    if (batch.length === 1000) {
      listPush(ks, KEY, ks.peek(KEY), batch, false);
      batch.length = 0;
    }
  }
  const slot = ks.peek(KEY);
  expect(listLength(ks, slot)).toBe(1_000_000);
  const q = ks.large(slot) as unknown as { nodes: Uint8Array[] };
  expect(q.nodes.length).toBeGreaterThan(1000);
  expect(q.nodes.length).toBeLessThan(5000);
  expect(dec.decode(listIndex(ks, slot, 765_432)!)).toBe("0000000000765432");
  expect(ks.entryBytes(slot)).toBeLessThan(1_000_000 * 24);
  const packed = ks.serializedValue(slot).slice();
  const other = new Keyspace({});
  restoreValue(other, KEY, ValueType.List, packed, 0);
  const s2 = other.peek(KEY);
  expect(listLength(other, s2)).toBe(1_000_000);
  expect(dec.decode(listIndex(other, s2, -1)!)).toBe("0000000000999999");
  expect(dec.decode(listPop(other, KEY, s2, 1, true)[0]!)).toBe("0000000000000000");
});
