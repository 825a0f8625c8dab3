// What `maxmemory` compares when a keyspace counts allocated memory (the server, as Redis does with
// used_memory): every byte the engine allocated (arena pages with their dead space and the unused
// tail of the current page, typed arrays, the index, the policy's arrays) plus bytes held outside
// it that the owner reports (client query and output buffers, WAL buffers). The embedded Cache
// keeps the default figure, the bytes charged to live entries.
//
// At the limit, dead space is reclaimed before anything is evicted: a page with at least
// RECLAIM_MIN_DEAD dead bytes is compacted (its live records move to the current page and the page
// is released), which lowers the allocated figure without losing an entry.
import { PAGE_BYTES, type Arena } from "./arena.ts";
import type { Bytes } from "./types.ts";

/** Bytes held outside the engine that count toward maxmemory. Called on every limit check: keep it O(1). */
export type ExternalBytes = () => Bytes;

/** Dead bytes a page must hold to be compacted at the limit (smaller gains are not worth the copy). */
export const RECLAIM_MIN_DEAD = PAGE_BYTES / 8;

export class MemoryBudget {
  constructor(
    /** The engine's allocated bytes (Keyspace.memoryBytes). */
    private readonly engineBytes: () => Bytes,
    readonly external: ExternalBytes,
  ) {}

  /** The figure maxmemory limits and INFO reports as used_memory. */
  used(): Bytes {
    return this.engineBytes() + this.external();
  }

  /**
   * Compacts one page when enough dead space is there; true when the allocated bytes went down.
   * `compact(maxLive)` moves the live records out of the sparsest page holding at most maxLive.
   */
  reclaim(arena: Arena, compact: (maxLive: number) => boolean): boolean {
    if (arena.allocatedBytes - arena.liveBytes < PAGE_BYTES + RECLAIM_MIN_DEAD) return false; // only the current page's tail
    const before = arena.allocatedBytes;
    if (!compact(PAGE_BYTES - RECLAIM_MIN_DEAD)) return false;
    return arena.allocatedBytes < before;
  }
}
