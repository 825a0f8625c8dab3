// One worker's view of the cluster: who it is, the slot map, the links to its peers, its gate,
// and `ask(owner, argv)`, which runs a command on the owning worker (here, synchronously, or over
// the peer link) and hands back the raw reply. Everything cross-worker is built on `ask`.

import type { Args, Client, ServerContext } from "../commands/types.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { Gate } from "./gate.ts";
import { isInternal, PeerClient, runKeyTransfer, type Executor } from "./peer-session.ts";
import type { PeerLink, ReplyCallback } from "./peer-link.ts";
import type { SlotMap } from "./slots.ts";

/** A place a slot range is served from (CLUSTER SLOTS/SHARDS/NODES). */
export interface ClusterNode {
  /** 40 hex characters, stable for a given host:port. */
  id: string;
  host: string;
  /** The port a cluster-aware client uses for this node. */
  port: number;
  /** The worker index on this machine, or -1 for a node of another machine. */
  worker: number;
}

/** Receives the reply of a forwarded command and writes it into the client's reply order. */
export type ReplySlot = (reply: Uint8Array) => void;

/** A client whose reply stream can hold a place for a reply that comes later. */
export interface HoldingClient extends Client {
  /** Reserves the next place in the reply stream; `discard` drops the reply (CLIENT REPLY OFF). */
  hold(discard: boolean): ReplySlot;
  /** Holds the client's next commands back until the returned function is called. */
  pause(): () => void;
}

export interface ClusterCounters {
  /** Commands sent whole to the owning worker. */
  forwarded: number;
  /** Commands whose keys spanned workers, split and merged. */
  split: number;
  /** Keyless commands answered from every worker (DBSIZE, KEYS, SCAN...). */
  aggregated: number;
  /** Cross-worker atomic operations (gates taken on several workers). */
  atomic: number;
  /** -MOVED replies on cluster ports. */
  moved: number;
  /** Worker restarts seen by the supervisor (sent to workers). */
  restarts: number;
}

export interface WorkerClusterOptions {
  index: number;
  count: number;
  slots: SlotMap;
  /** Links to each worker, undefined at `index`. */
  links: (PeerLink | undefined)[];
  server: ServerContext;
  keyspace: Keyspace;
  /** The router-less dispatcher's run(). */
  exec: Executor;
  /** Nodes by owner index of `slots` (workers first). */
  nodes: ClusterNode[];
  /** This worker's own cluster port (0 = no cluster ports). */
  clusterPort: number;
}

export class WorkerCluster {
  readonly index: number;
  readonly count: number;
  readonly slots: SlotMap;
  readonly links: (PeerLink | undefined)[];
  readonly gate = new Gate();
  readonly server: ServerContext;
  readonly keyspace: Keyspace;
  readonly exec: Executor;
  readonly nodes: ClusterNode[];
  readonly clusterPort: number;
  readonly counters: ClusterCounters = { forwarded: 0, split: 0, aggregated: 0, atomic: 0, moved: 0, restarts: 0 };
  private readonly scratch: PeerClient;

  constructor(o: WorkerClusterOptions) {
    this.index = o.index;
    this.count = o.count;
    this.slots = o.slots;
    this.links = o.links;
    this.server = o.server;
    this.keyspace = o.keyspace;
    this.exec = o.exec;
    this.nodes = o.nodes;
    this.clusterPort = o.clusterPort;
    this.scratch = new PeerClient(-1, o.server);
  }

  /** Owners are worker indexes < count; anything else is another machine's node. */
  isWorker(owner: number): boolean {
    return owner < this.count;
  }

  /**
   * Runs `argv` on worker `owner` with RESP version `resp`; `cb` receives the reply (a view valid
   * only during the call). Here: runs now, synchronously. Elsewhere: over the link, in order.
   */
  ask(owner: number, argv: Args, resp: number, cb: ReplyCallback, db = 0): void {
    if (owner === this.index) {
      const r = this.scratch.reply;
      r.resp = resp === 3 ? 3 : 2;
      this.scratch.dbIndex = db;
      if (isInternal(argv)) {
        const name = new TextDecoder().decode(argv[0]!.subarray(2));
        runKeyTransfer(this.scratch.db, name, argv, r);
        if (name === "restore") this.server.blocking?.signal(this.scratch.db, argv[1]!);
      } else {
        this.exec(this.scratch, argv);
      }
      const out = r.bytes().slice();
      r.reset();
      cb(out);
      return;
    }
    const link = this.links[owner];
    if (link === undefined) {
      cb(new TextEncoder().encode("-CLUSTERDOWN Hash slot not served\r\n"));
      return;
    }
    link.send(argv, resp, cb, db);
  }

  /** `ask` for client `c`: its RESP version and its selected database. */
  askFor(c: Client, owner: number, argv: Args, cb: ReplyCallback): void {
    this.ask(owner, argv, c.reply.resp, cb, c.dbIndex);
  }

  /** `askAll` for client `c`: its RESP version and its selected database. */
  askAllFor(c: Client, argv: Args, done: (replies: Uint8Array[]) => void): void {
    this.askAll(argv, c.reply.resp, done, c.dbIndex);
  }

  /** Runs `argv` on every worker; `done` gets the replies by worker index once all arrived. */
  askAll(argv: Args, resp: number, done: (replies: Uint8Array[]) => void, db = 0): void {
    const replies: Uint8Array[] = new Array<Uint8Array>(this.count);
    let left = this.count;
    for (let w = 0; w < this.count; w++) {
      this.ask(w, argv, resp, (bytes) => {
        replies[w] = w === this.index ? bytes : bytes.slice();
        if (--left === 0) done(replies);
      }, db);
    }
  }

  /**
   * Takes the gates of `owners` (this worker's included) in ascending order, then calls `body`
   * with a `release` function that opens them all again. While they are held, those workers run
   * nothing but this operation's requests, so no client can observe it half done.
   */
  withGates(owners: Iterable<number>, body: (release: () => void) => void): void {
    const set = new Set<number>(owners);
    set.add(this.index);
    const order = [...set].sort((a, b) => a - b);
    const token = {};
    this.counters.atomic++;
    let i = 0;
    const release = (): void => {
      for (const w of order) {
        if (w === this.index) this.gate.release(token);
        else this.links[w]?.send([UNLOCK], 2, () => {});
      }
    };
    const next = (): void => {
      if (i === order.length) return body(release);
      const w = order[i++]!;
      if (w === this.index) this.gate.acquire(token, next);
      else this.links[w]!.send([LOCK], 2, next);
    };
    next();
  }
}

const LOCK = new TextEncoder().encode("__lock");
const UNLOCK = new TextEncoder().encode("__unlock");
