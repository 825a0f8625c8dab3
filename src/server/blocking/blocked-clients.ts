// Blocked clients (Redis's blocked.c): BLPOP & co. now, BZPOPMIN / XREAD BLOCK next.
//
// Design.
// - Waiters are queued per (keyspace, key): the keyspace is the client's `c.db` object, so every
//   database has its own queues (SWAPDB moves the queues to the index they waited on; MOVE
//   signals its target). A key's queue is FIFO: clients are served in the order they blocked.
// - "Key may be ready" is signalled by the command that wrote, not by the keyspace: after every
//   write command the dispatcher calls `wrote()` (EXEC for each queued command), which marks each
//   of its keys that has waiters (one integer test while nobody waits). A write outside the key
//   spec calls `signal(db, key)` itself (cross-worker key restore does). A signal is a hint: the
//   waiter's retry decides.
// - After the command (or the whole EXEC) completes, `serveReady()` walks the ready keys in signal
//   order (handleClientsBlockedOnKeys): each waiter of the key, oldest first, retries the
//   non-blocking form (`BlockingCall.serve`) while the key exists; a served client gets its reply,
//   is flushed, and its held-back pipelined commands resume (Connection.pause()). A retry that
//   pushes (BLMOVE) signals its destination, served in the same loop. Signals raised outside any
//   command are served from a microtask.
// - Nothing blocks inside MULTI/EXEC (`denyBlocking`) or for a client that cannot pause (peer and
//   scratch clients): the command answers its `cannotBlock` reply at once.
// - Timeouts: one timer for the earliest deadline (deadlines.ts). CLIENT UNBLOCK ends a wait with
//   the timeout reply or -UNBLOCKED; a closed connection's wait is dropped (`forget`).
// - Several workers: a wait that involves a key of another worker is run by the cluster's plug
//   (`RemoteBlocking`, src/cluster/blocking-remote.ts) on the client's home worker: it asks each
//   key's owner for a watch (an entry in the owner's queue that sends a small notify back), then
//   tries the non-blocking form on the owner; a notify makes it retry; a retry that finds nothing
//   (another command took it first) keeps waiting. A notified watch holds its key on the owner
//   until that retry, so clients are served in the order they blocked across workers too; the
//   woken client of another worker gets its element one round trip after the push (a command the
//   pusher sends right after may still see it). While a cross-worker operation holds the worker's
//   gate nothing is served; the gate's opening serves.
// - The entries (a local wait, a watch) are in waits.ts.
//
// Adding a blocking command (say BZPOPMIN): give its entry the BLOCKING flag; in the handler parse
// the arguments in Redis's order (timeouts with parseBlockTimeout) into a `BlockingCall`
// (src/commands/blocking.ts): `keys`, `timeoutMs`, `serve(c, key, first)` = the non-blocking form
// on one key (false = nothing there, keep waiting), the `timedOut` and `cannotBlock` replies, and
// `remoteTry`/`remoteReply` for a key on another worker (`alsoWrites`: keys it writes but does not
// wait on); then `runBlocking(c, call)`. The write
// commands of the family need nothing: the dispatcher signals their keys.

import type { BlockingCall, BlockingService } from "../../commands/blocking.ts";
import type { Args, Client, CommandEntry } from "../../commands/types.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import type { ExecutionGate } from "../connection.ts";
import { Deadlines } from "./deadlines.ts";
import { canPause, LocalWait, Watch, type BlockableClient, type BlockedEntry, type KeyWaiter, latin1 } from "./waits.ts";

export { ERR_UNBLOCKED, latin1, replyUnblocked, type BlockableClient, type BlockedEntry, type KeyWaiter } from "./waits.ts";

/** How the cluster runs waits that involve other workers (src/cluster/blocking-remote.ts). */
export interface RemoteBlocking {
  /** True when one of `keys` lives on another worker. */
  involves(keys: readonly Uint8Array[]): boolean;
  /** Runs `call` for `c` over the workers; it registers the wait with `registry.hold()`. */
  start(c: BlockableClient, call: BlockingCall, registry: BlockedClients): void;
}

interface Held {
  entry: BlockedEntry;
  release: () => void;
}

export class BlockedClients implements BlockingService {
  /** keyspace → key name → FIFO of waiters. */
  private readonly queues = new Map<Keyspace, Map<string, KeyWaiter[]>>();
  private readonly held = new Map<Client, Held>();
  private readonly deadlines = new Deadlines<BlockedEntry>(
    (e, at) => this.held.get(e.client)?.entry === e && e.deadline === at,
    (e) => e.end(false),
  );
  private ready: { db: Keyspace; key: Uint8Array; name: string }[] = [];
  private readonly readyNames = new Map<Keyspace, Set<string>>();
  /** Keys held by a notified watch: nobody behind it is served until it is tried or dropped. */
  private readonly heldKeys = new Map<Keyspace, Map<string, KeyWaiter>>();
  private scheduled = false;
  private withTimeout = 0;
  /** Queue entries (local waits and watches, once per key). */
  waiting = 0;
  denyBlocking = 0;
  /** The cluster's plug, set when this server is one of several workers. */
  remote: RemoteBlocking | undefined = undefined;
  /** The worker's gate: nobody is served while a cross-worker operation holds it (its end serves). */
  gate: ExecutionGate | undefined = undefined;

  get pending(): boolean {
    return this.ready.length > 0;
  }

  run(c: Client, call: BlockingCall): void {
    const mayBlock = this.denyBlocking === 0 && canPause(c) && !c.closed;
    const remote = this.remote;
    if (mayBlock && remote !== undefined && (remote.involves(call.keys) || (call.alsoWrites !== undefined && remote.involves(call.alsoWrites)))) {
      return remote.start(c, call, this);
    }
    for (const key of call.keys) if (call.serve(c, key, true)) return;
    if (!mayBlock) return call.cannotBlock(c);
    const w = new LocalWait(this, c, c.db, call);
    this.enqueue(w);
    this.hold(w);
  }

  /** Registers a blocked client's wait: its next commands are held back until `release`. */
  hold(entry: BlockedEntry): void {
    this.held.set(entry.client, { entry, release: entry.client.pause() });
    if (entry.deadline > 0) {
      this.withTimeout++;
      this.deadlines.add(entry, entry.deadline);
      if (this.deadlines.size > 2 * this.withTimeout + 64) this.deadlines.prune();
    }
  }

  /** Ends a wait (its reply, if any, is written): the client's commands resume. */
  release(entry: BlockedEntry, gone: boolean): void {
    const h = this.held.get(entry.client);
    if (h === undefined || h.entry !== entry) return;
    this.held.delete(entry.client);
    if (entry.deadline > 0) this.withTimeout--;
    if (gone) return;
    h.release();
    entry.client.flush();
  }

  /** Queues a waiter on each of its keys (behind the ones already there). */
  enqueue(w: KeyWaiter): void {
    let byName = this.queues.get(w.db);
    if (byName === undefined) this.queues.set(w.db, (byName = new Map()));
    for (const name of w.names) {
      const q = byName.get(name);
      if (q === undefined) byName.set(name, [w]);
      else q.push(w);
      this.waiting++;
    }
  }

  /** Takes a waiter out of every queue it is in. */
  unqueue(w: KeyWaiter): void {
    const byName = this.queues.get(w.db);
    if (byName === undefined) return;
    for (const name of w.names) {
      const q = byName.get(name);
      if (q === undefined) continue;
      const i = q.indexOf(w);
      if (i < 0) continue;
      q.splice(i, 1);
      this.waiting--;
      if (q.length === 0) byName.delete(name);
    }
    if (byName.size === 0) this.queues.delete(w.db);
  }

  /** A watch on `key` for another worker; `notify` runs each time its turn comes. */
  watch(db: Keyspace, key: Uint8Array, notify: () => void): KeyWaiter {
    const w = new Watch(this, db, key, notify);
    // No signal here: the other worker tries the key after this watch is queued, so data pushed
    // before now is found by that try and data pushed later signals as usual.
    this.enqueue(w);
    return w;
  }

  /** A notified watch holds its key. */
  holdKey(w: KeyWaiter): void {
    let byName = this.heldKeys.get(w.db);
    if (byName === undefined) this.heldKeys.set(w.db, (byName = new Map()));
    byName.set(w.names[0]!, w);
  }

  /** Ends a watch's hold of its key; `wake`: serve the waiters behind it now (it was served). */
  private unhold(w: KeyWaiter, wake: boolean): void {
    const byName = this.heldKeys.get(w.db);
    if (byName === undefined || byName.get(w.names[0]!) !== w) return;
    byName.delete(w.names[0]!);
    if (byName.size === 0) this.heldKeys.delete(w.db);
    if (wake) this.signal(w.db, w.keys[0]!);
  }

  /** The other worker tried the key and found nothing: the watch keeps its place, the hold ends. */
  watchTried(w: KeyWaiter): void {
    this.unhold(w, false);
  }

  /** Drops a watch (its client was served or is gone); the waiters behind it go on. */
  unwatch(w: KeyWaiter): void {
    this.unqueue(w);
    this.unhold(w, true);
  }

  signal(db: Keyspace, key: Uint8Array): void {
    const byName = this.queues.get(db);
    if (byName === undefined) return;
    const name = latin1(key);
    if (!byName.has(name)) return;
    let names = this.readyNames.get(db);
    if (names === undefined) this.readyNames.set(db, (names = new Set()));
    if (names.has(name)) return;
    names.add(name);
    this.ready.push({ db, key: key.slice(), name });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.serveLater);
    }
  }

  wrote(db: Keyspace, entry: CommandEntry, argv: Args): void {
    if (this.queues.get(db) === undefined || entry.firstKey === 0 || entry.firstKey >= argv.length) return;
    if (entry.movableKeys !== undefined) {
      for (const i of entry.movableKeys(argv)) this.signal(db, argv[i]!);
      return;
    }
    const step = entry.step > 0 ? entry.step : 1;
    let last = entry.lastKey < 0 ? argv.length + entry.lastKey : entry.lastKey;
    if (last >= argv.length) last = argv.length - 1;
    for (let i = entry.firstKey; i <= last; i += step) this.signal(db, argv[i]!);
  }

  swapped(a: Keyspace, b: Keyspace): void {
    const qa = this.queues.get(a);
    const qb = this.queues.get(b);
    const ha = this.heldKeys.get(a);
    const hb = this.heldKeys.get(b);
    this.queues.delete(a);
    this.queues.delete(b);
    this.heldKeys.delete(a);
    this.heldKeys.delete(b);
    const move = (q: Map<string, KeyWaiter[]> | undefined, h: Map<string, KeyWaiter> | undefined, to: Keyspace): void => {
      if (h !== undefined) this.heldKeys.set(to, h);
      if (q === undefined) return;
      this.queues.set(to, q);
      for (const list of q.values()) for (const w of list) w.db = to;
    };
    move(qa, ha, b);
    move(qb, hb, a);
    // Redis's scanDatabaseForReadyKeys on both: keys that hold data now are served.
    for (const db of [a, b]) {
      const q = this.queues.get(db);
      if (q === undefined) continue;
      for (const [name, list] of q) {
        const w = list[0]!;
        const key = w.keys[w.names.indexOf(name)]!;
        if (db.peek(key) >= 0) this.signal(db, key);
      }
    }
  }

  private readonly serveLater = (): void => {
    this.scheduled = false;
    this.serveReady();
  };

  serveReady(): void {
    const gate = this.gate;
    if (gate !== undefined && gate.holder !== null && this.ready.length > 0) return gate.onOpen(this.serveLater);
    while (this.ready.length > 0) {
      const list = this.ready;
      this.ready = [];
      this.readyNames.clear();
      for (const r of list) this.serveKey(r.db, r.key, r.name);
    }
  }

  /** Retries the waiters of one key, oldest first, while the key exists. */
  private serveKey(db: Keyspace, key: Uint8Array, name: string): void {
    const q = this.queues.get(db)?.get(name);
    if (q === undefined) return;
    const held = this.heldKeys.get(db);
    if (held?.has(name)) return;
    // Only the waiters queued now: one served by pushing back here must not loop forever.
    for (const w of q.slice()) {
      if (db.peek(key) < 0) return;
      if (!q.includes(w)) continue; // served meanwhile through another key
      if (w.onReady(key)) this.unqueue(w);
      else if (this.heldKeys.get(db)?.has(name)) return;
    }
  }

  isBlocked(c: Client): boolean {
    const h = this.held.get(c);
    return h !== undefined && h.entry.shown !== false;
  }

  unblock(id: number, error: boolean): boolean {
    for (const [c, h] of this.held) {
      if (c.id !== id) continue;
      h.entry.end(error);
      return true;
    }
    return false;
  }

  forget(c: Client): void {
    this.held.get(c)?.entry.gone();
  }

  counts(): { blocked: number; withTimeout: number } {
    return { blocked: this.held.size, withTimeout: this.withTimeout };
  }

  close(): void {
    this.deadlines.close();
  }
}
