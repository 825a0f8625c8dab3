// The large encoding of lists (Redis's quicklist): an array of nodes, each one packed block
// (packed.ts layout) of at most the node size, with a per-node element count so an index is
// found by walking node counts, not elements. Pushes and pops at both ends rewrite only the end
// node (O(node size)); a million 16-byte elements are a few thousand Uint8Array blocks.

import type { Bytes, LargeValue } from "../types.ts";
import { elemBytes, elemNext, elemView, PACKED_HEADER, packedCount, PackedTag, PackedWriter } from "../compound/packed.ts";

const writer = new PackedWriter();

export class Quicklist implements LargeValue {
  charged: Bytes = 0;
  nodes: Uint8Array[] = [];
  counts: number[] = [];
  length = 0;
  private allocated = 0;

  /** `nodeBytes`: most bytes of a node; `nodeEntries`: most elements (Infinity = by bytes). */
  constructor(private readonly nodeBytes: number, private readonly nodeEntries: number) {}

  private fits(node: Uint8Array, count: number, add: number): boolean {
    return count + 1 <= this.nodeEntries && node.length + elemBytes(add) <= this.nodeBytes;
  }

  private replace(i: number, node: Uint8Array): void {
    this.allocated += node.length - this.nodes[i]!.length;
    this.nodes[i] = node;
    this.counts[i] = packedCount(node);
  }

  private insertNode(i: number, node: Uint8Array): void {
    this.nodes.splice(i, 0, node);
    this.counts.splice(i, 0, packedCount(node));
    this.allocated += node.length;
  }

  private removeNode(i: number): void {
    this.allocated -= this.nodes[i]!.length;
    this.nodes.splice(i, 1);
    this.counts.splice(i, 1);
  }

  pushRight(e: Uint8Array): void {
    const last = this.nodes.length - 1;
    if (last >= 0 && this.fits(this.nodes[last]!, this.counts[last]!, e.length)) {
      const n = this.nodes[last]!;
      this.replace(last, writer.begin(PackedTag.List, n.length + e.length + 4).copy(n, PACKED_HEADER, n.length, this.counts[last]!).push(e).finish().slice());
    } else this.insertNode(this.nodes.length, writer.begin(PackedTag.List).push(e).finish().slice());
    this.length++;
  }

  pushLeft(e: Uint8Array): void {
    if (this.nodes.length > 0 && this.fits(this.nodes[0]!, this.counts[0]!, e.length)) {
      const n = this.nodes[0]!;
      this.replace(0, writer.begin(PackedTag.List, n.length + e.length + 4).push(e).copy(n, PACKED_HEADER, n.length, this.counts[0]!).finish().slice());
    } else this.insertNode(0, writer.begin(PackedTag.List).push(e).finish().slice());
    this.length++;
  }

  /** Pushes `els` in order at the tail, rewriting the tail node once (not once per element). */
  pushAllRight(els: readonly Uint8Array[]): void {
    if (els.length === 0) return;
    let w: PackedWriter;
    let size: number;
    const last = this.nodes.length - 1;
    if (last >= 0) {
      const n = this.nodes[last]!;
      w = writer.begin(PackedTag.List, this.nodeBytes === Infinity ? 0 : this.nodeBytes).copy(n, PACKED_HEADER, n.length, this.counts[last]!);
      size = n.length;
      this.removeNode(last);
    } else {
      w = writer.begin(PackedTag.List);
      size = PACKED_HEADER;
    }
    for (const e of els) {
      if (w.count > 0 && (w.count + 1 > this.nodeEntries || size + elemBytes(e.length) > this.nodeBytes)) {
        this.insertNode(this.nodes.length, w.finish().slice());
        w = writer.begin(PackedTag.List);
        size = PACKED_HEADER;
      }
      w.push(e);
      size += elemBytes(e.length);
    }
    this.insertNode(this.nodes.length, w.finish().slice());
    this.length += els.length;
  }

  /** Removes and returns the first element (a copy). */
  popLeft(): Uint8Array | undefined {
    if (this.length === 0) return undefined;
    const n = this.nodes[0]!;
    const out = elemView(n, PACKED_HEADER).slice();
    if (this.counts[0] === 1) this.removeNode(0);
    else this.replace(0, writer.begin(PackedTag.List).copy(n, elemNext(n, PACKED_HEADER), n.length, this.counts[0]! - 1).finish().slice());
    this.length--;
    return out;
  }

  /** Removes and returns the last element (a copy). */
  popRight(): Uint8Array | undefined {
    if (this.length === 0) return undefined;
    const last = this.nodes.length - 1;
    const n = this.nodes[last]!;
    const c = this.counts[last]!;
    let p = PACKED_HEADER;
    for (let i = 0; i < c - 1; i++) p = elemNext(n, p);
    const out = elemView(n, p).slice();
    if (c === 1) this.removeNode(last);
    else this.replace(last, writer.begin(PackedTag.List).copy(n, PACKED_HEADER, p, c - 1).finish().slice());
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
    let i = 0;
    let skip = start;
    while (i < this.counts.length && skip >= this.counts[i]!) skip -= this.counts[i++]!;
    let left = stop - start + 1;
    for (; i < this.nodes.length && left > 0; i++) {
      const n = this.nodes[i]!;
      const c = this.counts[i]!;
      let p = PACKED_HEADER;
      for (let k = 0; k < c && left > 0; k++) {
        if (k >= skip) {
          visit(elemView(n, p));
          left--;
        }
        p = elemNext(n, p);
      }
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
