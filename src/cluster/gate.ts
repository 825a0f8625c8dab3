// The worker's execution gate: while a cross-worker atomic operation (MSET, MULTI/EXEC, RENAME
// over two workers) holds it, this worker runs commands for the holder only. Everyone else's
// commands wait in their own queues, in order, and resume when the gate opens. Holders are
// granted in arrival order; a coordinator takes the gates of the workers it needs in ascending
// worker order, so two coordinators cannot wait for each other.

export type GateHolder = object;

export class Gate {
  /** Who holds the gate, null when open. */
  holder: GateHolder | null = null;
  /**
   * How many times the holder took it. A peer link carries the lock requests of every coordinator
   * on that peer, in order: a second lock from the same link while the first is held is granted
   * at once (the coordinators are already ordered by their own worker's gate, and their requests
   * by the link), and the gate opens when the link has unlocked as often as it locked.
   */
  private depth = 0;
  private readonly waiters: { who: GateHolder; grant: () => void }[] = [];
  private readonly resumers = new Set<() => void>();
  /** Times the gate was taken (INFO). */
  acquisitions = 0;

  /** True when `who` may run a command now. */
  allows(who: GateHolder): boolean {
    return this.holder === null || this.holder === who;
  }

  /** Takes the gate for `who` (now, or once earlier holders released it) and calls `grant`. */
  acquire(who: GateHolder, grant: () => void): void {
    if (this.holder === who) {
      this.depth++;
      grant();
    } else if (this.holder === null) {
      this.holder = who;
      this.depth = 1;
      this.acquisitions++;
      grant();
    } else {
      this.waiters.push({ who, grant });
    }
  }

  /** Releases the gate held by `who`: the next waiter gets it, or waiting commands resume. */
  release(who: GateHolder): void {
    if (this.holder !== who) return;
    if (--this.depth > 0) return;
    this.holder = null;
    const next = this.waiters.shift();
    if (next !== undefined) {
      this.holder = next.who;
      this.depth = 1;
      this.acquisitions++;
      next.grant();
      return;
    }
    const list = [...this.resumers];
    this.resumers.clear();
    for (const fn of list) {
      if (this.holder !== null) {
        this.resumers.add(fn);
        continue;
      }
      fn();
    }
  }

  /** Drops a holder that went away (its link closed): releases or unqueues it. */
  forget(who: GateHolder): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i]!.who === who) this.waiters.splice(i, 1);
    if (this.holder === who) {
      this.depth = 1;
      this.release(who);
    }
  }

  /** Calls `fn` once the gate is open again (each party registers at most once). */
  onOpen(fn: () => void): void {
    this.resumers.add(fn);
  }
}
