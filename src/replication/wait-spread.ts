// WAIT on a primary of several workers: replicas connect to whichever worker the shared port gave
// them, so the replicas that count for one client's WAIT may be served by other workers. The
// client's worker (the origin) asks every worker (the hubs, itself included) to count its own
// replicas' acks past a target that covers every write made anywhere before the WAIT:
//
//   origin → each peer   __repl fence              the peer flushes its stream to its hubs; as the
//                                                  links are FIFO, the commands the origin forwarded
//                                                  to it before were applied and recorded first
//   origin → each worker __repl watch <origin> <id>  the hub pulls every peer's recorded stream,
//                                                  then its own stream offset is the target; it asks
//                                                  its replicas for acks (GETACK)
//   hub → origin         __repl acked <hub> <id> <n>  how many of its replicas acked the target, sent
//                                                  at once and again whenever an ack changes it
//   origin → each worker __repl unwatch <origin> <id>  the WAIT ended (enough acks, timeout, gone)
//
// The reply is the sum of the hubs' counts when the WAIT ends, as Redis counts its replicas.
import { runBlocking } from "../commands/blocking.ts";
import type { Args, Client, ClusterView } from "../commands/types.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const REPL = enc.encode("__repl");

export interface SpreadWaitHub {
  /** Pulls what every peer recorded for this hub so far, then calls `done` with our stream offset. */
  settle(done: (target: number) => void): void;
  /** Own replicas whose ack reached `target`. */
  acked(target: number): number;
  /** Asks own replicas for their offsets (REPLCONF GETACK). */
  askAcks(): void;
  /** Moves our pending stream to the buffers the hubs pull from. */
  flush(): void;
}

interface Waiting {
  readonly c: Client;
  readonly n: number;
  /** Each hub's latest count. */
  readonly counts: Map<number, number>;
}

interface Watcher {
  readonly origin: number;
  readonly id: number;
  target: number | undefined;
  last: number;
}

export class SpreadWait {
  private seq = 0;
  /** Origin side: WAITs in progress, by id. */
  private readonly waiting = new Map<number, Waiting>();
  /** Hub side: the origins' WAITs this worker counts for. */
  private readonly watchers = new Map<string, Watcher>();

  constructor(
    private readonly cluster: ClusterView,
    private readonly hub: SpreadWaitHub,
  ) {}

  /** WAIT numreplicas timeout of `c`, counted over every worker's replicas. */
  wait(c: Client, numreplicas: number, timeoutMs: number): void {
    const id = ++this.seq;
    const w: Waiting = { c, n: numreplicas, counts: new Map() };
    this.waiting.set(id, w);
    const me = this.cluster.index;
    const finish = (cl: Client): void => {
      if (!this.waiting.delete(id)) return;
      this.toAll([enc.encode("unwatch"), enc.encode(String(me)), enc.encode(String(id))]);
      cl.reply.integer(total(w));
    };
    runBlocking(c, {
      keys: [],
      timeoutMs,
      serve: () => false,
      timedOut: finish,
      cannotBlock: finish,
      remoteTry: () => [],
      remoteReply: () => undefined,
    });
    if (!this.waiting.has(id)) return; // could not block (MULTI, a script): answered already
    // Fence every peer, then watch everywhere.
    let fences = this.cluster.count - 1;
    const watch = (): void => {
      if (this.waiting.has(id)) this.toAll([enc.encode("watch"), enc.encode(String(me)), enc.encode(String(id))]);
    };
    for (let p = 0; p < this.cluster.count; p++) {
      if (p === me) continue;
      this.cluster.askWorker(p, [REPL, enc.encode("fence")], () => {
        if (--fences === 0) watch();
      });
    }
    if (fences === 0) watch();
  }

  /** `__repl fence|watch|unwatch|acked ...` from another worker (or from ourselves). */
  request(argv: Args, r: ReplyWriter | undefined): void {
    const what = dec.decode(argv[1]!);
    const a = Number(dec.decode(argv[2] ?? new Uint8Array(0)));
    const id = Number(dec.decode(argv[3] ?? new Uint8Array(0)));
    switch (what) {
      case "fence":
        this.hub.flush();
        break;
      case "watch":
        this.watch(a, id);
        break;
      case "unwatch":
        this.watchers.delete(`${a}:${id}`);
        break;
      case "acked": {
        const w = this.waiting.get(id);
        if (w !== undefined) {
          w.counts.set(a, Number(dec.decode(argv[4] ?? new Uint8Array(0))));
          if (total(w) >= w.n) w.c.server.blocking?.unblock(w.c.id, false);
        }
        break;
      }
    }
    r?.ok();
  }

  /** Hub side: a replica acked; the counts that changed go to their origins. */
  acksChanged(): void {
    for (const w of this.watchers.values()) this.report(w);
  }

  private watch(origin: number, id: number): void {
    const w: Watcher = { origin, id, target: undefined, last: -1 };
    this.watchers.set(`${origin}:${id}`, w);
    this.hub.settle((target) => {
      w.target = target;
      this.report(w);
      this.hub.askAcks();
    });
  }

  private report(w: Watcher): void {
    if (w.target === undefined || !this.watchers.has(`${w.origin}:${w.id}`)) return;
    const n = this.hub.acked(w.target);
    if (n === w.last) return;
    w.last = n;
    this.send(w.origin, [enc.encode("acked"), enc.encode(String(this.cluster.index)), enc.encode(String(w.id)), enc.encode(String(n))]);
  }

  private toAll(args: Uint8Array[]): void {
    for (let p = 0; p < this.cluster.count; p++) this.send(p, args);
  }

  private send(worker: number, args: Uint8Array[]): void {
    const argv = [REPL, ...args];
    if (worker === this.cluster.index) this.request(argv, undefined);
    else this.cluster.askWorker(worker, argv, () => {});
  }
}

function total(w: Waiting): number {
  let n = 0;
  for (const v of w.counts.values()) n += v;
  return n;
}
