// The entries of a stream (Redis's radix tree of listpacks): nodes of packed entries in ID order,
// each with a master ID and master fields; an entry stores its ID as the difference from the
// master (varints) and, when its fields are the master's, only its values. The node index is a
// sorted array of master IDs, so a range from any ID is a binary search plus a walk, and
// trimming drops whole nodes from the front. A node takes entries until it has held
// stream-node-max-entries (deleted ones count, as in Redis) or its listpack estimate reaches
// stream-node-max-bytes, so nodes split where Redis's do.
//
//   node  = nMasterFields varint | masterField* | entry*
//   entry = flags u8 | msDelta varint | seqDelta zigzag varint | [nFields varint | (field value)*] | value*
//
// Strings are length-prefixed as packed.ts elements. Deleted entries are removed from the bytes.

import { readLen } from "../arena.ts";
import { pos, putString, readVarint, SAME_FIELDS, skipString, unzigzag, varintBytes, viewString, writeVarint, zigzag } from "./stream-node.ts";
import { elemBytes } from "../compound/packed.ts";
import type { Bytes } from "../types.ts";
import { LP_EMPTY_BYTES, lpIntBytes, lpStringBytes } from "./listpack-size.ts";
import { idMs, idSeq, makeId, SEQ_MASK, type StreamId } from "./stream-id.ts";

/** Deltas stay exact in doubles; a bigger jump starts a new node. */
const MAX_DELTA = 2 ** 47;
const FIRST_CAPACITY = 128;
/** A new node is sized for at most this many bytes up front. */
const NODE_CAPACITY_MAX = 8192;
/** Bytes of a node's JS side: the Uint8Array object and its slots in the parallel arrays. */
const NODE_OVERHEAD = 160;

/** What readEntry read last: the offset after it, its ID halves as numbers, its deltas. */
let after = 0;
let curMs = 0;
let curSeq = 0;
let curDms = 0;
let curDseq = 0;
let curFlags = 0;
/** Master IDs below this (both halves) keep every entry's ID exact in doubles (deltas < 2^47). */
const EXACT_BELOW = 2 ** 53 - 2 ** 47;
/** IDs below this have an exact ms half as a number (the seq half is checked by the mask). */
const EXACT_IDS = 1n << (64n + 53n);
const SAFE_HALF = 1n << 53n;
const halfNumber = (h: bigint): number => (h >= 1n << 53n ? Infinity : Number(h));

/** Visits an entry: its ID and its fields and values alternating (views valid during the call). */
export type EntryVisitor = (id: StreamId, fieldsValues: Uint8Array[]) => void;

export class StreamLog {
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
  private mMs: number[] = [];
  private mSeq: number[] = [];
  private exact: boolean[] = [];
  private inexactNodes = 0;
  length = 0;
  private allocated = 0;

  get nodeCount(): number {
    return this.nodes.length;
  }

  bytes(): Bytes {
    return this.allocated + this.nodes.length * NODE_OVERHEAD + 96;
  }

  /** Appends entry `id` (greater than every ID in the log). */
  /** Entries the last node took before it was closed (sizes the next node's buffer). */
  private fillHint = 0;

  append(id: StreamId, fv: readonly Uint8Array[], maxBytes: number, maxEntries: number): void {
    const nf = fv.length >>> 1;
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
        if (curDms >= MAX_DELTA || curDseq >= MAX_DELTA || curDseq <= -MAX_DELTA) open = false;
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
  private appendInto(last: number, id: StreamId, fv: readonly Uint8Array[]): void {
    const nf = fv.length >>> 1;
    const node = this.nodes[last]!;
    this.deltas(last, id);
    const dms = curDms;
    const dseq = curDseq;
    const same = this.sameAsMaster(node, fv);
    let need = 1 + varintBytes(dms) + varintBytes(zigzag(dseq)) + (same ? 0 : varintBytes(nf));
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
    p = writeVarint(buf, p, dms);
    p = writeVarint(buf, p, zigzag(dseq));
    if (!same) p = writeVarint(buf, p, nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) p = putString(buf, p, fv[i]!);
    this.used[last] = p;
    let lp = lpIntBytes(same ? SAME_FIELDS : 0) + lpIntBytes(dms) + lpIntBytes(dseq);
    if (!same) lp += lpIntBytes(nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) lp += lpStringBytes(fv[i]!);
    lp += lpIntBytes(nf + 3 + (same ? 0 : nf + 1));
    this.lpBytes[last]! += lp;
    this.lasts[last] = id;
    this.live[last]!++;
    this.added[last]!++;
    this.length++;
  }

  /** `id` minus node `i`'s master, per half, into curDms/curDseq (±Infinity past 2^53: never in range). */
  private deltas(i: number, id: StreamId): void {
    const seq = id & SEQ_MASK;
    if (this.exact[i] && id < EXACT_IDS && seq < SAFE_HALF) {
      curDms = Number(id >> 64n) - this.mMs[i]!;
      curDseq = Number(seq) - this.mSeq[i]!;
      return;
    }
    const m = this.masters[i]!;
    const dms = idMs(id) - idMs(m);
    const dseq = idSeq(id) - idSeq(m);
    curDms = dms >= BigInt(MAX_DELTA) ? Infinity : Number(dms);
    curDseq = dseq >= BigInt(MAX_DELTA) ? Infinity : dseq <= -BigInt(MAX_DELTA) ? -Infinity : Number(dseq);
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

  /** The master fields of node `i` and the offset of its first entry. */
  private masterFields(i: number): { fields: Uint8Array[]; first: number } {
    const node = this.nodes[i]!;
    const nf = readVarint(node, 0);
    let p = pos;
    const fields: Uint8Array[] = new Array(nf);
    for (let k = 0; k < nf; k++) {
      fields[k] = viewString(node, p);
      p = pos;
    }
    return { fields, first: p };
  }

  /**
   * Reads the entry at `p` of node `i` into `out` (fields and values alternating). Its ID is left
   * in `curMs`/`curSeq` as numbers (exact when the node is: see `exact`), its deltas in
   * `curDms`/`curDseq`, and the offset of the next entry in `after`.
   */
  private readEntry(i: number, p: number, master: Uint8Array[], out: Uint8Array[]): void {
    this.readBody(i, this.readHeader(i, p), master, out);
  }

  /** Reads the flags and ID of the entry at `p` of node `i` (into `curFlags`, `curMs`...); returns where its body starts. */
  private readHeader(i: number, p: number): number {
    const node = this.nodes[i]!;
    curFlags = node[p++]!;
    curDms = readVarint(node, p);
    curDseq = unzigzag(readVarint(node, pos));
    curMs = this.mMs[i]! + curDms;
    curSeq = this.mSeq[i]! + curDseq;
    return pos;
  }

  /** Reads the fields and values of the entry whose header readHeader just read (body at `p`). */
  private readBody(i: number, p: number, master: Uint8Array[], out: Uint8Array[]): void {
    const node = this.nodes[i]!;
    out.length = 0;
    if (curFlags & SAME_FIELDS) {
      for (const f of master) {
        out.push(f, viewString(node, p));
        p = pos;
      }
    } else {
      const nf = readVarint(node, p);
      p = pos;
      for (let k = 0; k < nf * 2; k++) {
        out.push(viewString(node, p));
        p = pos;
      }
    }
    after = p;
  }

  /** Skips the body of the entry whose header readHeader just read (body at `p`). */
  private skipBody(i: number, p: number, masterCount: number): void {
    const node = this.nodes[i]!;
    let n = masterCount;
    if (!(curFlags & SAME_FIELDS)) {
      n = readVarint(node, p) * 2;
      p = pos;
    }
    for (let k = 0; k < n; k++) p = skipString(node, p);
    after = p;
  }

  /** The ID of the entry readEntry read last from node `i`. */
  private entryId(i: number): StreamId {
    if (this.exact[i]) return makeId(BigInt(curMs), BigInt(curSeq));
    const m = this.masters[i]!;
    return makeId(idMs(m) + BigInt(curDms), idSeq(m) + BigInt(curDseq));
  }

  /** Whether the entry readEntry read last from node `i` is below (`cmp` -1) or above (1) `b` ([ms, seq] numbers, or the bigint). */
  private outside(i: number, b: StreamId, bMs: number, bSeq: number, below: boolean): boolean {
    if (!this.exact[i]) return below ? this.entryId(i) < b : this.entryId(i) > b;
    return below ? curMs < bMs || (curMs === bMs && curSeq < bSeq) : curMs > bMs || (curMs === bMs && curSeq > bSeq);
  }

  /** Offset of the entry after the one at `p` of node `i` (its ID is not decoded). */
  private skipEntry(i: number, p: number, masterCount: number): number {
    const node = this.nodes[i]!;
    const flags = node[p++]!;
    readVarint(node, p);
    readVarint(node, pos);
    p = pos;
    let n = masterCount;
    if (!(flags & SAME_FIELDS)) {
      n = readVarint(node, p) * 2;
      p = pos;
    }
    for (let k = 0; k < n; k++) p = skipString(node, p);
    return p;
  }

  /** Index of the last node whose master ID is ≤ id, or -1. */
  nodeAtOrBefore(id: StreamId): number {
    let lo = 0;
    let hi = this.masters.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.masters[mid]! <= id) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /**
   * Visits entries with start ≤ ID ≤ end in order (`rev`: from end down), at most `count`
   * (0 = all). Returns how many it visited.
   */
  range(start: StreamId, end: StreamId, rev: boolean, count: number, visit: EntryVisitor): number {
    const out: Uint8Array[] = [];
    return this.scan(start, end, rev, count, out, (i) => visit(this.entryId(i), out));
  }

  /** True when every ID is below 2^53 in both halves: `rangeNumbers` may be used. */
  get numeric(): boolean {
    return this.inexactNodes === 0;
  }

  /** `range` with the IDs as numbers (only while `numeric`): no bigint per entry. */
  rangeNumbers(start: StreamId, end: StreamId, rev: boolean, count: number, visit: (ms: number, seq: number, fv: Uint8Array[]) => void): number {
    const out: Uint8Array[] = [];
    return this.scan(start, end, rev, count, out, () => visit(curMs, curSeq, out));
  }

  private scan(start: StreamId, end: StreamId, rev: boolean, count: number, out: Uint8Array[], emit: (node: number) => void): number {
    if (start > end || this.length === 0) return 0;
    const sMs = halfNumber(start >> 64n);
    const sSeq = halfNumber(start & SEQ_MASK);
    const eMs = halfNumber(end >> 64n);
    const eSeq = halfNumber(end & SEQ_MASK);
    let n = 0;
    if (!rev) {
      for (let i = Math.max(0, this.nodeAtOrBefore(start)); i < this.nodes.length; i++) {
        if (this.masters[i]! > end) break;
        if (this.lasts[i]! < start) continue;
        const { fields, first } = this.masterFields(i);
        let p = first;
        const u = this.used[i]!;
        while (p < u) {
          const body = this.readHeader(i, p);
          if (this.outside(i, start, sMs, sSeq, true)) {
            this.skipBody(i, body, fields.length);
            p = after;
            continue;
          }
          if (this.outside(i, end, eMs, eSeq, false)) return n;
          this.readBody(i, body, fields, out);
          p = after;
          emit(i);
          if (++n === count) return n;
        }
      }
      return n;
    }
    for (let i = this.nodeAtOrBefore(end); i >= 0; i--) {
      if (this.lasts[i]! < start) break;
      const { fields, first } = this.masterFields(i);
      const offsets: number[] = [];
      for (let p = first; p < this.used[i]!; p = this.skipEntry(i, p, fields.length)) offsets.push(p);
      for (let k = offsets.length - 1; k >= 0; k--) {
        this.readEntry(i, offsets[k]!, fields, out);
        if (this.outside(i, end, eMs, eSeq, false)) continue;
        if (this.outside(i, start, sMs, sSeq, true)) return n;
        emit(i);
        if (++n === count) return n;
      }
    }
    return n;
  }

  /** The entry `id` (copies of its fields and values), or undefined. */
  get(id: StreamId): Uint8Array[] | undefined {
    let found: Uint8Array[] | undefined;
    this.range(id, id, false, 1, (_id, fv) => (found = fv.map((e) => e.slice())));
    return found;
  }

  /** The first (`last` false) or last entry's ID, or undefined when empty. */
  edge(last: boolean): StreamId | undefined {
    let id: StreamId | undefined;
    if (this.length > 0) this.range(0n, (1n << 128n) - 1n, last, 1, (e) => (id = e));
    return id;
  }

  /** Removes entry `id`; false when absent. */
  delete(id: StreamId): boolean {
    const i = this.nodeAtOrBefore(id);
    if (i < 0 || this.lasts[i]! < id) return false;
    const { fields, first } = this.masterFields(i);
    const out: Uint8Array[] = [];
    for (let p = first; p < this.used[i]!; ) {
      this.readEntry(i, p, fields, out);
      const e = this.entryId(i);
      const next = after;
      if (e > id) return false;
      if (e === id) {
        this.cut(i, p, next, 1);
        return true;
      }
      p = next;
    }
    return false;
  }

  /**
   * Removes the bytes [from, to) of node `i` holding `k` entries; drops the node when it empties
   * (`keepEmpty`: not after a trim inside the node, where Redis keeps an all-deleted listpack).
   */
  private cut(i: number, from: number, to: number, k: number, keepEmpty = false): void {
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

  /**
   * Redis's streamTrim: removes entries from the front until at most `maxlen` remain (maxlen ≥ 0)
   * or every entry below `minid` is gone (maxlen < 0). `approx` removes whole nodes only; `limit`
   * (0 = none) bounds the entries removed. Returns how many were removed.
   */
  trim(maxlen: number, minid: StreamId, approx: boolean, limit: number): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (maxlen >= 0 && this.length <= maxlen) break;
      const entries = this.live[0]!;
      if (limit > 0 && deleted + entries > limit) break;
      const whole = maxlen >= 0 ? this.length - entries >= maxlen : this.lasts[0]! < minid;
      if (whole) {
        this.cut(0, 0, 0, entries);
        deleted += entries;
        continue;
      }
      if (approx) break;
      const { fields, first } = this.masterFields(0);
      const out: Uint8Array[] = [];
      let p = first;
      let k = 0;
      while (p < this.used[0]!) {
        if (maxlen >= 0) {
          if (this.length - k <= maxlen) break;
        } else {
          this.readEntry(0, p, fields, out);
          if (this.entryId(0) >= minid) break;
        }
        p = this.skipEntry(0, p, fields.length);
        k++;
      }
      if (k > 0) this.cut(0, first, p, k, true);
      deleted += k;
      break;
    }
    return deleted;
  }

  clone(): StreamLog {
    const c = new StreamLog();
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
    c.length = this.length;
    c.allocated = c.nodes.reduce((s, n) => s + n.length, 0);
    return c;
  }
}
