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
  /**
   * Forgets a removed entry. True when the keyspace may reuse the slot now; false when the policy
   * keeps it until later and then hands it back through its `release` callback.
   */
  remove(slot: number): boolean;
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
  remove(): boolean {
    return true;
  }
  victim(): number {
    return -1;
  }
  evicted(): void {}
  frequency(): number {
    return -1;
  }
  clear(): void {}
}

/** Entries in one doubly linked order (oldest first); `lru` and `volatile-ttl` build on it. */
abstract class LinkedOrder implements Policy {
  abstract readonly name: EvictionPolicy;
  protected readonly links: Links;
  protected readonly list: List;
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
  abstract access(slot: number): void;
  remove(slot: number): boolean {
    this.list.unlink(slot);
    return true;
  }
  /** The oldest entry other than `exclude`, or -1. */
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

export class Lru extends LinkedOrder {
  readonly name = "lru" as const;
  access(slot: number): void {
    if (this.list.tail === slot) return;
    this.list.unlink(slot);
    this.list.push(slot);
  }
}

/** A FIFO over slot ids with `next` links only: push at the tail, pop at the head. */
class Fifo {
  head = NIL;
  tail = NIL;
  /** Live members (dead ones wait in the queue until they reach the head or a purge). */
  size = 0;
  push(next: Uint32Array, slot: number): void {
    next[slot] = NIL;
    if (this.tail === NIL) this.head = slot;
    else next[this.tail] = slot;
    this.tail = slot;
  }
  pop(next: Uint32Array): number {
    const s = this.head;
    this.head = next[s]!;
    if (this.head === NIL) this.tail = NIL;
    return s;
  }
}

const FREQ = 3;
const IN_MAIN = 4;
const DEAD = 8;

/**
 * S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP 2023).
 * New keys enter the small queue S (about 10% of entries). A key reaching the head of S moves
 * to the main queue M if it was read while in S, else it is evicted and its hash goes to the ghost
 * table G. A key whose hash is in G enters M directly. M is a FIFO with a 2-bit frequency that
 * buys re-insertions (CLOCK-like). Hits only bump a counter, so reads never touch the queues.
 *
 * Queues are singly linked (4 bytes per slot instead of 8): a deleted key is only marked dead and
 * its slot goes back to the keyspace when it reaches a queue's head, or when dead slots outnumber
 * live ones and a purge walks the queues (amortized O(1) per delete).
 */
export class S3Fifo implements Policy {
  readonly name = "s3fifo" as const;
  private next: Uint32Array;
  private readonly small = new Fifo();
  private readonly main = new Fifo();
  private dead = 0;
  /** Per slot: frequency in bits 0-1, IN_MAIN, DEAD. */
  private state: Uint8Array;
  /**
   * Ghost: 16-bit fingerprints of keys evicted from S, direct-mapped by the hash's low bits
   * (a newer ghost replaces an older one; a false match is 1 in 65536).
   */
  private ghost: Uint16Array;
  private ghostMask: number;

  /** `release` gives a dead slot back to the keyspace for reuse. */
  constructor(
    capacity: number,
    private readonly release: (slot: number) => void,
  ) {
    this.next = new Uint32Array(capacity);
    this.state = new Uint8Array(capacity);
    const g = ghostSize(capacity);
    this.ghost = new Uint16Array(g);
    this.ghostMask = g - 1;
  }

  bytes(): number {
    return this.next.byteLength + this.state.byteLength + this.ghost.byteLength;
  }

  grow(capacity: number): void {
    const next = new Uint32Array(capacity);
    next.set(this.next);
    this.next = next;
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
      this.state[slot] = IN_MAIN;
      this.main.push(this.next, slot);
      this.main.size++;
    } else {
      this.state[slot] = 0;
      this.small.push(this.next, slot);
      this.small.size++;
    }
  }

  access(slot: number): void {
    const s = this.state[slot]!;
    if ((s & FREQ) !== FREQ) this.state[slot] = s + 1;
  }

  remove(slot: number): boolean {
    const st = this.state[slot]!;
    this.state[slot] = st | DEAD;
    if (st & IN_MAIN) this.main.size--;
    else this.small.size--;
    this.dead++;
    if (this.dead > 1024 && this.dead > this.small.size + this.main.size) this.purge();
    return false;
  }

  victim(exclude: number): number {
    const next = this.next;
    // Each loop either returns, drops a dead slot or moves one key (M re-insertions are bounded
    // by the 2-bit frequency), so the guard is never reached in practice.
    for (let guard = 4 * (this.small.size + this.main.size + this.dead) + 8; guard > 0; guard--) {
      const total = this.small.size + this.main.size;
      if (this.small.size > 0 && (this.small.size * 10 >= total || this.main.size === 0)) {
        const s = this.small.head;
        const st = this.state[s]!;
        if (st & DEAD) {
          this.dropHead(this.small);
          continue;
        }
        if ((st & FREQ) >= PROMOTE_MIN_FREQ || s === exclude) {
          this.small.pop(next);
          this.small.size--;
          this.state[s] = IN_MAIN; // promoted: frequency starts over in M
          this.main.push(next, s);
          this.main.size++;
          continue;
        }
        return s;
      }
      if (this.main.size === 0) return -1;
      const m = this.main.head;
      const st = this.state[m]!;
      if (st & DEAD) {
        this.dropHead(this.main);
        continue;
      }
      if ((st & FREQ) !== 0 || m === exclude) {
        if (m === exclude && total === 1) return -1;
        this.main.pop(next);
        this.state[m] = st & FREQ ? st - 1 : st;
        this.main.push(next, m);
        continue;
      }
      return m;
    }
    return -1;
  }

  private dropHead(q: Fifo): void {
    const s = q.pop(this.next);
    this.state[s] = 0;
    this.dead--;
    this.release(s);
  }

  /** Unlinks every dead slot from both queues and releases it. */
  private purge(): void {
    for (const q of [this.small, this.main]) {
      let prev = NIL;
      let s = q.head;
      while (s !== NIL) {
        const n = this.next[s]!;
        if (this.state[s]! & DEAD) {
          if (prev === NIL) q.head = n;
          else this.next[prev] = n;
          if (q.tail === s) q.tail = prev;
          this.state[s] = 0;
          this.dead--;
          this.release(s);
        } else prev = s;
        s = n;
      }
    }
  }

  evicted(slot: number, hash: number): void {
    if ((this.state[slot]! & IN_MAIN) === 0) this.ghost[hash & this.ghostMask] = (hash >>> 16) | 1;
  }

  frequency(slot: number): number {
    return this.state[slot]! & FREQ;
  }

  clear(): void {
    this.small.head = this.small.tail = NIL;
    this.main.head = this.main.tail = NIL;
    this.small.size = this.main.size = this.dead = 0;
    this.ghost.fill(0);
  }
}

/** Ghost cells: a power of two of at least half the slots (about as many as the main queue holds). */
const ghostSize = (capacity: number): number => {
  let g = 1024;
  while (g * 2 < capacity) g *= 2;
  return g;
};

/**
 * volatile-ttl: among up to 16 sampled entries with an expiry, evict the nearest to expire;
 * when none of the sample has one, fall back to insertion order (FIFO).
 */
export class VolatileTtl extends LinkedOrder {
  readonly name = "volatile-ttl" as const;
  constructor(
    capacity: number,
    private readonly sample: (exclude: number) => number,
  ) {
    super(capacity);
  }
  access(): void {}
  override victim(exclude: number): number {
    const s = this.sample(exclude);
    return s >= 0 ? s : super.victim(exclude);
  }
}
