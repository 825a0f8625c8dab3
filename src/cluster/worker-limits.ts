// A worker's side of the server-wide limits (the supervisor's LimitsBook holds the book): it
// admits clients within its share of maxclients (asking for more when it is used up, the new
// client waiting meanwhile), gives unused share back when asked, reports its memory use and
// applies its share of maxmemory as its keyspace's limit.

import { MEMORY_ROUND_MS, type LimitsOrder, type LimitsReport } from "./limits-book.ts";

export interface WorkerLimitsOptions {
  maxclients: number;
  maxmemory: number;
  /** Clients connected to this worker now. */
  clients: () => number;
  /** The memory this worker's maxmemory share is compared with (the keyspace's own figure). */
  usedMemory: () => number;
  /** Sets this worker's memory limit (0 = none). */
  setMemoryLimit: (bytes: number) => void;
  /** To the supervisor. */
  send: (m: LimitsReport) => void;
}

export class WorkerLimits {
  private share = 0;
  private readonly waiting: ((admitted: boolean) => void)[] = [];
  private asking = false;
  private maxclients: number;
  private maxmemory: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** This worker's share of maxmemory as the book last set it (0 = none yet). */
  private memShare = 0;
  /** The maxmemory `memShare` is a share of. */
  private memShareOf = 0;
  /** Memory is limited once the data is loaded (a load never evicts or fails for a share). */
  private started = false;

  constructor(private readonly o: WorkerLimitsOptions) {
    this.maxclients = o.maxclients;
    this.maxmemory = o.maxmemory;
    o.send({ t: "limits", maxclients: o.maxclients, maxmemory: o.maxmemory });
  }

  /** Once the data is loaded: memory is reported (and limited) from now on. */
  start(): void {
    this.started = true;
    if (this.maxmemory > 0 && this.memShare > 0 && this.memShareOf === this.maxmemory) this.o.setMemoryLimit(this.memShare);
    this.report();
    this.timer = setInterval(() => this.report(), MEMORY_ROUND_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    for (const w of this.waiting.splice(0)) w(false);
  }

  /** Calls `decide` now when this worker's share allows one more client, else once the book answered. */
  admit(decide: (admitted: boolean) => void): void {
    if (this.waiting.length === 0 && this.o.clients() < this.share) return decide(true);
    this.waiting.push(decide);
    this.ask();
  }

  /** CONFIG SET maxclients / maxmemory on this worker (every worker gets the same). */
  configChanged(maxclients: number, maxmemory: number): void {
    if (maxclients === this.maxclients && maxmemory === this.maxmemory) return;
    const old = this.maxmemory;
    this.maxclients = maxclients;
    this.maxmemory = maxmemory;
    // The share scales with the limit at once (the book scales every share alike).
    if (this.memShareOf !== maxmemory) {
      // Not yet told by the book: the share scales with the limit at once (the book does the same).
      this.memShare = maxmemory === 0 || old === 0 || this.memShareOf !== old ? 0 : Math.floor((this.memShare * maxmemory) / old);
      this.memShareOf = maxmemory;
    }
    if (maxmemory === 0) this.o.setMemoryLimit(0);
    else if (this.started && this.memShare > 0) this.o.setMemoryLimit(this.memShare);
    this.o.send({ t: "limits", maxclients, maxmemory });
  }

  onOrder(m: LimitsOrder): void {
    switch (m.t) {
      case "clients-grant":
        this.asking = false;
        this.share += m.n;
        this.serveWaiting(m.n === 0);
        break;
      case "clients-give": {
        const spare = Math.max(0, this.share - this.o.clients() - this.waiting.length);
        this.share -= spare;
        this.o.send({ t: "clients-gave", n: spare });
        break;
      }
      case "mem-share":
        this.memShare = m.bytes;
        this.memShareOf = m.max;
        if (m.max === this.maxmemory && this.maxmemory > 0 && this.started) this.o.setMemoryLimit(m.bytes);
        if (m.round !== undefined) this.o.send({ t: "mem-used", used: this.o.usedMemory(), ack: m.round });
        break;
    }
  }

  private serveWaiting(full: boolean): void {
    while (this.waiting.length > 0 && this.o.clients() < this.share) this.waiting.shift()!(true);
    if (this.waiting.length === 0) return;
    if (full) for (const w of this.waiting.splice(0)) w(false);
    else this.ask();
  }

  private ask(): void {
    if (this.asking) return;
    this.asking = true;
    this.o.send({ t: "clients-want" });
  }

  private report(): void {
    this.o.send({ t: "mem-used", used: this.o.usedMemory() });
  }
}
