// The large encoding of lists (Redis's quicklist): an array of nodes, each one packed block
// (packed.ts layout) of at most the node size, with a per-node element count so an index is
// found by walking node counts, not elements. The two end nodes keep spare capacity (doubling, up
// to the node size) before or after their bytes, so a push or pop at either end writes in place:
// O(element), not O(node size). A node that stops being an end gives its spare capacity back.
// A million 16-byte elements are a few thousand Uint8Array blocks.

import type { Bytes, LargeValue } from "../types.ts";
import { writeLen } from "../arena.ts";
import { elemBytes, elemNext, elemView, type ElementSink, PACKED_HEADER, packedCount, PackedTag, PackedWriter, packedWriteElements } from "../compound/packed.ts";


function setCount(node: Uint8Array, n: number): void {
  node[1] = n & 255;
  node[2] = (n >>> 8) & 255;
  node[3] = (n >>> 16) & 255;
  node[4] = (n >>> 24) & 255;
}

function copyInto(dst: Uint8Array, at: number, src: Uint8Array): void {
  if (src.length < 64) for (let i = 0; i < src.length; i++) dst[at + i] = src[i]!;
  else dst.set(src, at);
}

export class Quicklist implements LargeValue {
  charged: Bytes = 0;
  nodes: Uint8Array[] = [];
  counts: number[] = [];
  length = 0;
  private allocated = 0;
  /**
   * Offsets of the elements of `tailNode` (the last node's view when they were taken), so
   * successive RPOPs do not walk the node each time. Any other change of the last node makes a
   * new view, which invalidates them.
   */
  private tailNode: Uint8Array | undefined;
  private tailOffsets: number[] = [];

  /** `nodeBytes`: most bytes of a node; `nodeEntries`: most elements (Infinity = by bytes). */
  constructor(private readonly nodeBytes: number, private readonly nodeEntries: number) {}

  private fits(node: Uint8Array, count: number, add: number): boolean {
    return count + 1 <= this.nodeEntries && node.length + elemBytes(add) <= this.nodeBytes;
  }

  private insertNode(i: number, node: Uint8Array): void {
    this.nodes.splice(i, 0, node);
    this.counts.splice(i, 0, packedCount(node));
    this.allocated += node.buffer.byteLength;
  }

  private removeNode(i: number): void {
    this.allocated -= this.nodes[i]!.buffer.byteLength;
    this.nodes.splice(i, 1);
    this.counts.splice(i, 1);
  }

  /**
   * Capacity of an end node that must hold `need` bytes: room to grow (doubling, at most 64 KiB
   * more, never past the node size); none for one element bigger than a node (nothing else fits).
   */
  private capacityFor(need: number): number {
    if (need > this.nodeBytes) return need;
    return Math.min(this.nodeBytes, Math.max(64, need + Math.min(need, 65536)));
  }

  /**
   * Moves end node `i` into a buffer with room for `extra` more bytes before it (`front`) or after
   * it, so pushes at that end write in place (amortized O(element), not O(node size)).
   */
  private regrow(i: number, extra: number, front: boolean): Uint8Array {
    const n = this.nodes[i]!;
    const buf = new Uint8Array(this.capacityFor(n.length + extra));
    const at = front ? buf.length - n.length : 0;
    buf.set(n, at);
    const view = buf.subarray(at, at + n.length);
    this.allocated += buf.length - n.buffer.byteLength;
    this.nodes[i] = view;
    return view;
  }

  /** Node `i` stops being an end node: drop its spare capacity if it has much. */
  private compact(i: number): void {
    const n = this.nodes[i];
    if (n === undefined || n.buffer.byteLength - n.length <= (n.length >>> 3) + 16) return;
    const exact = n.slice();
    this.allocated += exact.length - n.buffer.byteLength;
    this.nodes[i] = exact;
  }

  /** A new end node holding `e` alone, placed at the start (`front` false) or end of its buffer. */
  private freshNode(e: Uint8Array, front: boolean): Uint8Array {
    const size = PACKED_HEADER + elemBytes(e.length);
    const buf = new Uint8Array(this.capacityFor(size));
    const at = front ? buf.length - size : 0;
    const view = buf.subarray(at, at + size);
    view[0] = PackedTag.List;
    setCount(view, 1);
    view.set(e, writeLen(view, PACKED_HEADER, e.length));
    return view;
  }

  pushRight(e: Uint8Array): void {
    const last = this.nodes.length - 1;
    if (last >= 0 && this.fits(this.nodes[last]!, this.counts[last]!, e.length)) {
      const eb = elemBytes(e.length);
      let n = this.nodes[last]!;
      const cached = this.tailNode === n;
      if (n.byteOffset + n.length + eb > n.buffer.byteLength) n = this.regrow(last, eb, false);
      const grown = new Uint8Array(n.buffer, n.byteOffset, n.length + eb);
      if (cached) {
        this.tailOffsets.push(n.length);
        this.tailNode = grown;
      }
      copyInto(grown, writeLen(grown, n.length, e.length), e);
      const c = this.counts[last]! + 1;
      setCount(grown, c);
      this.nodes[last] = grown;
      this.counts[last] = c;
    } else {
      this.compact(last);
      this.insertNode(this.nodes.length, this.freshNode(e, false));
    }
    this.length++;
  }

  pushLeft(e: Uint8Array): void {
    if (this.nodes.length > 0 && this.fits(this.nodes[0]!, this.counts[0]!, e.length)) {
      const eb = elemBytes(e.length);
      let n = this.nodes[0]!;
      if (n.byteOffset < eb) n = this.regrow(0, eb, true);
      // The new header goes eb bytes earlier; the element fills the old header's place.
      const tag = n[0]!;
      const c = this.counts[0]! + 1;
      const grown = new Uint8Array(n.buffer, n.byteOffset - eb, n.length + eb);
      grown[0] = tag;
      setCount(grown, c);
      copyInto(grown, writeLen(grown, PACKED_HEADER, e.length), e);
      this.nodes[0] = grown;
      this.counts[0] = c;
    } else {
      this.compact(0);
      this.insertNode(0, this.freshNode(e, true));
    }
    this.length++;
  }

  /** Pushes `els` in order at the tail. */
  pushAllRight(els: readonly Uint8Array[]): void {
    for (const e of els) this.pushRight(e);
  }

  /** Removes and returns the first element (a copy). */
  popLeft(): Uint8Array | undefined {
    if (this.length === 0) return undefined;
    const n = this.nodes[0]!;
    const c = this.counts[0]!;
    const out = elemView(n, PACKED_HEADER).slice();
    if (c === 1) this.removeNode(0);
    else {
      // The header moves forward over the popped element; nothing else is copied.
      const d = elemNext(n, PACKED_HEADER) - PACKED_HEADER;
      const tag = n[0]!;
      const rest = new Uint8Array(n.buffer, n.byteOffset + d, n.length - d);
      rest[0] = tag;
      setCount(rest, c - 1);
      this.nodes[0] = rest;
      this.counts[0] = c - 1;
    }
    this.length--;
    return out;
  }

  /** Removes and returns the last element (a copy). */
  popRight(): Uint8Array | undefined {
    if (this.length === 0) return undefined;
    const last = this.nodes.length - 1;
    const n = this.nodes[last]!;
    const c = this.counts[last]!;
    let offsets = this.tailOffsets;
    if (this.tailNode !== n) {
      offsets = this.tailOffsets = new Array(c);
      let p = PACKED_HEADER;
      for (let i = 0; i < c; i++) {
        offsets[i] = p;
        p = elemNext(n, p);
      }
    }
    const p = offsets.pop()!;
    const out = elemView(n, p).slice();
    if (c === 1) {
      this.removeNode(last);
      this.tailNode = undefined;
    } else {
      const rest = n.subarray(0, p);
      setCount(rest, c - 1);
      this.nodes[last] = rest;
      this.counts[last] = c - 1;
      this.tailNode = rest;
    }
    this.length--;
    return out;
  }

  /** A view of element `index` (0-based, in range). */
  at(index: number): Uint8Array {
    let i = 0;
    while (index >= this.counts[i]!) index -= this.counts[i++]!;
    const n = this.nodes[i]!;
    let p = PACKED_HEADER;
    for (let k = 0; k < index; k++) p = elemNext(n, p);
    return elemView(n, p);
  }

  /** Visits elements [start, stop] (in range), as views. */
  forRange(start: number, stop: number, visit: (e: Uint8Array) => void): void {
    this.writeRange(start, stop, { bulkFrom: (src, off, n) => visit(src.subarray(off, off + n)) });
  }

  /** Writes elements [start, stop] (in range) to `sink` straight from the node bytes. */
  writeRange(start: number, stop: number, sink: ElementSink): void {
    let i = 0;
    let skip = start;
    while (i < this.counts.length && skip >= this.counts[i]!) skip -= this.counts[i++]!;
    let left = stop - start + 1;
    for (; i < this.nodes.length && left > 0; i++) {
      const n = this.nodes[i]!;
      let p = PACKED_HEADER;
      for (let k = 0; k < skip; k++) p = elemNext(n, p);
      const m = Math.min(this.counts[i]! - skip, left);
      packedWriteElements(n, p, m, sink);
      left -= m;
      skip = 0;
    }
  }

  toArray(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.length > 0) this.forRange(0, this.length - 1, (e) => out.push(e.slice()));
    return out;
  }

  bytes(): Bytes {
    return this.allocated + this.nodes.length * 48 + 64;
  }

  serialize(): Uint8Array {
    const w = new PackedWriter().begin(PackedTag.List);
    for (let i = 0; i < this.nodes.length; i++) w.copy(this.nodes[i]!, PACKED_HEADER, this.nodes[i]!.length, this.counts[i]!);
    return w.finish().slice();
  }

  clone(): Quicklist {
    const q = new Quicklist(this.nodeBytes, this.nodeEntries);
    q.nodes = this.nodes.map((n) => n.slice());
    q.counts = this.counts.slice();
    q.length = this.length;
    q.allocated = this.allocated;
    return q;
  }
}
