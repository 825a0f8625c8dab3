// Eviction policies over slot ids. Lists are typed arrays of slot numbers (no node objects), as in
// lru-cache. The keyspace picks one policy in its constructor; hot paths call `access` only.

import type { EvictionPolicy } from "./types.ts";

const NIL = 0xffffffff;
/** Reads while in S needed to move to M instead of leaving. */
const PROMOTE_MIN_FREQ = 1;

export interface Policy {
  readonly name: EvictionPolicy;
  /** Bytes of the policy's arrays. */
  bytes(): number;
  grow(capacity: number): void;
  insert(slot: number, hash: number): void;
  access(slot: number): void;
  remove(slot: number): void;
  /** The slot to evict next (never `exclude`), or -1 when nothing can be evicted. */
  victim(exclude: number): number;
  /** Remembers an evicted key (S3-FIFO's ghost queue). */
  evicted(slot: number, hash: number): void;
  /** Access frequency for OBJECT FREQ, -1 when not tracked. */
  frequency(slot: number): number;
  clear(): void;
}

/** A set of doubly linked lists over slot ids, sharing one pair of link arrays. */
class Links {
  next: Uint32Array;
  prev: Uint32Array;
  constructor(capacity: number) {
    this.next = new Uint32Array(capacity);
    this.prev = new Uint32Array(capacity);
  }
  grow(capacity: number): void {
    const next = new Uint32Array(capacity);
    next.set(this.next);
    this.next = next;
    const prev = new Uint32Array(capacity);
    prev.set(this.prev);
    this.prev = prev;
  }
  bytes(): number {
    return this.next.byteLength + this.prev.byteLength;
  }
}

/** One FIFO/LRU list: head is the oldest, tail the newest. */
class List {
  head = NIL;
  tail = NIL;
  size = 0;
  constructor(private readonly l: Links) {}
  push(slot: number): void {
    const l = this.l;
    l.prev[slot] = this.tail;
    l.next[slot] = NIL;
    if (this.tail === NIL) this.head = slot;
    else l.next[this.tail] = slot;
    this.tail = slot;
    this.size++;
  }
  unlink(slot: number): void {
    const l = this.l;
    const p = l.prev[slot]!;
    const n = l.next[slot]!;
    if (p === NIL) this.head = n;
    else l.next[p] = n;
    if (n === NIL) this.tail = p;
    else l.prev[n] = p;
    this.size--;
  }
  clear(): void {
    this.head = this.tail = NIL;
    this.size = 0;
  }
}

/**
 * No eviction bookkeeping at all. Used for `noeviction`, and for every policy while the keyspace
 * has no limit (nothing can be evicted, so links and frequencies would be dead weight: about 13
 * bytes per entry). The keyspace builds the real policy when a limit is configured.
 */
export class NoEviction implements Policy {
  constructor(readonly name: EvictionPolicy = "noeviction") {}
  bytes(): number {
    return 0;
  }
  grow(): void {}
  insert(): void {}
  access(): void {}
  remove(): void {}
  victim(): number {
    return -1;
  }
  evicted(): void {}
  frequency(): number {
    return -1;
  }
  clear(): void {}
}

export class Lru implements Policy {
  readonly name = "lru" as const;
  private readonly links: Links;
  private readonly list: List;
  constructor(capacity: number) {
    this.links = new Links(capacity);
    this.list = new List(this.links);
  }
  bytes(): number {
    return this.links.bytes();
  }
  grow(capacity: number): void {
    this.links.grow(capacity);
  }
  insert(slot: number): void {
    this.list.push(slot);
  }
  access(slot: number): void {
    if (this.list.tail === slot) return;
    this.list.unlink(slot);
    this.list.push(slot);
  }
  remove(slot: number): void {
    this.list.unlink(slot);
  }
  victim(exclude: number): number {
    let s = this.list.head;
    if (s === exclude) s = this.links.next[s]!;
    return s === NIL ? -1 : s;
  }
  evicted(): void {}
  frequency(): number {
    return -1;
  }
  clear(): void {
    this.list.clear();
  }
}

/**
 * S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP 2023).
 * New keys enter the small queue S (about 10% of entries). A key reaching the head of S moves
 * to the main queue M if it was read while in S, else it is evicted and its hash goes to the ghost
 * table G. A key whose hash is in G enters M directly. M is a FIFO with a 2-bit frequency that
 * buys re-insertions (CLOCK-like). Hits only bump a counter, so reads never touch the lists.
 */
export class S3Fifo implements Policy {
  readonly name = "s3fifo" as const;
  private readonly links: Links;
  private readonly small: List;
  private readonly main: List;
  /** Per slot: frequency in bits 0-1, queue in bit 2 (0 = small, 1 = main). */
  private state: Uint8Array;
  /**
   * Ghost: 16-bit fingerprints of keys evicted from S, direct-mapped by the hash's low bits
   * (a newer ghost replaces an older one; a false match is 1 in 65536).
   */
  private ghost: Uint16Array;
  private ghostMask: number;

  constructor(capacity: number) {
    this.links = new Links(capacity);
    this.small = new List(this.links);
    this.main = new List(this.links);
    this.state = new Uint8Array(capacity);
    const g = ghostSize(capacity);
    this.ghost = new Uint16Array(g);
    this.ghostMask = g - 1;
  }

  bytes(): number {
    return this.links.bytes() + this.state.byteLength + this.ghost.byteLength;
  }

  grow(capacity: number): void {
    this.links.grow(capacity);
    const state = new Uint8Array(capacity);
    state.set(this.state);
    this.state = state;
    const g = ghostSize(capacity);
    if (g !== this.ghost.length) {
      // Fingerprints cannot be re-homed without their hashes; a grown cache starts a fresh ghost.
      this.ghost = new Uint16Array(g);
      this.ghostMask = g - 1;
    }
  }

  insert(slot: number, hash: number): void {
    const gi = hash & this.ghostMask;
    const tag = (hash >>> 16) | 1; // 0 marks an empty ghost cell
    if (this.ghost[gi] === tag) {
      this.ghost[gi] = 0;
      this.state[slot] = 4;
      this.main.push(slot);
    } else {
      this.state[slot] = 0;
      this.small.push(slot);
    }
  }

  access(slot: number): void {
    const s = this.state[slot]!;
    if ((s & 3) !== 3) this.state[slot] = s + 1;
  }

  remove(slot: number): void {
    if (this.state[slot]! & 4) this.main.unlink(slot);
    else this.small.unlink(slot);
  }

  victim(exclude: number): number {
    const total = this.small.size + this.main.size;
    // Each loop either returns or moves one key (bounded by 4 passes over M: freq ≤ 3).
    for (let guard = 4 * total + 8; guard > 0; guard--) {
      if (this.small.size > 0 && (this.small.size * 10 >= total || this.main.size === 0)) {
        const s = this.small.head;
        const st = this.state[s]!;
        if ((st & 3) >= PROMOTE_MIN_FREQ || s === exclude) {
          this.small.unlink(s);
          this.state[s] = 4; // promoted: frequency starts over in M
          this.main.push(s);
          continue;
        }
        return s;
      }
      if (this.main.size === 0) return -1;
      const m = this.main.head;
      const st = this.state[m]!;
      if ((st & 3) !== 0 || m === exclude) {
        this.main.unlink(m);
        this.state[m] = st & 3 ? st - 1 : st;
        this.main.push(m);
        if (m === exclude && total === 1) return -1;
        continue;
      }
      return m;
    }
    return -1;
  }

  evicted(slot: number, hash: number): void {
    if ((this.state[slot]! & 4) === 0) this.ghost[hash & this.ghostMask] = (hash >>> 16) | 1;
  }

  frequency(slot: number): number {
    return this.state[slot]! & 3;
  }

  clear(): void {
    this.small.clear();
    this.main.clear();
    this.ghost.fill(0);
  }
}

const ghostSize = (capacity: number): number => {
  let g = 1024;
  while (g < capacity) g *= 2;
  return g;
};

/**
 * volatile-ttl: among up to 16 sampled entries with an expiry, evict the nearest to expire;
 * when none of the sample has one, fall back to insertion order (FIFO).
 */
export class VolatileTtl implements Policy {
  readonly name = "volatile-ttl" as const;
  private readonly links: Links;
  private readonly list: List;
  constructor(
    capacity: number,
    private readonly sample: (exclude: number) => number,
  ) {
    this.links = new Links(capacity);
    this.list = new List(this.links);
  }
  bytes(): number {
    return this.links.bytes();
  }
  grow(capacity: number): void {
    this.links.grow(capacity);
  }
  insert(slot: number): void {
    this.list.push(slot);
  }
  access(): void {}
  remove(slot: number): void {
    this.list.unlink(slot);
  }
  victim(exclude: number): number {
    const s = this.sample(exclude);
    if (s >= 0) return s;
    let h = this.list.head;
    if (h === exclude) h = this.links.next[h]!;
    return h === NIL ? -1 : h;
  }
  evicted(): void {}
  frequency(): number {
    return -1;
  }
  clear(): void {
    this.list.clear();
  }
}
