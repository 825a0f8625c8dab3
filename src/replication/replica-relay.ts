// On a primary of several workers, every replica is served by worker 0 (the hub), whichever worker
// the shared port gave its connection: that worker only relays. So the primary has one replid, one
// stream and one backlog, and a replica that reconnects to any worker resumes with +CONTINUE.
//
//   worker i → 0   __repl relay <i> <rid> <port> <eof> <addr> <aport> PSYNC ...   the replica's request
//   worker 0 → i   __repl rready <rid>      the hub has bytes for it (a notice, no data)
//   worker i → 0   __repl rpull <i> <rid>   the bytes (one pull in flight; none while the replica's
//                                           socket is full: it resumes from the socket's drain)
//   worker i → 0   __repl rack <i> <rid> <offset>   REPLCONF ACK from the replica
//   worker i → 0   __repl rgone <i> <rid>   the replica's connection closed
//   worker 0 → i   __repl rkill <rid>       the hub drops it (CLIENT KILL, output limit, new history)
//
// On the hub a relayed replica is a RelayConn: what replication writes to it waits in its buffer
// until worker i pulls it; its queued bytes count toward the replica class's hard output limit.
import type { Args, Client, ClusterView } from "../commands/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { ReplicaConnection } from "./replication.ts";
import { bulkOf } from "./worker-feed.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const REPL = enc.encode("__repl");
/** No pull while the replica's socket holds this much. */
const MAX_QUEUED = 4 << 20;

export const RELAY_REQUESTS = new Set(["relay", "rready", "rpull", "rack", "rgone", "rkill"]);

export interface RelayHub {
  /** Serves a replica's SYNC/PSYNC on `conn` (the hub's own path). */
  sync(conn: ReplicaConnection, argv: Args): void;
  /** REPLCONF ACK <offset> of `conn`. */
  ack(conn: ReplicaConnection, offset: string): void;
  /** The replica class's hard output limit in bytes (0 = none). */
  hardLimit(): number;
}

/** A replica relayed by another worker, as the hub's replication sees it. */
class RelayConn {
  readonly reply = new ReplyWriter(4096);
  closed = false;
  onWritable: (() => void) | undefined = undefined;
  onGone: (() => void) | undefined = undefined;
  outputClass: "normal" | "replica" = "replica";
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private notified = false;

  constructor(
    private readonly relay: ReplicaRelay,
    readonly worker: number,
    readonly rid: number,
    readonly replPort: number,
    readonly replCapaEof: boolean,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  outputQueued(): number {
    return this.queued + this.reply.len;
  }

  flush(): void {
    if (this.closed || this.reply.len === 0) return;
    const b = this.reply.bytes().slice();
    this.reply.reset();
    this.chunks.push(b);
    this.queued += b.length;
    const hard = this.relay.hub.hardLimit();
    if (hard > 0 && this.queued > hard) return this.kill();
    if (!this.notified) {
      this.notified = true;
      this.relay.tell(this.worker, "rready", String(this.rid));
    }
  }

  /** Everything queued (worker i's pull). */
  take(): Uint8Array {
    this.notified = false;
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks.length = 0;
    this.queued = 0;
    const w = this.onWritable;
    this.onWritable = undefined;
    if (w !== undefined) queueMicrotask(w);
    return out;
  }

  kill(): void {
    if (this.closed) return;
    this.gone();
    this.relay.tell(this.worker, "rkill", String(this.rid));
  }

  /** The replica is gone (either side). */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks.length = 0;
    this.queued = 0;
    this.relay.forget(this.worker, this.rid);
    const g = this.onGone;
    this.onGone = undefined;
    g?.();
  }
}

export class ReplicaRelay {
  private seq = 0;
  /** Relaying side: our replica connections by rid. */
  private readonly down = new Map<number, { c: ReplicaConnection; pulling: boolean; again: boolean }>();
  private readonly ridOf = new Map<Client, number>();
  /** Hub side: relayed replicas by "worker:rid". */
  private readonly up = new Map<string, RelayConn>();

  constructor(
    private readonly cluster: ClusterView,
    readonly hub: RelayHub,
  ) {}

  /** True when `c` is a replica this worker relays to the hub. */
  relays(c: Client): boolean {
    return this.ridOf.has(c);
  }

  /** Relaying side: a replica's SYNC/PSYNC goes to the hub; its stream comes back through here. */
  forward(c: ReplicaConnection, argv: Args): void {
    const rid = ++this.seq;
    const entry = { c, pulling: false, again: false };
    this.down.set(rid, entry);
    this.ridOf.set(c, rid);
    c.outputClass = "replica";
    c.onGone = () => {
      this.down.delete(rid);
      this.ridOf.delete(c);
      this.tell(0, "rgone", String(this.cluster.index), String(rid));
    };
    const meta = c as { replPort?: number; replCapaEof?: boolean };
    const args = [REPL, enc.encode("relay"), ...[this.cluster.index, rid, meta.replPort ?? 0, meta.replCapaEof === true ? 1 : 0].map((n) => enc.encode(String(n))),
      enc.encode(c.remoteAddress), enc.encode(String(c.remotePort)), ...argv];
    this.cluster.askWorker(0, args, (reply) => {
      if (reply[0] === 45) {
        c.reply.raw(reply.slice());
        c.flush();
      }
    });
  }

  /** Relaying side: REPLCONF ACK of a relayed replica. */
  ack(c: Client, offset: string): void {
    const rid = this.ridOf.get(c);
    if (rid !== undefined) this.tell(0, "rack", String(this.cluster.index), String(rid), offset);
  }

  /** `__repl relay|rready|rpull|rack|rgone|rkill ...` from another worker. */
  request(argv: Args, r: { ok(): void; bulk(b: Uint8Array): void; error(m: string): void }): void {
    const what = dec.decode(argv[1]!);
    const n = (i: number): number => Number(dec.decode(argv[i] ?? new Uint8Array(0)));
    switch (what) {
      case "relay": {
        const rc = new RelayConn(this, n(2), n(3), n(4), n(5) === 1, dec.decode(argv[6]!), n(7));
        this.up.set(`${rc.worker}:${rc.rid}`, rc);
        this.hub.sync(rc as unknown as ReplicaConnection, argv.slice(8));
        rc.flush();
        return r.ok();
      }
      case "rpull": {
        const rc = this.up.get(`${n(2)}:${n(3)}`);
        return r.bulk(rc === undefined ? new Uint8Array(0) : rc.take());
      }
      case "rack": {
        const rc = this.up.get(`${n(2)}:${n(3)}`);
        if (rc !== undefined) this.hub.ack(rc as unknown as ReplicaConnection, dec.decode(argv[4]!));
        return r.ok();
      }
      case "rgone":
        this.up.get(`${n(2)}:${n(3)}`)?.gone();
        return r.ok();
      case "rready":
        this.pull(n(2));
        return r.ok();
      case "rkill":
        this.down.get(n(2))?.c.kill();
        return r.ok();
    }
    r.error("ERR unknown __repl relay request");
  }

  /** Relaying side: fetches the hub's bytes for replica `rid` and writes them to its socket. */
  private pull(rid: number): void {
    const e = this.down.get(rid);
    if (e === undefined) return;
    if (e.pulling) {
      e.again = true;
      return;
    }
    if (e.c.outputQueued() > MAX_QUEUED) {
      e.c.onWritable = () => this.pull(rid);
      return;
    }
    e.pulling = true;
    this.cluster.askWorker(0, [REPL, enc.encode("rpull"), enc.encode(String(this.cluster.index)), enc.encode(String(rid))], (reply) => {
      e.pulling = false;
      const b = bulkOf(reply);
      if (!(b instanceof Error) && b.length > 0 && !e.c.closed) {
        e.c.reply.raw(b.slice());
        e.c.flush();
      }
      if (e.again) {
        e.again = false;
        this.pull(rid);
      }
    });
  }

  tell(worker: number, what: string, ...args: string[]): void {
    this.cluster.askWorker(worker, [REPL, enc.encode(what), ...args.map((a) => enc.encode(a))], () => {});
  }

  forget(worker: number, rid: number): void {
    this.up.delete(`${worker}:${rid}`);
  }
}
