// The list type: every operation the LIST commands and the embedded Cache need, over two
// encodings (Redis's t_list.c): packed (the key's arena record, while it fits one node of
// list-max-listpack-size) and large (a Quicklist of packed nodes). OBJECT ENCODING answers
// "quicklist" for both, as Redis 7.0.15 does. Every change is recorded as a Delta (ListOp).

import { recordDelta, registerCodec } from "../compound/codecs.ts";
import { limits, listNodeBytes } from "../compound/limits.ts";
import { elemBytes, elemNext, elemView, type ElementSink, PACKED_HEADER, packedCount, packedElements, PackedTag, PackedWriter, packedWriteElements } from "../compound/packed.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType, type Milliseconds } from "../types.ts";
import { Quicklist } from "./quicklist.ts";

/** Delta operation codes of lists (the tag byte of a Delta payload). */
export const ListOp = {
  /** elements pushed at the head, in push order */
  PushLeft: 1,
  /** elements pushed at the tail */
  PushRight: 2,
  /** one element: the decimal count popped from the head */
  PopLeft: 3,
  /** one element: the decimal count popped from the tail */
  PopRight: 4,
  /** the whole list after a change in the middle (LSET, LINSERT, LREM, LTRIM) */
  Replace: 5,
} as const;

const EMPTY = new Uint8Array(0);
const writer = new PackedWriter();
const KEEP = SetFlag.QUIET | SetFlag.KEEPTTL;
const enc = new TextEncoder();
/** A copy (arena pages may be Buffers, whose slice() is a view). */
const copyOf = (v: Uint8Array): Uint8Array => new Uint8Array(v);

const nodeBytes = (): number => listNodeBytes(limits["list-max-listpack-size"]);
const nodeEntries = (): number => {
  const s = limits["list-max-listpack-size"];
  return s > 0 ? s : Infinity;
};

function listOf(ks: Keyspace, slot: number): Quicklist | undefined {
  return ks.large(slot) as Quicklist | undefined;
}

export function listLength(ks: Keyspace, slot: number): number {
  const q = listOf(ks, slot);
  return q !== undefined ? q.length : packedCount(ks.valueView(slot));
}

/** Elements [start, stop] (normalized, in range) as copies. */
export function listRange(ks: Keyspace, slot: number, start: number, stop: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (start > stop) return out;
  const q = listOf(ks, slot);
  if (q !== undefined) {
    q.forRange(start, stop, (e) => out.push(copyOf(e)));
    return out;
  }
  const buf = ks.valueView(slot);
  let p = PACKED_HEADER;
  for (let i = 0; i <= stop; i++) {
    if (i >= start) out.push(copyOf(elemView(buf, p)));
    p = elemNext(buf, p);
  }
  return out;
}

/** Writes elements [start, stop] (normalized, in range) to `sink` without copying them first. */
export function listWriteRange(ks: Keyspace, slot: number, start: number, stop: number, sink: ElementSink): void {
  if (start > stop) return;
  const q = listOf(ks, slot);
  if (q !== undefined) return q.writeRange(start, stop, sink);
  const buf = ks.valueView(slot);
  let p = PACKED_HEADER;
  for (let i = 0; i < start; i++) p = elemNext(buf, p);
  packedWriteElements(buf, p, stop - start + 1, sink);
}

/** Every element (copies). */
export function listElements(ks: Keyspace, slot: number): Uint8Array[] {
  const n = listLength(ks, slot);
  return listRange(ks, slot, 0, n - 1);
}

/** Element `index` (negative from the tail) as a copy, or undefined. */
export function listIndex(ks: Keyspace, slot: number, index: number): Uint8Array | undefined {
  const n = listLength(ks, slot);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return undefined;
  const q = listOf(ks, slot);
  return q !== undefined ? copyOf(q.at(index)) : listRange(ks, slot, index, index)[0];
}

/** Stores `els` as the whole list of `key` (an empty array deletes it). Keeps the TTL. */
function storeAll(ks: Keyspace, key: Uint8Array, els: readonly Uint8Array[], expireAt: Milliseconds | -1): Status {
  if (els.length === 0) {
    ks.delete(key);
    return Status.Ok;
  }
  let size = PACKED_HEADER;
  for (const e of els) size += elemBytes(e.length);
  const flags = expireAt === -1 ? KEEP : SetFlag.QUIET;
  const at = expireAt === -1 ? 0 : expireAt;
  if (size <= nodeBytes() && els.length <= nodeEntries()) {
    const w = writer.begin(PackedTag.List, size);
    for (const e of els) w.push(e);
    return ks.set(key, w.finish(), at, flags, ValueType.List);
  }
  const q = new Quicklist(nodeBytes(), nodeEntries());
  q.pushAllRight(els);
  const st = ks.set(key, EMPTY, at, flags, ValueType.List);
  if (st !== Status.Ok) return st;
  ks.attachLarge(ks.peek(key), q);
  return Status.Ok;
}

/**
 * LPUSH / RPUSH: pushes `els` (in order) at the head (`left`) or tail; creates the key when `slot`
 * is -1. Returns the new length, or a negative Status when the write does not fit.
 */
export function listPush(ks: Keyspace, key: Uint8Array, slot: number, els: readonly Uint8Array[], left: boolean): number {
  let q = slot >= 0 ? listOf(ks, slot) : undefined;
  if (q === undefined) {
    const have = slot >= 0 ? packedCount(ks.valueView(slot)) : 0;
    let size = slot >= 0 ? ks.valueView(slot).length : PACKED_HEADER;
    for (const e of els) size += elemBytes(e.length);
    if (size <= nodeBytes() && have + els.length <= nodeEntries()) {
      const buf = slot >= 0 ? ks.valueView(slot) : EMPTY;
      const w = writer.begin(PackedTag.List, size);
      if (left) for (let i = els.length - 1; i >= 0; i--) w.push(els[i]!);
      if (have > 0) w.copy(buf, PACKED_HEADER, buf.length, have);
      if (!left) for (const e of els) w.push(e);
      const st = ks.set(key, w.finish(), 0, slot >= 0 ? KEEP : SetFlag.QUIET, ValueType.List);
      if (st !== Status.Ok) return -st;
      const s = ks.peek(key);
      recordDelta(ks, s, left ? ListOp.PushLeft : ListOp.PushRight, els);
      return have + els.length;
    }
    const old = slot >= 0 ? packedElements(ks.valueView(slot)).map(copyOf) : [];
    const st = storeAll(ks, key, old, slot >= 0 ? -1 : 0);
    if (st !== Status.Ok) return -st;
    slot = ks.peek(key);
    q = listOf(ks, slot);
    if (q === undefined) {
      // Still packed (an empty list promoted): attach an empty quicklist.
      q = new Quicklist(nodeBytes(), nodeEntries());
      for (const e of old) q.pushRight(e);
      ks.set(key, EMPTY, 0, KEEP, ValueType.List);
      slot = ks.peek(key);
      ks.attachLarge(slot, q);
    }
  }
  if (left) for (const e of els) q.pushLeft(e);
  else q.pushAllRight(els);
  ks.recharge(slot);
  recordDelta(ks, slot, left ? ListOp.PushLeft : ListOp.PushRight, els);
  return q.length;
}

/** LPOP / RPOP: removes up to `count` elements from one end and returns them (copies). */
export function listPop(ks: Keyspace, key: Uint8Array, slot: number, count: number, left: boolean): Uint8Array[] {
  const q = listOf(ks, slot);
  const n = listLength(ks, slot);
  const take = Math.min(count, n);
  let out: Uint8Array[];
  if (take >= n) {
    const all = listElements(ks, slot);
    ks.delete(key); // recorded as a delete
    return left ? all : all.reverse();
  }
  if (q !== undefined) {
    out = new Array(take);
    for (let i = 0; i < take; i++) out[i] = left ? q.popLeft()! : q.popRight()!;
    ks.recharge(slot);
  } else {
    // Packed: copy the popped elements out, then keep the rest as one byte run.
    const buf = ks.valueView(slot);
    out = [];
    let p = PACKED_HEADER;
    if (left) {
      for (let i = 0; i < take; i++) {
        out.push(copyOf(elemView(buf, p)));
        p = elemNext(buf, p);
      }
      writer.begin(PackedTag.List, buf.length).copy(buf, p, buf.length, n - take);
    } else {
      for (let i = 0; i < n - take; i++) p = elemNext(buf, p);
      for (let e = p; e < buf.length; e = elemNext(buf, e)) out.push(copyOf(elemView(buf, e)));
      out.reverse();
      writer.begin(PackedTag.List, buf.length).copy(buf, PACKED_HEADER, p, n - take);
    }
    ks.set(key, writer.finish(), 0, KEEP, ValueType.List);
    slot = ks.peek(key);
  }
  if (ks.recording) recordDelta(ks, slot, left ? ListOp.PopLeft : ListOp.PopRight, [enc.encode(String(take))]);
  return out;
}

/**
 * Replaces the whole list after a change in the middle (LSET, LINSERT, LREM, LTRIM); an empty
 * result deletes the key.
 */
export function listReplace(ks: Keyspace, key: Uint8Array, els: readonly Uint8Array[]): Status {
  const st = storeAll(ks, key, els, -1);
  if (st !== Status.Ok || els.length === 0) return st;
  recordDelta(ks, ks.peek(key), ListOp.Replace, els);
  return Status.Ok;
}

// ---- codec ------------------------------------------------------------------------------------

function loadList(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status {
  const els = packedElements(packed);
  let st = ks.set(key, packed, expireAt, 0, ValueType.List);
  if (st !== Status.Ok) return st;
  if (packed.length <= nodeBytes() && els.length <= nodeEntries()) return Status.Ok;
  st = storeAll(ks, key, els.map(copyOf), expireAt);
  return st;
}

function applyListDelta(ks: Keyspace, key: Uint8Array, op: number, els: Uint8Array[]): void {
  const slot = ks.peek(key);
  if (slot >= 0 && ks.typeOf(slot) !== ValueType.List) return;
  switch (op) {
    case ListOp.PushLeft:
    case ListOp.PushRight:
      listPush(ks, key, slot, els, op === ListOp.PushLeft);
      break;
    case ListOp.PopLeft:
    case ListOp.PopRight:
      if (slot >= 0) listPop(ks, key, slot, Number(new TextDecoder().decode(els[0]!)), op === ListOp.PopLeft);
      break;
    case ListOp.Replace:
      listReplace(ks, key, els);
  }
}

registerCodec(ValueType.List, {
  load: loadList,
  applyDelta: applyListDelta,
  encoding: () => "quicklist",
});
