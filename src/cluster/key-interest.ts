// Key changes across workers, for client tracking and WATCH of keys another worker owns. The home
// worker (where the reading or watching client is) asks the key's owner for one notification:
// `__kwatch home db key`, sent on the same ordered link as the forwarded read, so it is in place
// before the owner reads the key for that command. The owner's next change of the key (a write,
// an expiry, an eviction, FLUSHALL/FLUSHDB, a RENAME...) is written as a push `>3 kchanged db key`
// into the reply stream of the home worker's own link, ahead of the reply of the command that
// changed it (when that command came over the link, the writer is a client of the home worker),
// and the request is forgotten; the home worker hands it to its own key-change listeners
// (src/commands/key-changes.ts) as a change of that key, so tracking sends its invalidation and WATCH
// marks the transaction dirty exactly as for a local key. One request per key and home at a time.
// WATCH answers +OK only once the owners confirmed, so any write seen after it is reported.
// Limits: a worker that restarts forgets the requests it held; for a writer on the owner's worker
// the push is written before the writer's reply, but on another socket than that client's, so
// an EXEC sent right after that reply could in theory be read first.
import type { Args } from "../commands/types.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import { keyChanged, onKeyChange } from "../commands/key-changes.ts";
import type { HoldingClient, WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KWATCH = enc.encode("__kwatch");
const KCHANGED = enc.encode("__kchanged");
const noop = (): void => {};
const OK = enc.encode("+OK\r\n");
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");

/** `>3 kchanged db key`, written into the reply stream of the home worker's link. */
function kchangedPush(db: number, key: Uint8Array): Uint8Array {
  const head = enc.encode(`>3\r\n$8\r\nkchanged\r\n$${String(db).length}\r\n${db}\r\n$${key.length}\r\n`);
  const out = new Uint8Array(head.length + key.length + 2);
  out.set(head);
  out.set(key, head.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/** The bulk strings of a flat push (`>n` then n `$len` bulks). */
function pushParts(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = b.indexOf(10) + 1;
  while (p < b.length && b[p] === 36) {
    const eol = b.indexOf(13, p);
    const len = Number(dec.decode(b.subarray(p + 1, eol)));
    out.push(b.subarray(eol + 2, eol + 2 + len));
    p = eol + 4 + len;
  }
  return out;
}

export class KeyInterest {
  /** Owner side: "db\0key" → home workers waiting for its next change. */
  private readonly homes = new Map<string, Set<number>>();
  private readonly subscribed = new Set<Keyspace>();
  /** Home side: "db\0key" asked of its owner and not yet answered. */
  private readonly asked = new Set<string>();
  private readonly me: Uint8Array;
  /** Owner side: per home worker, the push into the reply stream of that worker's link here. */
  private readonly pushers = new Map<number, (bytes: Uint8Array) => void>();

  constructor(private readonly cw: WorkerCluster) {
    this.me = enc.encode(String(cw.index));
  }

  /** Home side: the next change of `key` in database `db` (owned elsewhere) must reach this worker. */
  ask(db: number, key: Uint8Array): void {
    const owner = this.cw.slots.ownerOfKey(key);
    if (owner === this.cw.index) return;
    const tag = `${db}\0${latin1(key)}`;
    if (this.asked.has(tag)) return;
    const link = this.cw.links[owner];
    if (link === undefined) return;
    this.listen(db);
    this.asked.add(tag);
    link.send([KWATCH, this.me, enc.encode(String(db)), key], 2, noop);
  }

  /**
   * WATCH: asks the owners of the keys another worker owns, and answers +OK in the client's reply
   * order once every owner confirmed (a write the client may see after +OK is then reported).
   * False when every key is this worker's (the caller answers).
   */
  watch(c: HoldingClient, db: number, keys: readonly Uint8Array[]): boolean {
    let waiting = 0;
    let hold: ((bytes: Uint8Array) => void) | undefined;
    for (const key of keys) {
      const owner = this.cw.slots.ownerOfKey(key);
      const link = owner === this.cw.index ? undefined : this.cw.links[owner];
      if (link === undefined) continue;
      hold ??= c.hold(c.replyMode !== "on");
      waiting++;
      this.asked.add(`${db}\0${latin1(key)}`);
      link.send([KWATCH, this.me, enc.encode(String(db)), key], 2, () => {
        if (--waiting === 0) hold!(OK);
      });
    }
    return hold !== undefined;
  }

  /** `__kwatch home db key` (owner side) and `__kchanged db key` (home side), run by peer-session.ts. */
  internal(name: string, argv: Args, r: ReplyWriter, push: (bytes: Uint8Array) => void): void {
    if (name === "kwatch") {
      const home = Number(dec.decode(argv[1]!));
      this.pushers.set(home, push);
      this.register(home, Number(dec.decode(argv[2]!)), argv[3]!);
    }
    else if (name === "kchanged") this.changed(Number(dec.decode(argv[1]!)), argv[2]!);
    r.ok();
  }

  /** Listens to database `db` here (owner side: its changes; home side: its flushes). */
  private listen(db: number): void {
    const ks = this.cw.server.databases.at(db);
    if (this.subscribed.has(ks)) return;
    this.subscribed.add(ks);
    onKeyChange(ks, (k, at) => this.onOwnerChange(at, k));
  }

  private register(home: number, db: number, key: Uint8Array): void {
    this.listen(db);
    const tag = `${db}\0${latin1(key)}`;
    let set = this.homes.get(tag);
    if (set === undefined) this.homes.set(tag, (set = new Set()));
    set.add(home);
  }

  private onOwnerChange(ks: Keyspace, key: Uint8Array | null): void {
    if (this.homes.size === 0 && (key !== null || this.asked.size === 0)) return;
    const db = ks.db;
    if (key === null) {
      // FLUSHALL/FLUSHDB run on every worker: each home's own clear tells its watchers and
      // tracking clients (one null, as Redis sends), so the requests here are only dropped.
      const inDb = (tag: string): boolean => Number(tag.slice(0, tag.indexOf("\0"))) === db;
      for (const tag of [...this.homes.keys()]) if (inDb(tag)) this.homes.delete(tag);
      // Home side: the owners dropped this worker's requests too; ask again on the next read.
      for (const tag of [...this.asked]) if (inDb(tag)) this.asked.delete(tag);
      return;
    }
    const tag = `${db}\0${latin1(key)}`;
    if (this.homes.has(tag)) this.notify(tag, db, key.slice());
  }

  private notify(tag: string, db: number, key: Uint8Array): void {
    const set = this.homes.get(tag)!;
    this.homes.delete(tag);
    for (const home of set) {
      const push = this.pushers.get(home);
      if (push !== undefined) push(kchangedPush(db, key));
      else this.cw.links[home]?.send([KCHANGED, enc.encode(String(db)), key], 2, noop);
    }
  }

  /** Home side: a `>3 kchanged db key` push from an owner, on this worker's link to it. */
  onPush(push: Uint8Array): void {
    const parts = pushParts(push);
    if (parts.length === 3 && dec.decode(parts[0]) === "kchanged") this.changed(Number(dec.decode(parts[1])), parts[2]!.slice());
  }

  private changed(db: number, key: Uint8Array): void {
    this.asked.delete(`${db}\0${latin1(key)}`);
    keyChanged(this.cw.server.databases.at(db), key);
  }

  /** INFO cores line: keys this worker is asked about, and keys it asked other workers about. */
  info(): string {
    return `key_interest_held:${this.homes.size}\r\nkey_interest_asked:${this.asked.size}`;
  }
}
