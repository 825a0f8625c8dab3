// Consumer-group changes of a stream (XGROUP, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM below the
// command layer), each recorded as a Delta with the times it used, so replay rebuilds the same
// PEL, delivery counts and seen-times.

import { recordDelta } from "../compound/codecs.ts";
import type { Keyspace } from "../keyspace.ts";
import { ConsumerGroup, nameKey, type Consumer } from "./stream-groups.ts";
import { makeId, MAX_ID, type StreamId } from "./stream-id.ts";
import type { EntryVisitor } from "./stream-log.ts";
import { ascii, deltaId, deltaNumber, groupReplay, idArg, StreamOp, streamOf } from "./stream-type.ts";
import { UNKNOWN_READ } from "./stream-value.ts";

/** XGROUP CREATE: false when the group exists (BUSYGROUP). */
export function groupCreate(ks: Keyspace, slot: number, name: Uint8Array, lastId: StreamId, entriesRead: number): boolean {
  const s = streamOf(ks, slot);
  const k = nameKey(name);
  if (s.groups.has(k)) return false;
  s.groups.set(k, new ConsumerGroup(name.slice(), lastId, entriesRead));
  ks.recharge(slot);
  recordDelta(ks, slot, StreamOp.GroupCreate, [name, idArg(lastId), ascii(entriesRead)]);
  return true;
}

/** XGROUP SETID. */
export function groupSetId(ks: Keyspace, slot: number, g: ConsumerGroup, lastId: StreamId, entriesRead: number): void {
  g.lastId = lastId;
  g.entriesRead = entriesRead;
  recordDelta(ks, slot, StreamOp.GroupSetId, [g.name, idArg(lastId), ascii(entriesRead)]);
}

/** XGROUP DESTROY: false when there is no such group. */
export function groupDestroy(ks: Keyspace, slot: number, name: Uint8Array): boolean {
  const s = streamOf(ks, slot);
  if (!s.groups.delete(nameKey(name))) return false;
  ks.recharge(slot);
  recordDelta(ks, slot, StreamOp.GroupDestroy, [name]);
  return true;
}

/** The consumer `name` of `g`, created (and recorded) when missing. */
export function consumerEnsure(ks: Keyspace, slot: number, g: ConsumerGroup, name: Uint8Array, now: number): { consumer: Consumer; created: boolean } {
  const r = g.ensureConsumer(name, now);
  if (r.created) {
    ks.recharge(slot);
    recordDelta(ks, slot, StreamOp.ConsumerCreate, [g.name, name, ascii(now)]);
  }
  return r;
}

/** XGROUP DELCONSUMER: the consumer's pending count, or -1 when it does not exist. */
export function consumerDelete(ks: Keyspace, slot: number, g: ConsumerGroup, name: Uint8Array): number {
  const n = g.deleteConsumer(name);
  if (n < 0) return n;
  ks.recharge(slot);
  recordDelta(ks, slot, StreamOp.ConsumerDelete, [g.name, name]);
  return n;
}

/** Collects one Deliver delta: the deliveries of one command to one consumer. */
class Deliveries {
  readonly els: Uint8Array[] = [];
  constructor(private readonly ks: Keyspace) {}
  add(id: StreamId, time: number, count: number): void {
    if (this.ks.recording) this.els.push(idArg(id), ascii(time), ascii(count));
  }
  record(slot: number, g: ConsumerGroup, c: Consumer, always: boolean): void {
    if (!always && this.els.length === 0) return;
    recordDelta(this.ks, slot, StreamOp.Deliver, [g.name, c.name, ascii(c.seenTime), idArg(g.lastId), ascii(g.entriesRead), ...this.els]);
  }
}

/**
 * XREADGROUP `>`: delivers up to `count` (0 = all) entries after the group's last ID to `c`,
 * advancing the group's last ID and entries-read as Redis 7.0 does; `noack` skips the PEL.
 */
export function readGroupNew(ks: Keyspace, slot: number, g: ConsumerGroup, c: Consumer, count: number, noack: boolean, now: number, visit: EntryVisitor): number {
  const s = streamOf(ks, slot);
  if (g.lastId === MAX_ID) return 0;
  const d = new Deliveries(ks);
  const deliver = (id: StreamId, fv: Uint8Array[]): void => {
    if (id > g.lastId) {
      if (g.entriesRead !== UNKNOWN_READ && !s.rangeHasTombstones(id)) g.entriesRead++;
      else if (s.entriesAdded > 0) g.entriesRead = s.estimateReads(id);
      g.lastId = id;
    }
    if (!noack) {
      g.deliver(id, c, now, 1);
      d.add(id, now, 1);
    }
    visit(id, fv);
  };
  const from = g.lastId + 1n;
  const n = s.log.numeric
    ? s.log.rangeNumbers(from, MAX_ID, false, count, (ms, seq, fv) => deliver(makeId(BigInt(ms), BigInt(seq)), fv))
    : s.log.range(from, MAX_ID, false, count, deliver);
  if (n > 0) {
    ks.recharge(slot);
    d.record(slot, g, c, true);
  }
  return n;
}

/**
 * XREADGROUP with an ID: the entries `c` holds from `start` on (up to `count`, 0 = all). An entry
 * that still exists counts one more delivery at `now`; a deleted one is visited with no fields.
 */
export function readGroupHistory(ks: Keyspace, slot: number, g: ConsumerGroup, c: Consumer, start: StreamId, count: number, now: number, visit: (id: StreamId, fv: readonly Uint8Array[] | undefined) => void): number {
  const s = streamOf(ks, slot);
  const d = new Deliveries(ks);
  const held = c.pending.filter((e) => e.id >= start);
  let n = 0;
  for (const e of held) {
    if (count > 0 && n >= count) break;
    const fv = s.log.get(e.id);
    if (fv !== undefined) {
      e.deliveryTime = now;
      e.deliveryCount++;
      d.add(e.id, now, e.deliveryCount);
    }
    visit(e.id, fv);
    n++;
  }
  d.record(slot, g, c, false);
  return n;
}

/** XACK: how many of `ids` were pending. */
export function groupAck(ks: Keyspace, slot: number, g: ConsumerGroup, ids: readonly StreamId[]): number {
  const acked: Uint8Array[] = [];
  for (const id of ids) if (g.ack(id)) acked.push(idArg(id));
  if (acked.length > 0) {
    ks.recharge(slot);
    recordDelta(ks, slot, StreamOp.Ack, [g.name, ...acked]);
  }
  return acked.length;
}

/** The claims of one XCLAIM or XAUTOCLAIM: entries moved to one consumer, gone entries dropped. */
export class ClaimBatch {
  private readonly d: Deliveries;
  private readonly dropped: Uint8Array[] = [];
  private consumer: Consumer | undefined;
  constructor(private readonly ks: Keyspace, private readonly slot: number, private readonly g: ConsumerGroup) {
    this.d = new Deliveries(ks);
  }
  /** Sets `id` delivered to `c` at `time`, `count` times. */
  claim(id: StreamId, c: Consumer, time: number, count: number): void {
    this.consumer = c;
    this.g.deliver(id, c, time, count);
    this.d.add(id, time, count);
  }
  /** Drops a pending entry whose stream entry is gone. */
  drop(id: StreamId): void {
    if (this.g.ack(id)) this.dropped.push(idArg(id));
  }
  /** Records what was done; `lastMoved`: the group's last ID changed too (XCLAIM LASTID). */
  finish(lastMoved: boolean): void {
    this.ks.recharge(this.slot);
    const g = this.g;
    if (this.dropped.length > 0) recordDelta(this.ks, this.slot, StreamOp.Ack, [g.name, ...this.dropped]);
    if (this.consumer !== undefined) this.d.record(this.slot, g, this.consumer, lastMoved);
    else if (lastMoved) recordDelta(this.ks, this.slot, StreamOp.GroupSetId, [g.name, idArg(g.lastId), ascii(g.entriesRead)]);
  }
}

groupReplay.apply = (ks, slot, op, els) => {
  const s = streamOf(ks, slot);
  switch (op) {
    case StreamOp.GroupCreate:
      groupCreate(ks, slot, els[0]!, deltaId(els[1]!), deltaNumber(els[2]!));
      return;
    case StreamOp.GroupDestroy:
      groupDestroy(ks, slot, els[0]!);
      return;
  }
  const g = s.group(els[0]!);
  if (g === undefined) return;
  switch (op) {
    case StreamOp.GroupSetId:
      groupSetId(ks, slot, g, deltaId(els[1]!), deltaNumber(els[2]!));
      return;
    case StreamOp.ConsumerCreate:
      consumerEnsure(ks, slot, g, els[1]!, deltaNumber(els[2]!));
      return;
    case StreamOp.ConsumerDelete:
      consumerDelete(ks, slot, g, els[1]!);
      return;
    case StreamOp.Ack:
      groupAck(ks, slot, g, els.slice(1).map(deltaId));
      return;
    case StreamOp.Deliver: {
      const c = g.ensureConsumer(els[1]!, deltaNumber(els[2]!)).consumer;
      c.seenTime = deltaNumber(els[2]!);
      g.lastId = deltaId(els[3]!);
      g.entriesRead = deltaNumber(els[4]!);
      const batch = new ClaimBatch(ks, slot, g);
      for (let i = 5; i + 2 < els.length; i += 3) batch.claim(deltaId(els[i]!), c, deltaNumber(els[i + 1]!), deltaNumber(els[i + 2]!));
      if (els.length > 5) batch.finish(false);
      else recordDelta(ks, slot, StreamOp.Deliver, els);
    }
  }
};
