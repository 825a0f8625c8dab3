// Reading a stream's entries (stored by stream-nodes.ts): ranges in either direction from any ID
// (a binary search over the node master IDs, then a walk that decodes only the entries it
// returns), single entries, deletes and Redis's trims. While every ID fits doubles exactly
// (`numeric`), IDs are compared and handed out as numbers, with no bigint per entry.

import { readVarint, SAME_FIELDS, skipString, unzigzag, viewString, pos } from "./node-bytes.ts";
import { idMs, idSeq, makeId, SEQ_MASK, type StreamId } from "./stream-id.ts";
import { StreamNodes } from "./stream-nodes.ts";

/** What readEntry read last: the offset after it, its ID halves as numbers, its deltas. */
let after = 0;
let curMs = 0;
let curSeq = 0;
let curDms = 0;
let curDseq = 0;
let curFlags = 0;
const halfNumber = (h: bigint): number => (h >= 1n << 53n ? Infinity : Number(h));

/** Visits an entry: its ID and its fields and values alternating (views valid during the call). */
export type EntryVisitor = (id: StreamId, fieldsValues: Uint8Array[]) => void;

export class StreamLog extends StreamNodes {
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
    this.copyInto(c);
    return c;
  }
}
