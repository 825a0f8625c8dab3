// The storage side of a stream's entries (Redis's radix tree of listpacks): nodes of packed
// entries in ID order, each with a master ID and master fields; an entry stores its ID as the
// difference from the master (varints) and, when its fields are the master's, only its values.
// A node takes entries until it has held stream-node-max-entries (deleted ones count, as in
// Redis) or its listpack estimate reaches stream-node-max-bytes, so nodes split where Redis's do.
// stream-log.ts reads them (ranges, trims, deletes).
//
//   node  = nMasterFields varint | masterField* | entry*
//   entry = flags u8 | msDelta varint | seqDelta zigzag varint | [nFields varint | (field value)*] | value*
//
// Strings are length-prefixed as packed.ts elements. Deleted entries are removed from the bytes.

import { readLen } from "../arena.ts";
import { elemBytes } from "../compound/packed.ts";
import type { Bytes } from "../types.ts";
import { LP_EMPTY_BYTES, lpIntBytes, lpStringBytes } from "./listpack-size.ts";
import { idMs, idSeq, SEQ_MASK, type StreamId } from "./stream-id.ts";
import { pos, putString, readVarint, SAME_FIELDS, varintBytes, writeVarint, zigzag } from "./node-bytes.ts";

/** Deltas stay exact in doubles; a bigger jump starts a new node. */
const MAX_DELTA = 2 ** 47;
const FIRST_CAPACITY = 128;
/** A new node is sized for at most this many bytes up front. */
const NODE_CAPACITY_MAX = 8192;
/** Bytes of a node's JS side: the Uint8Array object and its slots in the parallel arrays. */
const NODE_OVERHEAD = 160;

/** Master IDs below this (both halves) keep every entry's ID exact in doubles (deltas < 2^47). */
export const EXACT_BELOW = 2 ** 53 - 2 ** 47;
/** IDs below this have an exact ms half as a number (the seq half is checked separately). */
const EXACT_IDS = 1n << (64n + 53n);
const SAFE_HALF = 1n << 53n;
/** What deltas() computed last: `id` minus the node's master, per half. */
let dms = 0;
let dseq = 0;

export class StreamNodes {
  /** Node bytes (the tail node has spare capacity past `used`). */
  nodes: Uint8Array[] = [];
  used: number[] = [];
  masters: StreamId[] = [];
  /** ID of the last entry appended to each node (deleted or not), as Redis's listpack tail. */
  lasts: StreamId[] = [];
  live: number[] = [];
  /** Entries ever appended to each node (what stream-node-max-entries counts). */
  added: number[] = [];
  /** Each node's size as a Redis listpack would be (what stream-node-max-bytes compares). */
  lpBytes: number[] = [];
  /** Master ID halves as numbers, and whether they keep the node's IDs exact as numbers. */
  protected mMs: number[] = [];
  protected mSeq: number[] = [];
  protected exact: boolean[] = [];
  protected inexactNodes = 0;
  length = 0;
  protected allocated = 0;

  get nodeCount(): number {
    return this.nodes.length;
  }

  bytes(): Bytes {
    return this.allocated + this.nodes.length * NODE_OVERHEAD + 96;
  }

  /** Entries the last node took before it was closed (sizes the next node's buffer). */
  protected fillHint = 0;

  /** Appends entry `id` (greater than every ID in the log). */
  append(id: StreamId, fv: readonly Uint8Array[], maxBytes: number, maxEntries: number): void {
    let last = this.nodes.length - 1;
    let open = last >= 0;
    if (open) {
      let tot = 0;
      for (const e of fv) tot += e.length;
      const limit = maxBytes <= 0 || maxBytes > 1 << 30 ? 1 << 30 : maxBytes;
      if (this.lpBytes[last]! + tot >= limit) open = false;
      else if (maxEntries > 0 && this.added[last]! >= maxEntries) open = false;
      else {
        this.deltas(last, id);
        if (dms >= MAX_DELTA || dseq >= MAX_DELTA || dseq <= -MAX_DELTA) open = false;
      }
    }
    if (!open) {
      if (last >= 0) {
        this.fillHint = this.added[last]!;
        this.shrink(last);
      }
      this.newNode(id, fv);
      last++;
    }
    this.appendInto(last, id, fv);
  }

  /**
   * Appends node `master` as it was serialized: its live entries (in order) and what decides its
   * splits and trims (`last` appended ID, `added` count, listpack estimate), so a loaded stream
   * has the very nodes it had.
   */
  loadNode(master: StreamId, last: StreamId, added: number, lpBytes: number, entries: readonly { id: StreamId; fv: readonly Uint8Array[] }[]): void {
    if (this.nodes.length > 0) this.shrink(this.nodes.length - 1);
    this.newNode(master, entries[0]?.fv ?? []);
    const i = this.nodes.length - 1;
    for (const e of entries) this.appendInto(i, e.id, e.fv);
    this.lasts[i] = last;
    this.added[i] = added;
    this.lpBytes[i] = lpBytes;
  }

  /** Writes entry `id` at the end of node `last` (it fits: append() decided). */
  protected appendInto(last: number, id: StreamId, fv: readonly Uint8Array[]): void {
    const nf = fv.length >>> 1;
    const node = this.nodes[last]!;
    this.deltas(last, id);
    const dmsN = dms;
    const dseqN = dseq;
    const same = this.sameAsMaster(node, fv);
    let need = 1 + varintBytes(dmsN) + varintBytes(zigzag(dseqN)) + (same ? 0 : varintBytes(nf));
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) need += elemBytes(fv[i]!.length);
    let buf = node;
    let p = this.used[last]!;
    if (p + need > buf.length) {
      buf = new Uint8Array(Math.max(buf.length * 2, p + need));
      buf.set(node.subarray(0, p));
      this.allocated += buf.length - node.length;
      this.nodes[last] = buf;
    }
    buf[p++] = same ? SAME_FIELDS : 0;
    p = writeVarint(buf, p, dmsN);
    p = writeVarint(buf, p, zigzag(dseqN));
    if (!same) p = writeVarint(buf, p, nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) p = putString(buf, p, fv[i]!);
    this.used[last] = p;
    let lp = lpIntBytes(same ? SAME_FIELDS : 0) + lpIntBytes(dmsN) + lpIntBytes(dseqN);
    if (!same) lp += lpIntBytes(nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) lp += lpStringBytes(fv[i]!);
    lp += lpIntBytes(nf + 3 + (same ? 0 : nf + 1));
    this.lpBytes[last]! += lp;
    this.lasts[last] = id;
    this.live[last]!++;
    this.added[last]!++;
    this.length++;
  }

  /** `id` minus node `i`'s master, per half, into `dms`/`dseq` (±Infinity past 2^53: never in range). */
  protected deltas(i: number, id: StreamId): void {
    const seq = id & SEQ_MASK;
    if (this.exact[i] && id < EXACT_IDS && seq < SAFE_HALF) {
      dms = Number(id >> 64n) - this.mMs[i]!;
      dseq = Number(seq) - this.mSeq[i]!;
      return;
    }
    const m = this.masters[i]!;
    const bigMs = idMs(id) - idMs(m);
    const bigSeq = idSeq(id) - idSeq(m);
    dms = bigMs >= BigInt(MAX_DELTA) ? Infinity : Number(bigMs);
    dseq = bigSeq >= BigInt(MAX_DELTA) ? Infinity : bigSeq <= -BigInt(MAX_DELTA) ? -Infinity : Number(bigSeq);
  }

  private newNode(id: StreamId, fv: readonly Uint8Array[]): void {
    const nf = fv.length >>> 1;
    let need = varintBytes(nf);
    let lp = LP_EMPTY_BYTES + lpIntBytes(1) + lpIntBytes(0) + lpIntBytes(nf) + lpIntBytes(0);
    for (let i = 0; i < fv.length; i += 2) {
      need += elemBytes(fv[i]!.length);
      lp += lpStringBytes(fv[i]!);
    }
    // Room for a full node of entries like this one (one allocation instead of a doubling series).
    let entry = 8;
    for (let i = 1; i < fv.length; i += 2) entry += elemBytes(fv[i]!.length);
    const buf = new Uint8Array(Math.max(FIRST_CAPACITY, Math.min(NODE_CAPACITY_MAX, need + entry * Math.max(1, this.fillHint))));
    let p = writeVarint(buf, 0, nf);
    for (let i = 0; i < fv.length; i += 2) p = putString(buf, p, fv[i]!);
    this.nodes.push(buf);
    this.used.push(p);
    this.masters.push(id);
    this.lasts.push(id);
    const ms = Number(idMs(id));
    const seq = Number(idSeq(id));
    const exact = ms < EXACT_BELOW && seq < EXACT_BELOW;
    this.mMs.push(ms);
    this.mSeq.push(seq);
    this.exact.push(exact);
    if (!exact) this.inexactNodes++;
    this.live.push(0);
    this.added.push(0);
    this.lpBytes.push(lp);
    this.allocated += buf.length;
  }

  /** A node that stops being the tail gives back its spare capacity. */
  private shrink(i: number): void {
    const n = this.nodes[i]!;
    const u = this.used[i]!;
    if (n.length - u <= 16 + (u >>> 3)) return;
    this.nodes[i] = n.slice(0, u);
    this.allocated -= n.length - u;
  }

  private sameAsMaster(node: Uint8Array, fv: readonly Uint8Array[]): boolean {
    const nf = readVarint(node, 0);
    if (nf !== fv.length >>> 1) return false;
    let p = pos;
    for (let i = 0; i < fv.length; i += 2) {
      const f = fv[i]!;
      const n = readLen(node, p);
      if (n !== f.length) return false;
      const s = p + (n < 128 ? 1 : 4);
      for (let k = 0; k < n; k++) if (node[s + k] !== f[k]) return false;
      p = s + n;
    }
    return true;
  }

  /**
   * Removes the bytes [from, to) of node `i` holding `k` entries; drops the node when it empties
   * (`keepEmpty`: not after a trim inside the node, where Redis keeps an all-deleted listpack).
   */
  protected cut(i: number, from: number, to: number, k: number, keepEmpty = false): void {
    this.length -= k;
    this.live[i]! -= k;
    if (this.live[i] === 0 && !keepEmpty) {
      this.allocated -= this.nodes[i]!.length;
      if (!this.exact[i]) this.inexactNodes--;
      for (const a of [this.nodes, this.used, this.masters, this.lasts, this.live, this.added, this.lpBytes, this.mMs, this.mSeq, this.exact] as unknown[][]) a.splice(i, 1);
      return;
    }
    const node = this.nodes[i]!;
    node.copyWithin(from, to, this.used[i]!);
    this.used[i]! -= to - from;
  }

  /** Copies every node into `c` (an empty log): clone() of the subclass. */
  protected copyInto(c: StreamNodes): void {
    c.nodes = this.nodes.map((n, i) => n.slice(0, i === this.nodes.length - 1 ? n.length : this.used[i]!));
    c.used = this.used.slice();
    c.masters = this.masters.slice();
    c.lasts = this.lasts.slice();
    c.live = this.live.slice();
    c.added = this.added.slice();
    c.lpBytes = this.lpBytes.slice();
    c.mMs = this.mMs.slice();
    c.mSeq = this.mSeq.slice();
    c.exact = this.exact.slice();
    c.inexactNodes = this.inexactNodes;
    c.fillHint = this.fillHint;
    c.length = this.length;
    c.allocated = c.nodes.reduce((s, n) => s + n.length, 0);
  }
}
