// One stream key's value (Redis's `stream` struct): the entry log, the last generated ID, the
// largest deleted ID and the count of entries ever added (7.0's lag bookkeeping), and the
// consumer groups. Always held by the keyspace as a LargeValue (an empty stream still exists, as
// in Redis). Its serialized form is a packed value (packed.ts layout, tag STREAM_TAG):
//
//   lastId maxDeletedId entriesAdded nNodes (masterId lastId added lpBytes nEntries (id nFieldValues fv*)*)* nGroups
//   (name lastId entriesRead nConsumers (name seenTime)* nPending (id time count consumer)*)*
//
// numbers and IDs in decimal ASCII.

import { elemNext, elemView, PACKED_HEADER, packedCount, PackedWriter } from "../compound/packed.ts";
import type { Bytes, LargeValue } from "../types.ts";
import { ConsumerGroup, nameKey } from "./stream-groups.ts";
import { formatId, makeId, MAX_ID, parseFullId, type StreamId } from "./stream-id.ts";
import { StreamLog } from "./stream-log.ts";

/** The tag byte of a serialized stream. */
export const STREAM_TAG = 16;
/** Redis's SCG_INVALID_ENTRIES_READ. */
export const UNKNOWN_READ = -1;

const enc = new TextEncoder();
const dec = new TextDecoder();
const ascii = (v: string | number | bigint): Uint8Array => enc.encode(String(v));
const SMALL = Array.from({ length: 64 }, (_v, i) => ascii(i));
const small = (n: number): Uint8Array => SMALL[n] ?? ascii(n);

/** A non-negative decimal of at most 15 digits from bytes, or NaN. */
function decimal(b: Uint8Array, from = 0, to = b.length): number {
  if (to <= from || to - from > 15) return NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

export class StreamValue implements LargeValue {
  charged: Bytes = 0;
  log = new StreamLog();
  lastId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0;
  groups = new Map<string, ConsumerGroup>();

  get length(): number {
    return this.log.length;
  }

  /** ID of the first entry, 0-0 when empty (Redis's s->first_id). */
  firstId(): StreamId {
    return this.log.edge(false) ?? 0n;
  }

  group(name: Uint8Array): ConsumerGroup | undefined {
    return this.groups.get(nameKey(name));
  }

  /** Groups in byte order of their names. */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  /** streamRangeHasTombstones: may [start, end] contain a deleted entry? */
  rangeHasTombstones(start: StreamId, end: StreamId = MAX_ID): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId() > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && end >= this.maxDeletedId;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, or UNKNOWN_READ. */
  estimateReads(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return UNKNOWN_READ;
    const first = this.firstId();
    if (this.maxDeletedId === 0n || this.maxDeletedId < first) {
      if (id < first) return this.entriesAdded - this.length;
      if (id === first) return this.entriesAdded - this.length + 1;
    }
    return UNKNOWN_READ;
  }

  /** A group's lag (entries not yet delivered), or undefined when it cannot be known. */
  lag(g: ConsumerGroup): number | undefined {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== UNKNOWN_READ && !this.rangeHasTombstones(g.lastId)) return this.entriesAdded - g.entriesRead;
    const read = this.estimateReads(g.lastId);
    return read === UNKNOWN_READ ? undefined : this.entriesAdded - read;
  }

  bytes(): Bytes {
    let n = this.log.bytes() + 128;
    for (const g of this.groups.values()) n += g.bytes();
    return n;
  }

  serialize(): Uint8Array {
    const w = new PackedWriter().begin(STREAM_TAG as 0);
    const log = this.log;
    w.push(ascii(formatId(this.lastId))).push(ascii(formatId(this.maxDeletedId))).push(ascii(this.entriesAdded)).push(ascii(log.nodeCount));
    for (let i = 0; i < log.nodeCount; i++) {
      w.push(ascii(formatId(log.masters[i]!))).push(ascii(formatId(log.lasts[i]!))).push(ascii(log.added[i]!)).push(ascii(log.lpBytes[i]!)).push(ascii(log.live[i]!));
      const entry = (idText: string, fv: Uint8Array[]): void => {
        w.push(ascii(idText)).push(small(fv.length));
        for (const e of fv) w.push(e);
      };
      if (log.numeric) log.rangeNumbers(log.masters[i]!, log.lasts[i]!, false, log.live[i]!, (ms, seq, fv) => entry(`${ms}-${seq}`, fv));
      else log.range(log.masters[i]!, log.lasts[i]!, false, log.live[i]!, (id, fv) => entry(formatId(id), fv));
    }
    w.push(ascii(this.groups.size));
    for (const g of this.sortedGroups()) {
      w.push(g.name).push(ascii(formatId(g.lastId))).push(ascii(g.entriesRead)).push(ascii(g.consumers.size));
      for (const c of g.sortedConsumers()) w.push(c.name).push(ascii(c.seenTime));
      w.push(ascii(g.pel.length));
      for (const e of g.pel) w.push(ascii(formatId(e.id))).push(ascii(e.deliveryTime)).push(ascii(e.deliveryCount)).push(e.consumer.name);
    }
    return w.finish().slice();
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.log = this.log.clone();
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [k, g] of this.groups) s.groups.set(k, g.clone());
    return s;
  }
}

/** Rebuilds a stream from its serialized form, or undefined when it is malformed. */
export function parseStream(packed: Uint8Array): StreamValue | undefined {
  if (packed[0] !== STREAM_TAG) return undefined;
  const total = packedCount(packed);
  let p = PACKED_HEADER;
  let read = 0;
  const next = (): Uint8Array => {
    if (read++ >= total) throw new RangeError("truncated stream");
    const v = elemView(packed, p);
    p = elemNext(packed, p);
    return v;
  };
  const num = (): number => {
    const b = next();
    const n = b[0] === 45 ? -decimal(b, 1) : decimal(b);
    if (!Number.isInteger(n)) throw new RangeError("bad number");
    return n;
  };
  const id = (): StreamId => {
    const b = next();
    const dash = b.indexOf(45);
    const ms = dash > 0 ? decimal(b, 0, dash) : NaN;
    const seq = dash > 0 ? decimal(b, dash + 1) : NaN;
    if (ms === ms && seq === seq) return makeId(BigInt(ms), BigInt(seq));
    const v = parseFullId(dec.decode(b));
    if (v === undefined) throw new RangeError("bad id");
    return v;
  };
  try {
    const s = new StreamValue();
    s.lastId = id();
    s.maxDeletedId = id();
    s.entriesAdded = num();
    const nodes = num();
    for (let i = 0; i < nodes; i++) {
      const master = id();
      const last = id();
      const added = num();
      const lp = num();
      const n = num();
      const entries: { id: StreamId; fv: Uint8Array[] }[] = [];
      for (let j = 0; j < n; j++) {
        const eid = id();
        const k = num();
        const fv: Uint8Array[] = [];
        for (let f = 0; f < k; f++) fv.push(next());
        entries.push({ id: eid, fv });
      }
      s.log.loadNode(master, last, added, lp, entries);
    }
    const ng = num();
    for (let i = 0; i < ng; i++) {
      const g = new ConsumerGroup(next().slice(), id(), num());
      s.groups.set(nameKey(g.name), g);
      const nc = num();
      for (let j = 0; j < nc; j++) {
        const name = next();
        g.ensureConsumer(name, num());
      }
      const np = num();
      for (let j = 0; j < np; j++) {
        const pid = id();
        const time = num();
        const count = num();
        const owner = g.ensureConsumer(next(), time).consumer;
        g.deliver(pid, owner, time, count);
      }
    }
    return s;
  } catch {
    return undefined;
  }
}
