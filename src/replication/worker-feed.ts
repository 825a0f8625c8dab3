// Replication of a server made of several workers: one stream per primary, whatever the count.
//
// The worker a replica connected to (the hub) serves it; the other workers' data reaches it by
// pulls over the worker links, so everything a peer sends the hub comes back as replies on one
// link, in order:
//
//   full sync, under every worker's gate (nothing runs anywhere meanwhile):
//     hub → peer  __repl pull <hub>    what the peer recorded for the hub so far (goes first)
//     hub → peer  __repl start <hub>   the peer's data as an RDB file; it records for the hub from here
//     the hub writes its own RDB, splices the peers' in, sends +FULLRESYNC + the file, releases.
//   then, as writes happen on a peer:
//     peer → hub  __repl ready <peer>  "I have bytes for you" (a notice; carries no data)
//     hub → peer  __repl pull <hub>    the bytes, appended to the hub's stream (one pull in flight per peer)
//
// Every chunk a peer hands over starts with a SELECT of its database, and the hub forgets its own
// selected database after a foreign chunk, so interleaved chunks always run in the right database.
import type { ClusterView } from "../commands/types.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import { CommandBuffer } from "./resp-encode.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const REPL = enc.encode("__repl");

/** The bulk string of a RESP2 reply, or an Error for an error reply. */
export function bulkOf(reply: Uint8Array): Uint8Array | Error {
  if (reply[0] === 45) return new Error(dec.decode(reply.subarray(1, reply.indexOf(13))));
  const nl = reply.indexOf(10);
  const len = Number(dec.decode(reply.subarray(1, nl - 1)));
  if (reply[0] !== 36 || len < 0) return new Uint8Array(0);
  return reply.subarray(nl + 1, nl + 1 + len);
}

export interface FeedOwner {
  /** Installs the mutation listener (the first replica anywhere). */
  startRecording(): void;
  /** This worker's whole data as an RDB file. */
  snapshot(): Uint8Array;
  /** Appends another worker's chunk to this worker's stream. */
  appendForeign(bytes: Uint8Array): void;
  /** Moves the pending stream on (into the hubs' buffers): what a pull or a snapshot follows. */
  flush(): void;
}

export class WorkerFeed {
  /** Peer side: bytes recorded for each hub, not pulled yet. */
  private readonly toHubs = new Map<number, CommandBuffer>();
  /** Hub side: peers with a pull in flight, and those that said "ready" meanwhile. */
  private readonly pulling = new Set<number>();
  private readonly again = new Set<number>();

  constructor(
    private readonly cluster: ClusterView,
    private readonly owner: FeedOwner,
  ) {}

  get hasHubs(): boolean {
    return this.toHubs.size > 0;
  }

  /** Peer side: a chunk of this worker's stream, `startDb` being the database selected before it. */
  recorded(chunk: Uint8Array, startDb: number): void {
    for (const [hub, buf] of this.toHubs) {
      const wasEmpty = buf.len === 0;
      if (startDb >= 0) buf.command(["SELECT", String(startDb)]);
      buf.raw(chunk);
      if (wasEmpty) this.cluster.askWorker(hub, [REPL, enc.encode("ready"), enc.encode(String(this.cluster.index))], () => {});
    }
  }

  /** `__repl start|pull|ready n`, from another worker. */
  request(argv: readonly Uint8Array[], r: ReplyWriter): void {
    const what = dec.decode(argv[1] ?? new Uint8Array(0));
    const n = Number(dec.decode(argv[2] ?? new Uint8Array(0)));
    if (!Number.isInteger(n) || n < 0 || n >= this.cluster.count) return r.error("ERR bad worker index");
    this.owner.flush();
    switch (what) {
      case "start":
        this.owner.startRecording();
        this.toHubs.set(n, new CommandBuffer());
        return r.bulk(this.owner.snapshot());
      case "pull": {
        const buf = this.toHubs.get(n);
        return r.bulk(buf === undefined || buf.len === 0 ? new Uint8Array(0) : buf.take());
      }
      case "ready":
        this.pull(n);
        return r.ok();
    }
    r.error("ERR unknown __repl request");
  }

  /** Hub side: fetches what peer `p` recorded for us. */
  private pull(p: number, done?: () => void): void {
    if (this.pulling.has(p) && done === undefined) {
      this.again.add(p);
      return;
    }
    this.pulling.add(p);
    this.cluster.askWorker(p, [REPL, enc.encode("pull"), enc.encode(String(this.cluster.index))], (reply) => {
      const b = bulkOf(reply);
      if (!(b instanceof Error) && b.length > 0) this.owner.appendForeign(b.slice());
      this.pulling.delete(p);
      done?.();
      if (this.again.delete(p)) this.pull(p);
    });
  }

  /** Hub side: pulls what every peer recorded for us so far, then calls `done`. */
  pullAll(done: () => void): void {
    let left = this.cluster.count - 1;
    if (left === 0) return done();
    for (let p = 0; p < this.cluster.count; p++) {
      if (p !== this.cluster.index) this.pull(p, () => void (--left === 0 && done()));
    }
  }

  /**
   * Hub side, for a full sync: under every gate, drains what peers recorded, then takes each
   * peer's snapshot; `ready` gets them (by worker index, undefined at ours) with `release`.
   */
  snapshotAll(ready: (files: (Uint8Array | undefined)[] | Error, release: () => void) => void): void {
    this.owner.startRecording();
    this.cluster.withAllGates((release) => {
      const me = this.cluster.index;
      const files: (Uint8Array | undefined)[] = new Array(this.cluster.count);
      let left = this.cluster.count - 1;
      let failed: Error | undefined;
      if (left === 0) return ready(files, release);
      for (let p = 0; p < this.cluster.count; p++) {
        if (p === me) continue;
        this.pull(p, () => {});
        this.cluster.askWorker(p, [REPL, enc.encode("start"), enc.encode(String(me))], (reply) => {
          const b = bulkOf(reply);
          if (b instanceof Error) failed ??= b;
          else files[p] = b.slice();
          if (--left === 0) ready(failed ?? files, release);
        });
      }
    });
  }
}
