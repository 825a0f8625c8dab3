// Blocking commands whose keys live on other workers (the plug of src/server/blocking/
// blocked-clients.ts, whose header has the whole design).
//
// The wait stays on the client's home worker; no request that waits is ever sent over a peer link
// (the link is one ordered pipeline shared by many clients). The home worker:
//   1. asks each key's owner for a watch: `__bwatch home id index db key` queues a place in the
//      owner's FIFO for that key of database `db`, among the owner's own blocked clients;
//   2. then tries the command's non-blocking form (`BlockingCall.remoteTry`: LPOP key, LMOVE ...)
//      on each key in order, routed like any command (LMOVE over two workers runs atomically).
//      The watches go out before the tries on the same ordered links, so a push between the two
//      is never missed.
//   3. When a watch's turn comes on the owner (a write made the key ready), the owner holds the
//      key (the waiters behind it wait) and sends `__bready owner id index`. The home worker tries
//      that key again: data there → the client gets its reply and every watch of the wait is
//      dropped (`__bunwatch home id`; the owner serves the next waiters); nothing there (another
//      command took it first) → `__btried home id index` ends the hold, the watch keeps its place.
// So clients are served in the order they blocked on the owner, across workers. Tries of one wait
// run one at a time (notifies that arrive meanwhile are queued); a timeout or CLIENT UNBLOCK
// during a try waits for its answer, so an element it popped is never dropped. A worker that
// restarts drops the watches of the worker that went away (homeGone) and the other workers watch
// and try its keys again (ownerRestarted). Limits: the woken client gets its element one round
// trip after the push, so a command sent right after the push may still see it (Redis serves
// before the push's reply); a client that disconnects while a try is in flight loses what that
// try popped. INFO cores shows blocking_remote_waits and blocking_watches.

import type { BlockingCall } from "../commands/blocking.ts";
import type { Args } from "../commands/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import {
  latin1,
  replyUnblocked,
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
const BTRIED = enc.encode("__btried");
const noop = (): void => {};

/** One client's wait over several workers, on its home worker. */
class RemoteWait implements BlockedEntry {
  readonly keys: Uint8Array[] = [];
  readonly deadline: number;
  /** The client's database when it blocked. */
  readonly db: number;
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
    this.db = client.dbIndex;
  }

  /** False until the command's own attempt tried every key (see BlockedEntry.shown). */
  shown = false;

  /** Watches every key, then tries them in order as the command's own attempt. */
  begin(): void {
    for (let i = 0; i < this.keys.length; i++) this.plug.watch(this, i);
    this.trying = true;
    const next = (i: number): void => {
      if (this.finished) return;
      if (i === this.keys.length) {
        this.shown = true;
        return this.idle();
      }
      this.attempt(i, true, () => next(i + 1));
    };
    next(0);
  }

  /** Runs the non-blocking form on key `i`; replies and ends when it found something. */
  private attempt(i: number, first: boolean, nothing: () => void): void {
    const key = this.keys[i]!;
    const resp = this.client.reply.resp;
    this.plug.ask(this.call.remoteTry(key), resp, this.db, (raw) => {
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

  /** The owner of key `i` holds it for this wait (it may hold data now): try it. */
  ready(i: number): void {
    if (this.finished) return;
    if (this.trying) {
      if (!this.queued.includes(i)) this.queued.push(i);
      return;
    }
    this.trying = true;
    this.attempt(i, false, () => {
      this.plug.tried(this, i);
      this.idle();
    });
  }

  end(error: boolean): void {
    if (this.finished) return;
    if (this.trying) {
      this.ending = error; // after the try in flight (it may have popped something)
      return;
    }
    if (error) replyUnblocked(this.client);
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
  /** Owner side: watches by "home:id", then by key index. */
  private readonly watches = new Map<string, Map<number, KeyWaiter>>();

  /** This worker's index, as sent in the messages. */
  private readonly home: Uint8Array;

  constructor(
    private readonly cw: WorkerCluster,
    private readonly registry: BlockedClients,
  ) {
    this.home = enc.encode(String(cw.index));
  }

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
    const id = enc.encode(String(w.id));
    if (owner === this.cw.index) this.addWatch(this.cw.index, id, i, w.db, key);
    else this.cw.links[owner]?.send([BWATCH, this.home, id, enc.encode(String(i)), enc.encode(String(w.db)), key], 2, noop);
  }

  /** Key `i` was tried and held nothing: its owner's hold ends, the watch stays. */
  tried(w: RemoteWait, i: number): void {
    const owner = this.cw.slots.ownerOfKey(w.keys[i]!);
    if (owner === this.cw.index) this.watchTried(`${this.cw.index}:${w.id}`, i);
    else this.cw.links[owner]?.send([BTRIED, this.home, enc.encode(String(w.id)), enc.encode(String(i))], 2, noop);
  }



  /** Ends wait `w` (its reply, if any, written): drops its watches everywhere. */
  done(w: RemoteWait, gone: boolean): void {
    this.waits.delete(w.id);
    this.registry.release(w, gone);
    const owners = new Set<number>();
    for (const k of w.keys) owners.add(this.cw.slots.ownerOfKey(k));
    for (const o of owners) this.unwatchAll(o, w.id);
  }

  /** Drops every watch of wait `id` (of this worker) on `owner`. */
  private unwatchAll(owner: number, id: number): void {
    if (owner === this.cw.index) this.dropWatches(`${this.cw.index}:${id}`);
    else this.cw.links[owner]?.send([BUNWATCH, this.home, enc.encode(String(id))], 2, noop);
  }

  /**
   * Runs a non-blocking command where its keys live and hands back the raw reply: on the owner
   * when one worker has them all, else atomically over the workers involved.
   */
  ask(argv: Args, resp: number, db: number, cb: (raw: Uint8Array) => void): void {
    const cw = this.cw;
    const entry = cw.server.commands.get(dec.decode(argv[0]!));
    const owners = new Set<number>();
    if (entry !== undefined && entry.firstKey > 0) {
      const last = entry.lastKey < 0 ? argv.length + entry.lastKey : Math.min(entry.lastKey, argv.length - 1);
      for (let i = entry.firstKey; i <= last; i += Math.max(1, entry.step)) owners.add(cw.slots.ownerOfKey(argv[i]!));
    }
    if (entry === undefined || owners.size !== 1) {
      if (entry === undefined) return cb(enc.encode("-ERR unknown command\r\n"));
      return runAtomicOnScratch(cw, replyCatcher(cw, resp, db, cb), [argv], entry, false);
    }
    const [owner] = owners;
    cw.ask(owner!, argv, resp, (raw) => cb(owner === cw.index ? raw : raw.slice()), db);
  }

  /**
   * Owner side: `__bwatch home id index db key`, `__btried home id index`, `__bunwatch home id`;
   * home side: `__bready owner id index` (run by peer-session.ts).
   */
  internal(name: string, argv: Args, r: ReplyWriter): void {
    const num = (i: number): number => Number(dec.decode(argv[i]!));
    if (name === "bwatch") this.addWatch(num(1), argv[2]!.slice(), num(3), num(4), argv[5]!);
    else if (name === "btried") this.watchTried(`${num(1)}:${num(2)}`, num(3));
    else if (name === "bunwatch") this.dropWatches(`${num(1)}:${num(2)}`);
    else if (name === "bready") this.onReady(num(1), num(2), num(3));
    r.ok();
  }

  private addWatch(home: number, id: Uint8Array, i: number, db: number, key: Uint8Array): void {
    const tag = `${home}:${dec.decode(id)}`;
    let byIndex = this.watches.get(tag);
    if (byIndex === undefined) this.watches.set(tag, (byIndex = new Map()));
    if (byIndex.has(i)) return;
    const me = this.cw.index;
    const idx = enc.encode(String(i));
    const notify =
      home === me
        ? (): void => queueMicrotask(() => this.onReady(me, Number(dec.decode(id)), i))
        : (): void => this.cw.links[home]?.send([BREADY, this.home, id, idx], 2, noop);
    byIndex.set(i, this.registry.watch(this.cw.server.databases.at(db), key, notify));
  }

  private watchTried(tag: string, i: number): void {
    const w = this.watches.get(tag)?.get(i);
    if (w !== undefined) this.registry.watchTried(w);
  }

  private dropWatches(tag: string): void {
    const byIndex = this.watches.get(tag);
    if (byIndex === undefined) return;
    this.watches.delete(tag);
    for (const w of byIndex.values()) this.registry.unwatch(w);
  }

  /**
   * Worker `owner` restarted: the watches it held for this worker's waits are gone. Each wait
   * watches its keys there again and tries them (their data came back from the owner's WAL).
   */
  ownerRestarted(owner: number): void {
    for (const w of this.waits.values()) {
      for (let i = 0; i < w.keys.length; i++) {
        if (this.cw.slots.ownerOfKey(w.keys[i]!) !== owner) continue;
        this.watch(w, i);
        w.ready(i);
      }
    }
  }

  /** The link from worker `home` closed (it restarted): its watches here are dropped. */
  homeGone(home: number): void {
    for (const tag of [...this.watches.keys()]) if (tag.startsWith(`${home}:`)) this.dropWatches(tag);
  }

  /** A watch of wait `id` is notified by `owner`; a wait that is over drops its watches there. */
  private onReady(owner: number, id: number, i: number): void {
    const w = this.waits.get(id);
    if (w === undefined) this.unwatchAll(owner, id);
    else w.ready(i);
  }

  /** INFO cores lines: waits of this worker's clients over other workers, watches held here. */
  info(): string {
    let n = 0;
    for (const m of this.watches.values()) n += m.size;
    return `blocking_remote_waits:${this.waits.size}\r\nblocking_watches:${n}`;
  }
}

/** A stand-in client for runAtomicOnScratch whose one reply goes to `cb`. */
function replyCatcher(cw: WorkerCluster, resp: number, db: number, cb: (raw: Uint8Array) => void): HoldingClient {
  const reply = new ReplyWriter(64);
  reply.resp = resp === 3 ? 3 : 2;
  return {
    id: -3,
    reply,
    server: cw.server,
    db: cw.server.databases.at(db),
    dbIndex: db,
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
