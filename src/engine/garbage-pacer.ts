// When to run a full garbage collection under maxmemory, so RSS stays near what used_memory
// counts. The engine's own bytes are exact (arena pages, typed arrays), but what it lets go of —
// an evicted or deleted collection's typed arrays and pages, the smaller arrays a growing table
// replaced, arena pages beyond the reuse pool — is only returned when the collector runs, and
// JavaScriptCore paces its collections by the heap's own growth, not by a memory limit. Under
// eviction a cache cycles through its whole budget again and again, so that garbage piled up to
// several times maxmemory (sets of 100 members at 64 MiB: 420 MiB RSS), and the allocator keeps
// the peak's pages after the collection (RSS after a late collection stayed ~300 MiB).
//
// The pacer counts the bytes the engine releases (`noteGarbage`) and, once they reach a share of
// maxmemory, runs `Bun.gc(true)` after the current batch of commands (a microtask: never inside a
// command). `checkRss` (the server's cron tick) covers garbage the engine does not see — request
// buffers and reply objects: a collection when RSS grew by a share of maxmemory since the last one.
// Only a keyspace with a memory limit reports (maxMem > 0); the embedded Cache never collects.
import type { Bytes } from "./types.ts";

const MiB = 1024 * 1024;

/** Released bytes between collections: an eighth of maxmemory, within [4 MiB, 64 MiB]. */
export const garbageThreshold = (maxMem: Bytes): Bytes => Math.min(64 * MiB, Math.max(4 * MiB, maxMem / 8));

/** RSS growth since the last collection that makes the cron tick collect: a quarter of maxmemory, at least 16 MiB. */
export const rssSlack = (maxMem: Bytes): Bytes => Math.max(16 * MiB, maxMem / 4);

export class GarbagePacer {
  /** Bytes released since the last collection. */
  private released = 0;
  private scheduled = false;
  /** RSS right after the last collection (0 before the first). */
  private rssAfter = 0;
  /** Collections run (tests, INFO-style figures). */
  collections = 0;

  constructor(
    private readonly collect: () => void = () => Bun.gc(true),
    private readonly rss: () => Bytes = () => process.memoryUsage.rss(),
    private readonly defer: (f: () => void) => void = queueMicrotask,
  ) {}

  /** The engine let go of `bytes` (no longer referenced); `maxMem` is the limit of the keyspace that did. */
  noteGarbage(bytes: Bytes, maxMem: Bytes): void {
    if (maxMem <= 0 || bytes <= 0) return;
    this.released += bytes;
    if (this.released < garbageThreshold(maxMem) || this.scheduled) return;
    this.scheduled = true;
    this.defer(this.run);
  }

  /** Cron tick: collects when RSS grew by rssSlack(maxMem) since the last collection. */
  checkRss(maxMem: Bytes): void {
    if (maxMem <= 0 || this.scheduled) return;
    const rss = this.rss();
    if (this.rssAfter === 0) this.rssAfter = rss;
    else if (rss - this.rssAfter > rssSlack(maxMem)) this.run();
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.released = 0;
    this.collect();
    this.collections++;
    this.rssAfter = this.rss();
  };
}

/** The process's pacer: one heap per process, shared by its databases. */
export const garbagePacer = new GarbagePacer();
