// Blocking commands whose keys live on other workers (the plug of src/server/blocking/
// blocked-clients.ts, whose header has the whole design).
//
// The wait stays on the client's home worker; no request that waits is ever sent over a peer link
// (the link is one ordered pipeline shared by many clients). For each key the home worker:
//   1. asks the key's owner for a watch: `__bwatch home id index key` queues a place in the owner's
//      FIFO for that key; when its turn comes (a write made the key ready) the owner sends
//      `__bready id index` back and drops the watch;
//   2. then tries the command's non-blocking form (`BlockingCall.remoteTry`: LPOP key, LMOVE ...)
//      on the owner, routed like any command (LMOVE over two workers runs atomically). Data there:
//      the client gets the reply, its watches are dropped (`__bunwatch home id`). Nothing there:
//      it keeps waiting; a `__bready` makes it watch that key again, then try it again.
// The watch goes out before the try on the same ordered link, so a push between the two is never
// missed. Tries of one wait run one at a time (notifies that arrive meanwhile are queued); a
// timeout or CLIENT UNBLOCK during a try waits for its answer, so an element it popped is never
// dropped. Limits: a watch notified gives its turn to the next waiter of the owner at once (FIFO
// across workers is by arrival of the retries, not strict); a client that disconnects while a try
// is in flight loses what that try popped.

import type { BlockingCall } from "../commands/blocking.ts";
import type { Args } from "../commands/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import {
  ERR_UNBLOCKED,
  latin1,
  type BlockableClient,
  type BlockedClients,
  type BlockedEntry,
  type KeyWaiter,
  type RemoteBlocking,
} from "../server/blocking/blocked-clients.ts";
import { runAtomicOnScratch } from "./multi-key.ts";
import type { HoldingClient, WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const BWATCH = enc.encode("__bwatch");
const BUNWATCH = enc.encode("__bunwatch");
const BREADY = enc.encode("__bready");
const noop = (): void => {};

/** One client's wait over several workers, on its home worker. */
class RemoteWait implements BlockedEntry {
  readonly keys: Uint8Array[] = [];
  readonly deadline: number;
  private trying = false;
  private readonly queued: number[] = [];
  private ending: boolean | undefined = undefined;
  private finished = false;

  constructor(
    private readonly plug: RemoteWaits,
    readonly client: BlockableClient,
    private readonly call: BlockingCall,
    readonly id: number,
  ) {
    const names = new Set<string>();
    for (const k of call.keys) {
      const n = latin1(k);
      if (names.has(n)) continue;
      names.add(n);
      this.keys.push(k.slice());
    }
    this.deadline = call.timeoutMs > 0 ? Date.now() + call.timeoutMs : 0;
  }

  /** Watches every key, then tries them in order as the command's own attempt. */
  begin(): void {
    for (let i = 0; i < this.keys.length; i++) this.plug.watch(this, i);
    this.trying = true;
    const next = (i: number): void => {
      if (this.finished) return;
      if (i === this.keys.length) return this.idle();
      this.attempt(i, true, () => next(i + 1));
    };
    next(0);
  }

  /** Runs the non-blocking form on key `i`; replies and ends when it found something. */
  private attempt(i: number, first: boolean, nothing: () => void): void {
    const key = this.keys[i]!;
    const resp = this.client.reply.resp;
    this.plug.ask(this.call.remoteTry(key), resp, (raw) => {
      if (this.finished) return;
      const reply = this.call.remoteReply(key, raw, resp, first);
      if (reply === undefined) return nothing();
      this.client.reply.raw(reply);
      this.finish();
    });
  }

  /** No try in flight: the next queued notify, or a deferred end. */
  private idle(): void {
    this.trying = false;
    if (this.finished) return;
    if (this.ending !== undefined) return this.end(this.ending);
    const i = this.queued.shift();
    if (i !== undefined) this.ready(i);
  }

  /** The owner of key `i` says it may hold data now: watch it again, then try it. */
  ready(i: number): void {
    if (this.finished) return;
    if (this.trying) {
      if (!this.queued.includes(i)) this.queued.push(i);
      return;
    }
    this.trying = true;
    this.plug.watch(this, i);
    this.attempt(i, false, () => this.idle());
  }

  end(error: boolean): void {
    if (this.finished) return;
    if (this.trying) {
      this.ending = error; // after the try in flight (it may have popped something)
      return;
    }
    if (error) this.client.reply.error(ERR_UNBLOCKED);
    else this.call.timedOut(this.client);
    this.finish();
  }

  gone(): void {
    if (this.finished) return;
    this.finished = true;
    this.plug.done(this, true);
  }

  private finish(): void {
    this.finished = true;
    this.plug.done(this, false);
  }
}

/** The cluster side of blocking, on every worker: home of its clients' waits, owner of watches. */
export class RemoteWaits implements RemoteBlocking {
  private nextId = 1;
  private readonly waits = new Map<number, RemoteWait>();
  /** Owner side: watches by "home:id". */
  private readonly watches = new Map<string, KeyWaiter[]>();

  constructor(
    private readonly cw: WorkerCluster,
    private readonly registry: BlockedClients,
  ) {}

  involves(keys: readonly Uint8Array[]): boolean {
    for (const k of keys) if (this.cw.slots.ownerOfKey(k) !== this.cw.index) return true;
    return false;
  }

  start(c: BlockableClient, call: BlockingCall, registry: BlockedClients): void {
    const w = new RemoteWait(this, c, call, this.nextId++);
    this.waits.set(w.id, w);
    registry.hold(w);
    w.begin();
  }

  /** Asks key `i`'s owner for a watch (this worker's own keys: directly). */
  watch(w: RemoteWait, i: number): void {
    const key = w.keys[i]!;
    const owner = this.cw.slots.ownerOfKey(key);
    const idx = enc.encode(String(i));
    const id = enc.encode(String(w.id));
    if (owner === this.cw.index) this.addWatch(this.cw.index, id, idx, key);
    else this.cw.links[owner]?.send([BWATCH, enc.encode(String(this.cw.index)), id, idx, key], 2, noop);
  }

  /** Ends wait `w` (its reply, if any, written): drops its watches everywhere. */
  done(w: RemoteWait, gone: boolean): void {
    this.waits.delete(w.id);
    this.registry.release(w, gone);
    const owners = new Set<number>();
    for (const k of w.keys) owners.add(this.cw.slots.ownerOfKey(k));
    const home = enc.encode(String(this.cw.index));
    const id = enc.encode(String(w.id));
    for (const o of owners) {
      if (o === this.cw.index) this.dropWatches(this.cw.index, id);
      else this.cw.links[o]?.send([BUNWATCH, home, id], 2, noop);
    }
  }

  /**
   * Runs a non-blocking command where its keys live and hands back the raw reply: on the owner
   * when one worker has them all, else atomically over the workers involved.
   */
  ask(argv: Args, resp: number, cb: (raw: Uint8Array) => void): void {
    const cw = this.cw;
    const entry = cw.server.commands.get(dec.decode(argv[0]!));
    const owners = new Set<number>();
    if (entry !== undefined && entry.firstKey > 0) {
      const last = entry.lastKey < 0 ? argv.length + entry.lastKey : Math.min(entry.lastKey, argv.length - 1);
      for (let i = entry.firstKey; i <= last; i += Math.max(1, entry.step)) owners.add(cw.slots.ownerOfKey(argv[i]!));
    }
    if (entry === undefined || owners.size !== 1) {
      if (entry === undefined) return cb(enc.encode("-ERR unknown command\r\n"));
      return runAtomicOnScratch(cw, replyCatcher(cw, resp, cb), [argv], entry, false);
    }
    const [owner] = owners;
    cw.ask(owner!, argv, resp, (raw) => cb(owner === cw.index ? raw : raw.slice()));
  }

  /** Owner side: `__bwatch`, `__bunwatch`, and home side: `__bready` (peer-session.ts). */
  internal(name: string, argv: Args, r: ReplyWriter): void {
    if (name === "bwatch") this.addWatch(Number(dec.decode(argv[1]!)), argv[2]!.slice(), argv[3]!.slice(), argv[4]!);
    else if (name === "bunwatch") this.dropWatches(Number(dec.decode(argv[1]!)), argv[2]!);
    else if (name === "bready") this.onReady(Number(dec.decode(argv[1]!)), Number(dec.decode(argv[2]!)));
    r.ok();
  }

  private addWatch(home: number, id: Uint8Array, idx: Uint8Array, key: Uint8Array): void {
    const tag = `${home}:${dec.decode(id)}`;
    let list = this.watches.get(tag);
    if (list === undefined) this.watches.set(tag, (list = []));
    const all = list;
    const waiter = this.registry.watch(this.cw.keyspace, key, () => {
      const at = all.indexOf(waiter);
      if (at >= 0) all.splice(at, 1);
      if (all.length === 0 && this.watches.get(tag) === all) this.watches.delete(tag);
      if (home === this.cw.index) queueMicrotask(() => this.onReady(Number(dec.decode(id)), Number(dec.decode(idx))));
      else this.cw.links[home]?.send([BREADY, id, idx], 2, noop);
    });
    list.push(waiter);
  }

  private dropWatches(home: number, id: Uint8Array): void {
    const tag = `${home}:${dec.decode(id)}`;
    const list = this.watches.get(tag);
    if (list === undefined) return;
    this.watches.delete(tag);
    for (const w of list) this.registry.unqueue(w);
  }

  private onReady(id: number, i: number): void {
    this.waits.get(id)?.ready(i);
  }

  /** Watches held here for other workers' clients (tests of leaks). */
  get watchCount(): number {
    let n = 0;
    for (const l of this.watches.values()) n += l.length;
    return n;
  }
}

/** A stand-in client for runAtomicOnScratch whose one reply goes to `cb`. */
function replyCatcher(cw: WorkerCluster, resp: number, cb: (raw: Uint8Array) => void): HoldingClient {
  const reply = new ReplyWriter(64);
  reply.resp = resp === 3 ? 3 : 2;
  return {
    id: -3,
    reply,
    server: cw.server,
    db: cw.keyspace,
    name: "",
    libName: "",
    libVersion: "",
    authenticated: true,
    createdAt: Date.now(),
    lastInteraction: Date.now(),
    remoteAddress: "peer",
    remotePort: 0,
    localPort: 0,
    lastCommand: "NULL",
    replyMode: "on",
    noEvict: false,
    queryBufferBytes: () => 0,
    outputBufferBytes: () => 0,
    closeAfterReply: noop,
    kill: noop,
    hold: () => (bytes) => cb(bytes.slice()),
    pause: () => noop,
  };
}
