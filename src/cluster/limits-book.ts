// The supervisor's book of server-wide limits: `maxclients` and `maxmemory` are for the whole
// server, split between the workers in shares that always add up to at most the limit, and that
// follow the load. Each worker enforces its own share locally (no shared memory, no locks);
// shares move by message over the supervisor's IPC, serialised here:
//
//  clients   A worker whose share is used up asks for more (the new client waits, paused). The
//            book grants from the unassigned rest; when none is left it first takes back every
//            other worker's unused share (each gives it up at once and says how much), then
//            grants, or refuses (the client gets -ERR max number of clients reached).
//  memory    Workers report what they use ten times a second. A round sets each worker's share
//            to its use plus a part of the free rest, the larger part to the workers that grew
//            since the last round. Shares that shrink are applied first and acknowledged with
//            the worker's use at that moment; only then do the others grow, into what is left.
//            So the sum of max(use, share) never exceeds maxmemory.

/** Worker → supervisor. */
export type LimitsReport =
  | { t: "limits"; maxclients: number; maxmemory: number }
  | { t: "clients-want" }
  | { t: "clients-gave"; n: number }
  | { t: "mem-used"; used: number; ack?: number };

/** Supervisor → worker. */
export type LimitsOrder =
  | { t: "clients-grant"; n: number }
  | { t: "clients-give" }
  /** `max`: the maxmemory this share is of (a worker may not have applied a CONFIG SET yet). */
  | { t: "mem-share"; bytes: number; max: number; round?: number };

export const isLimitsReport = (m: { t: string }): m is LimitsReport =>
  m.t === "limits" || m.t === "clients-want" || m.t === "clients-gave" || m.t === "mem-used";

/** How often workers report memory use and the book rebalances, ms. */
export const MEMORY_ROUND_MS = 100;

export class LimitsBook {
  private maxClients = 0;
  private maxMemory = 0;
  private readonly clientShares: number[];
  private readonly memShares: number[];
  private readonly memUsed: number[];
  private readonly memAtLastRound: number[];
  /** Workers whose memory share is set (a new worker has none: its limit is off until then). */
  private readonly memKnown: boolean[];
  private readonly alive: boolean[];
  private readonly wants: number[] = [];
  private clientsBusy = false;
  private gives: { left: Set<number>; done: () => void } | undefined;
  private memRound: { id: number; left: Set<number>; acked: Map<number, number>; raise: () => void } | undefined;
  private roundId = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly n: number,
    private readonly send: (worker: number, m: LimitsOrder) => void,
  ) {
    this.clientShares = new Array<number>(n).fill(0);
    this.memShares = new Array<number>(n).fill(0);
    this.memUsed = new Array<number>(n).fill(0);
    this.memAtLastRound = new Array<number>(n).fill(0);
    this.memKnown = new Array<boolean>(n).fill(false);
    this.alive = new Array<boolean>(n).fill(true);
    this.timer = setInterval(() => this.memoryRound(), MEMORY_ROUND_MS);
    this.timer.unref();
  }

  onReport(w: number, m: LimitsReport): void {
    switch (m.t) {
      case "limits": {
        const lowerClients = m.maxclients < this.maxClients;
        this.maxClients = m.maxclients;
        if (m.maxmemory !== this.maxMemory) this.newMaxMemory(m.maxmemory);
        if (lowerClients) {
          this.wants.push(-1); // take back unused shares so the sum fits the new limit
          this.pumpClients();
        }
        break;
      }
      case "clients-want":
        this.wants.push(w);
        this.pumpClients();
        break;
      case "clients-gave":
        this.clientShares[w] = Math.max(0, this.clientShares[w]! - m.n);
        this.gaveFrom(w);
        break;
      case "mem-used":
        this.memUsed[w] = m.used;
        if (m.ack !== undefined && this.memRound?.id === m.ack) this.ackFrom(w, m.used);
        else if (!this.memKnown[w] && this.memRound === undefined) this.memoryRound();
        break;
    }
  }

  /** A worker exited: its clients and data are gone with it; a replacement starts from zero. */
  workerExited(w: number): void {
    this.alive[w] = false;
    this.clientShares[w] = 0;
    this.memShares[w] = 0;
    this.memUsed[w] = 0;
    this.memKnown[w] = false;
    this.gaveFrom(w);
    this.ackFrom(w, 0);
  }

  workerStarted(w: number): void {
    this.alive[w] = true;
  }

  close(): void {
    clearInterval(this.timer);
  }

  // ---- clients ------------------------------------------------------------------------------

  private pumpClients(): void {
    while (!this.clientsBusy && this.wants.length > 0) {
      const w = this.wants.shift()!;
      if (w >= 0 && this.freeClients() > 0) {
        this.grant(w);
        continue;
      }
      this.clientsBusy = true;
      this.takeBackClients(w, () => {
        this.clientsBusy = false;
        if (w >= 0) this.grant(w);
        this.pumpClients();
      });
    }
  }

  private freeClients(): number {
    return this.maxClients - this.clientShares.reduce((a, b) => a + b, 0);
  }

  private grant(w: number): void {
    if (!this.alive[w]) return;
    const free = this.freeClients();
    const n = free > 0 ? Math.max(1, Math.ceil(free / this.n)) : 0;
    this.clientShares[w]! += n;
    this.send(w, { t: "clients-grant", n });
  }

  /** Asks every live worker but `except` for its unused share; `done` once all answered. */
  private takeBackClients(except: number, done: () => void): void {
    const left = new Set<number>();
    for (let i = 0; i < this.n; i++) if (i !== except && this.alive[i]) left.add(i);
    if (left.size === 0) return done();
    this.gives = { left, done };
    for (const i of left) this.send(i, { t: "clients-give" });
  }

  private gaveFrom(w: number): void {
    const g = this.gives;
    if (g === undefined || !g.left.delete(w) || g.left.size > 0) return;
    this.gives = undefined;
    g.done();
  }

  // ---- memory -------------------------------------------------------------------------------

  /**
   * maxmemory set or changed (the first worker to report it; all have the same): from none, an
   * even split; from another limit, every share scaled by the same factor, as each worker does
   * itself on CONFIG SET, so the new limit holds at once; then a round.
   */
  private newMaxMemory(max: number): void {
    const old = this.maxMemory;
    this.maxMemory = max;
    if (max === 0) {
      this.memKnown.fill(false); // workers turn their limit off themselves
      return;
    }
    for (let i = 0; i < this.n; i++) {
      if (!this.alive[i]) continue;
      if (old === 0 || !this.memKnown[i]) this.memShares[i] = Math.floor(max / this.n);
      else this.memShares[i] = Math.floor((this.memShares[i]! * max) / old);
      this.memKnown[i] = true;
      this.send(i, { t: "mem-share", bytes: Math.max(1, this.memShares[i]!), max });
    }
    this.memoryRound();
  }

  private memoryRound(): void {
    if (this.maxMemory === 0 || this.memRound !== undefined) return;
    const max = this.maxMemory;
    const live = [...Array(this.n).keys()].filter((i) => this.alive[i]);
    const used = live.map((i) => this.memUsed[i]!);
    const total = used.reduce((a, b) => a + b, 0);
    const targets = new Map<number, number>();
    if (total >= max) {
      for (const i of live) targets.set(i, Math.floor((this.memUsed[i]! * max) / Math.max(1, total)));
    } else {
      // The free rest goes mostly to the workers that grew; an even floor keeps room for all.
      const free = max - total;
      const floor = max / (16 * this.n);
      const weights = live.map((i) => Math.max(0, this.memUsed[i]! - this.memAtLastRound[i]!) + floor);
      const sum = weights.reduce((a, b) => a + b, 0);
      live.forEach((i, k) => targets.set(i, this.memUsed[i]! + Math.floor((free * weights[k]!) / sum)));
    }
    for (const i of live) this.memAtLastRound[i] = this.memUsed[i]!;
    const id = ++this.roundId;
    const left = new Set<number>();
    for (const [i, t] of targets) {
      if (this.memKnown[i] && t < this.memShares[i]!) {
        this.memShares[i] = t;
        left.add(i);
        this.send(i, { t: "mem-share", bytes: Math.max(1, t), max, round: id });
      }
    }
    const raise = (acked: Map<number, number>): void => {
      // What the others hold: their share, or their use where it is above (the shrunk ones).
      let held = 0;
      for (let i = 0; i < this.n; i++) {
        const grows = targets.has(i) && (!this.memKnown[i] || targets.get(i)! > this.memShares[i]!);
        if (!grows) held += Math.max(this.memShares[i]!, acked.get(i) ?? 0);
        else if (this.memKnown[i]) held += this.memShares[i]!;
      }
      let room = max - held;
      for (const [i, t] of targets) {
        const known = this.memKnown[i]!;
        const from = known ? this.memShares[i]! : 0;
        if (known && t <= from) continue;
        const inc = Math.max(0, Math.min(t - from, room));
        room -= inc;
        this.memShares[i] = from + inc;
        this.memKnown[i] = true;
        this.send(i, { t: "mem-share", bytes: Math.max(1, from + inc), max });
      }
    };
    if (left.size === 0) return raise(new Map());
    const acked = new Map<number, number>();
    this.memRound = { id, left, acked, raise: () => raise(acked) };
  }

  private ackFrom(w: number, used: number): void {
    const r = this.memRound;
    if (r === undefined || !r.left.delete(w)) return;
    r.acked.set(w, used);
    if (r.left.size > 0) return;
    this.memRound = undefined;
    r.raise();
  }
}
