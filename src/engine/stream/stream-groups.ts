// Consumer groups of a stream (Redis's streamCG, streamConsumer, streamNACK): the group's
// last-delivered ID and entries-read counter, its pending entries list (PEL: delivery time and
// count per ID, and the owning consumer), and its consumers, each with the IDs it holds. PELs are
// arrays sorted by ID (new deliveries append at the end); groups and consumers are kept in
// byte order of their names, as Redis's radix trees list them.

import type { StreamId } from "./stream-id.ts";

export interface PendingEntry {
  id: StreamId;
  /** Last delivery, ms since the epoch. */
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

/** Index of the first entry of `list` with ID ≥ id. */
export function lowerBound(list: readonly PendingEntry[], id: StreamId): number {
  let lo = 0;
  let hi = list.length;
  if (hi > 0 && list[hi - 1]!.id < id) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: PendingEntry[], e: PendingEntry): void {
  const i = lowerBound(list, e.id);
  if (i === list.length) list.push(e);
  else list.splice(i, 0, e);
}

function removeSorted(list: PendingEntry[], id: StreamId): void {
  const i = lowerBound(list, id);
  if (i < list.length && list[i]!.id === id) list.splice(i, 1);
}

export const nameKey = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");

export class Consumer {
  pending: PendingEntry[] = [];
  constructor(
    readonly name: Uint8Array,
    /** Last time it was seen (read or claimed), ms since the epoch. */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  pel: PendingEntry[] = [];
  consumers = new Map<string, Consumer>();
  constructor(
    readonly name: Uint8Array,
    public lastId: StreamId,
    /** Entries the group has read (-1: unknown, Redis's SCG_INVALID_ENTRIES_READ). */
    public entriesRead: number,
  ) {}

  pending(id: StreamId): PendingEntry | undefined {
    const i = lowerBound(this.pel, id);
    const e = this.pel[i];
    return e !== undefined && e.id === id ? e : undefined;
  }

  consumer(name: Uint8Array): Consumer | undefined {
    return this.consumers.get(nameKey(name));
  }

  /** The consumer `name`, created (seen at `now`) when missing; `created` says which. */
  ensureConsumer(name: Uint8Array, now: number): { consumer: Consumer; created: boolean } {
    const k = nameKey(name);
    const have = this.consumers.get(k);
    if (have !== undefined) return { consumer: have, created: false };
    const consumer = new Consumer(name.slice(), now);
    this.consumers.set(k, consumer);
    return { consumer, created: true };
  }

  /** Removes consumer `name`; returns how many pending entries it held (-1 when absent). */
  deleteConsumer(name: Uint8Array): number {
    const k = nameKey(name);
    const c = this.consumers.get(k);
    if (c === undefined) return -1;
    for (const e of c.pending) removeSorted(this.pel, e.id);
    this.consumers.delete(k);
    return c.pending.length;
  }

  /** Records `id` as delivered to `consumer` (moving it from another consumer if needed). */
  deliver(id: StreamId, consumer: Consumer, time: number, count: number): PendingEntry {
    let e = this.pending(id);
    if (e === undefined) {
      e = { id, deliveryTime: time, deliveryCount: count, consumer };
      insertSorted(this.pel, e);
      insertSorted(consumer.pending, e);
      return e;
    }
    if (e.consumer !== consumer) {
      removeSorted(e.consumer.pending, id);
      e.consumer = consumer;
      insertSorted(consumer.pending, e);
    }
    e.deliveryTime = time;
    e.deliveryCount = count;
    return e;
  }

  /** Acknowledges `id`: true when it was pending. */
  ack(id: StreamId): boolean {
    const e = this.pending(id);
    if (e === undefined) return false;
    removeSorted(this.pel, id);
    removeSorted(e.consumer.pending, id);
    return true;
  }

  /** Consumers in byte order of their names. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    const map = new Map<Consumer, Consumer>();
    for (const [k, c] of this.consumers) {
      const copy = new Consumer(c.name, c.seenTime);
      map.set(c, copy);
      g.consumers.set(k, copy);
    }
    for (const e of this.pel) {
      const owner = map.get(e.consumer)!;
      const copy = { ...e, consumer: owner };
      g.pel.push(copy);
      owner.pending.push(copy);
    }
    return g;
  }

  /** Bytes charged for the group (names, PEL entries, consumers). */
  bytes(): number {
    let n = 160 + this.name.length + this.pel.length * 96;
    for (const c of this.consumers.values()) n += 128 + c.name.length;
    return n;
  }
}
