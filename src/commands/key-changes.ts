// The fan-out of a keyspace's changes. `Keyspace.touched` is one slot (one null test per change
// when unused); WATCH and client tracking both need it, so this module owns the slot and calls
// every subscriber of that keyspace. The slot stays null while nobody listens, so a server
// without WATCH or tracking still pays one test per change, and one subscriber pays one call.
import type { Client } from "./types.ts";
import type { Keyspace } from "../engine/keyspace.ts";

/** Called with the changed key (a view, valid during the call) or null when everything is cleared. */
export type KeyChangeListener = (key: Uint8Array | null, db: Keyspace) => void;

const listeners = new Map<Keyspace, KeyChangeListener[]>();

function install(db: Keyspace, list: KeyChangeListener[]): void {
  if (list.length === 1) {
    const only = list[0]!;
    db.touched = (key) => only(key, db);
    return;
  }
  db.touched = (key) => {
    for (let i = 0; i < list.length; i++) list[i]!(key, db);
  };
}

/** Subscribes `fn` to every change of `db`; returns the unsubscribe function. */
export function onKeyChange(db: Keyspace, fn: KeyChangeListener): () => void {
  let list = listeners.get(db);
  if (list === undefined) listeners.set(db, (list = []));
  list.push(fn);
  install(db, list);
  return () => {
    const l = listeners.get(db);
    if (l === undefined) return;
    const i = l.indexOf(fn);
    if (i < 0) return;
    l.splice(i, 1);
    if (l.length === 0) {
      listeners.delete(db);
      db.touched = null;
    } else {
      install(db, l);
    }
  };
}

/** Tells `db`'s listeners that `key` changed elsewhere (its owner, another worker, said so). */
export function keyChanged(db: Keyspace, key: Uint8Array): void {
  const list = listeners.get(db);
  if (list === undefined) return;
  for (let i = 0; i < list.length; i++) list[i]!(key, db);
}

/**
 * Several workers: asks the owner of `key` (database `db`) to report its next change here
 * (src/cluster/key-interest.ts plugs it in); a single worker leaves it unset.
 */
export const remoteKeys: {
  ask: ((db: number, key: Uint8Array) => void) | undefined;
  /** WATCH: asks the owners and answers +OK once they confirmed; false when no key is elsewhere. */
  watch: ((c: Client, db: number, keys: readonly Uint8Array[]) => boolean) | undefined;
} = { ask: undefined, watch: undefined };
