// The timeouts of blocked clients: a binary min-heap of deadlines and ONE timer, armed for the
// earliest. An entry that ended early stays in the heap until it reaches the top, where `live`
// says it is gone (lazy deletion), so ending a wait costs nothing here.

interface Due<T> {
  at: number;
  item: T;
}

export class Deadlines<T> {
  private readonly heap: Due<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedAt = Infinity;

  constructor(
    /** True while `item` still waits (an ended one is skipped). */
    private readonly live: (item: T, at: number) => boolean,
    /** Called for each live item whose deadline passed. */
    private readonly expire: (item: T) => void,
  ) {}

  /** Adds `item` due at `at` (Unix ms). */
  add(item: T, at: number): void {
    const h = this.heap;
    h.push({ at, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    if (at < this.armedAt) this.arm();
  }

  private pop(): Due<T> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  /** Drops ended entries from the top, then sets the timer for the earliest live one. */
  private arm(): void {
    const h = this.heap;
    while (h.length > 0 && !this.live(h[0]!.item, h[0]!.at)) this.pop();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
    if (h.length === 0) return;
    this.armedAt = h[0]!.at;
    this.timer = setTimeout(this.fire, Math.max(1, this.armedAt - Date.now()));
    this.timer.unref?.();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = Date.now();
    const h = this.heap;
    while (h.length > 0 && h[0]!.at <= now) {
      const d = this.pop();
      if (this.live(d.item, d.at)) this.expire(d.item);
    }
    this.arm();
  };

  /** Rebuilds the heap from its live entries (the registry calls it when most have ended). */
  prune(): void {
    const kept = this.heap.filter((d) => this.live(d.item, d.at)).sort((a, b) => a.at - b.at);
    this.heap.length = 0;
    for (const d of kept) this.heap.push(d); // a sorted array is a heap
    this.arm();
  }

  /** Entries in the heap, ended ones included until they surface (for tests of leaks). */
  get size(): number {
    return this.heap.length;
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
  }
}
