// A small bounded front of decoded string values for the embedded Cache's getString.
//
// Why it exists: a getString hit must return a JS string, and making one from arena bytes
// (latin1Slice for ASCII) costs more than the whole lookup — it allocates a string per call,
// while lru-cache and Map hand back the string they were given. Keeping every decoded value would
// undo the engine's density (a 32-char JS string is ~60 bytes on top of its record), so the front
// is direct-mapped by slot id and bounded:
//   - at most MAX_CELLS cells (65,536), and never more than the slot capacity (a 1k-entry cache
//     has a 1k-cell front); the arrays are made on the first getString, so a cache read only as
//     bytes (and the server, which never asks for strings) pays nothing;
//   - only values of at most MAX_VALUE_BYTES (64) are kept, so its worst case is about
//     65,536 × (8 + 4 + ~90) ≈ 6.5 MiB whatever the number of entries (about 6.5 B per entry at
//     1M entries, and only once those values were read as strings);
//   - one cell per slot id: a lookup is one Int32Array read and one compare.
// Coherence: the keyspace calls `forget(slot)` whenever a slot's value can change or the slot
// leaves (replace, remove for delete / expiry / eviction, attach of a large collection) and
// `clear()` when everything goes. Expiry stays exact because a front hit is only consulted after
// the keyspace's lookup found the slot live (its expiry checked); the front never answers alone.

/** Most cells the front holds. */
export const MAX_CELLS = 1 << 16;
/** Longest value (bytes) the front keeps. */
export const MAX_VALUE_BYTES = 64;

export class HotValues {
  private slots: Int32Array;
  private values: (string | undefined)[];
  private mask: number;

  constructor(slotCapacity: number) {
    const cells = cellsFor(slotCapacity);
    this.slots = new Int32Array(cells).fill(-1);
    this.values = new Array<string | undefined>(cells).fill(undefined);
    this.mask = cells - 1;
  }

  /** The decoded value of `slot` when the front holds it. */
  get(slot: number): string | undefined {
    const i = slot & this.mask;
    return this.slots[i] === slot ? this.values[i] : undefined;
  }

  /** Keeps `value` (the decoded value of `slot`, `bytes` long) when it is short enough. */
  put(slot: number, value: string, bytes: number): void {
    if (bytes > MAX_VALUE_BYTES) return;
    const i = slot & this.mask;
    this.slots[i] = slot;
    this.values[i] = value;
  }

  /** Drops what the front holds for `slot` (its value changed or it left). */
  forget(slot: number): void {
    const i = slot & this.mask;
    if (this.slots[i] === slot) {
      this.slots[i] = -1;
      this.values[i] = undefined;
    }
  }

  /** Follows the slot capacity up to MAX_CELLS (the contents are dropped: it is only a cache). */
  grow(slotCapacity: number): void {
    const cells = cellsFor(slotCapacity);
    if (cells === this.slots.length) return;
    this.slots = new Int32Array(cells).fill(-1);
    this.values = new Array<string | undefined>(cells).fill(undefined);
    this.mask = cells - 1;
  }

  clear(): void {
    this.slots.fill(-1);
    this.values.fill(undefined);
  }

  /** Bytes of the cell arrays (not of the strings they point to). */
  bytes(): number {
    return this.slots.byteLength * 3;
  }
}

function cellsFor(slotCapacity: number): number {
  let cells = 16;
  while (cells < slotCapacity && cells < MAX_CELLS) cells *= 2;
  return cells;
}
