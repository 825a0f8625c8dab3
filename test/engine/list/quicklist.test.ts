// Model test of the quicklist's in-place end operations: pushes and pops at both ends write into
// the end nodes' spare capacity; the result must equal a JS array, serialize to the same packed
// bytes as a rebuild, write ranges straight from node bytes, stay independent of its clones, and account the bytes it holds.
import { expect, test } from "bun:test";
import { packedElements } from "../../../src/engine/compound/packed.ts";
import { Quicklist } from "../../../src/engine/list/quicklist.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function contents(q: Quicklist): string[] {
  return q.toArray().map((e) => dec.decode(e));
}

for (const [nodeBytes, nodeEntries] of [[256, Infinity], [Infinity, 7], [4096, Infinity]] as const) {
  test(`random end pushes and pops match a JS array (node ${nodeBytes} bytes, ${nodeEntries} entries)`, () => {
    const next = rng(nodeBytes === Infinity ? 7 : nodeBytes);
    const q = new Quicklist(nodeBytes, nodeEntries);
    const model: string[] = [];
    let snapshot: { clone: Quicklist; items: string[] } | undefined;
    for (let i = 0; i < 20_000; i++) {
      const r = next();
      // Element sizes cross the 1-byte/4-byte length prefix boundary (128).
      const e = `e${i}:` + "x".repeat(next() < 0.1 ? 130 + Math.floor(next() * 40) : Math.floor(next() * 12));
      if (r < 0.3) { q.pushLeft(enc.encode(e)); model.unshift(e); }
      else if (r < 0.6) { q.pushRight(enc.encode(e)); model.push(e); }
      else if (r < 0.65) { const els = [e, e + "b", e + "c"]; q.pushAllRight(els.map((x) => enc.encode(x))); model.push(...els); }
      else if (r < 0.82) { const v = q.popLeft(); expect(v === undefined ? undefined : dec.decode(v)).toBe(model.shift()); }
      else { const v = q.popRight(); expect(v === undefined ? undefined : dec.decode(v)).toBe(model.pop()); }
      expect(q.length).toBe(model.length);
      if (i % 2500 === 0) {
        expect(contents(q)).toEqual(model);
        expect(packedElements(q.serialize()).map((x) => dec.decode(x))).toEqual(model);
        if (model.length > 0) {
          const k = Math.floor(next() * model.length);
          expect(dec.decode(q.at(k))).toBe(model[k]!);
          const stop = Math.min(model.length - 1, k + Math.floor(next() * 700));
          const written: string[] = [];
          q.writeRange(k, stop, { bulkFrom: (src, off, n) => written.push(dec.decode(src.subarray(off, off + n))) });
          expect(written).toEqual(model.slice(k, stop + 1));
        }
        if (snapshot !== undefined) expect(contents(snapshot.clone)).toEqual(snapshot.items);
        snapshot = { clone: q.clone(), items: model.slice() };
      }
    }
    expect(contents(q)).toEqual(model);
    let held = 0;
    for (const n of q.nodes) {
      held += n.buffer.byteLength;
      if (Number.isFinite(nodeBytes)) expect(n.length).toBeLessThanOrEqual(nodeBytes);
      else expect(packedElements(n).length).toBeLessThanOrEqual(nodeEntries);
    }
    expect(q.bytes()).toBe(held + q.nodes.length * 48 + 64);
  });
}

test("a list built by single pushes holds about its own bytes (interior nodes give spare capacity back)", () => {
  const q = new Quicklist(8192, Infinity);
  const e = enc.encode("0123456789abcdef");
  for (let i = 0; i < 100_000; i++) {
    if (i % 2 === 0) q.pushRight(e);
    else q.pushLeft(e);
  }
  let used = 0;
  for (const n of q.nodes) used += n.length;
  expect(used).toBeGreaterThanOrEqual(100_000 * 17);
  // Only the two end nodes may keep spare room (at most one node size each).
  expect(q.bytes() - (q.nodes.length * 48 + 64)).toBeLessThan(used * 1.02 + 2 * 8192);
});

test("an element bigger than a node gets a node of its own size, with no spare room", () => {
  const q = new Quicklist(8192, Infinity);
  const big = new Uint8Array(20_000).fill(7);
  q.pushRight(enc.encode("a"));
  q.pushRight(big);
  q.pushLeft(big);
  expect(q.length).toBe(3);
  expect(q.nodes.length).toBe(3);
  expect(q.nodes[0]!.buffer.byteLength).toBe(q.nodes[0]!.length);
  expect(q.nodes[2]!.buffer.byteLength).toBe(q.nodes[2]!.length);
  expect(q.popRight()).toEqual(big);
  expect(dec.decode(q.popRight()!)).toBe("a");
  expect(q.popLeft()).toEqual(big);
  expect(q.length).toBe(0);
});
