// WATCH / UNWATCH, Redis 7.0's optimistic locking: EXEC answers a null array when any key the
// client watched was changed since WATCH, by anyone: a write, an expiry change, its expiry or
// eviction, FLUSHDB/FLUSHALL, SWAPDB, RENAME, MOVE. The keyspace reports every change through
// its `touched` hook, installed only while someone watches a key of it, so a server with no
// WATCH pays one test per change. A watched key that expired since WATCH also aborts: EXEC looks
// each one up first, which removes it (and touches it) if it is past its time.
//
// Several workers: for a key another worker owns, its owner is asked to report the key's next
// change (src/cluster/key-interest.ts), which arrives here as a change through key-changes.ts.
import type { Keyspace } from "../engine/keyspace.ts";
import { onKeyChange, remoteKeys } from "./key-changes.ts";
import { bytesToLatin1 as latin1 } from "./args.ts";
import { defineCommand } from "./define.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

/** What a watching client holds (on the client object, as MULTI state is). */
export interface WatchState {
  keys: { db: Keyspace; key: Uint8Array; name: string }[];
  /** A watched key changed: the next EXEC fails. */
  dirty: boolean;
}

export interface WatchingClient {
  watch?: WatchState | undefined;
}


/** Per keyspace: watched key name → the states watching it. */
const registry = new Map<Keyspace, Map<string, Set<WatchState>>>();
/** Per keyspace: the unsubscribe function of its key-change listener. */
const unsubscribes = new Map<Keyspace, () => void>();

function hookFor(ks: Keyspace, keys: Map<string, Set<WatchState>>): (key: Uint8Array | null) => void {
  return (key) => {
    if (key === null) {
      for (const states of keys.values()) for (const s of states) s.dirty = true;
      return;
    }
    const states = keys.get(latin1(key));
    if (states !== undefined) for (const s of states) s.dirty = true;
  };
}

function add(c: Client, state: WatchState, db: Keyspace, key: Uint8Array): void {
  const name = latin1(key);
  if (state.keys.some((k) => k.db === db && k.name === name)) return;
  state.keys.push({ db, key: key.slice(), name });
  let keys = registry.get(db);
  if (keys === undefined) {
    keys = new Map();
    registry.set(db, keys);
    unsubscribes.set(db, onKeyChange(db, hookFor(db, keys)));
  }
  let states = keys.get(name);
  if (states === undefined) keys.set(name, (states = new Set()));
  states.add(state);
  void c;
}

/** Forgets every key `c` watches (EXEC, DISCARD, UNWATCH, RESET, disconnect). */
export function unwatchAll(c: Client): void {
  const w = c as WatchingClient;
  const state = w.watch;
  if (state === undefined) return;
  w.watch = undefined;
  for (const { db, name } of state.keys) {
    const keys = registry.get(db);
    const states = keys?.get(name);
    if (keys === undefined || states === undefined) continue;
    states.delete(state);
    if (states.size > 0) continue;
    keys.delete(name);
    if (keys.size === 0) {
      registry.delete(db);
      unsubscribes.get(db)?.();
      unsubscribes.delete(db);
    }
  }
}

/** EXEC's check: true when a watched key changed (or expired) since WATCH. Unwatches. */
export function watchFailed(c: Client): boolean {
  const state = (c as WatchingClient).watch;
  if (state === undefined) return false;
  // A key past its time is removed by the lookup, which marks the state dirty.
  for (const { db, key } of state.keys) db.peek(key);
  const failed = state.dirty;
  unwatchAll(c);
  return failed;
}

/** The databases swapped (SWAPDB): every watcher of either one sees its keys changed. */
export function touchAll(db: Keyspace): void {
  const keys = registry.get(db);
  if (keys !== undefined) hookFor(db, keys)(null);
}

// WATCH key [key ...]
function cmdWatch(c: Client, argv: Args): void {
  if ((c as { multi?: unknown }).multi !== undefined) return c.reply.error("ERR WATCH inside MULTI is not allowed");
  const w = c as WatchingClient;
  const state = (w.watch ??= { keys: [], dirty: false });
  // A key another worker owns: its owner reports the next change here (src/cluster/key-interest.ts).
  for (let i = 1; i < argv.length; i++) add(c, state, c.db, argv[i]!);
  // +OK once the owners confirmed (in the client's reply order).
  if (remoteKeys.watch?.(c, c.dbIndex, argv.slice(1)) === true) return;
  c.reply.ok();
}

// UNWATCH
function cmdUnwatch(c: Client): void {
  unwatchAll(c);
  c.reply.ok();
}

const { NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY } = CmdFlag;

export const watchCommands: CommandEntry[] = [
  // No key spec: the watch lives with this client, so WATCH must never be forwarded to an owner.
  defineCommand({ name: "watch", arity: -2, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, categories: ["transaction", "fast"],
    summary: "Monitor changes to keys to determine execution of a MULTI/EXEC block", since: "2.2.0", handler: cmdWatch }),
  defineCommand({ name: "unwatch", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, categories: ["transaction", "fast"],
    summary: "Forget about all watched keys", since: "2.2.0", handler: cmdUnwatch }),
];
