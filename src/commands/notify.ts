// Keyspace notifications (Redis's notify.c): `notify-keyspace-events` names the classes of events
// published, and each event goes to `__keyspace@<db>__:<key>` (message: the event) and/or
// `__keyevent@<db>__:<event>` (message: the key). Handlers call `notifyKeyspaceEvent` after their
// effect; it costs one integer test while nothing would receive the event: the server's
// `notifyMask` is the configured classes only while some worker has a subscriber that could match
// a keyspace channel (a pattern, or a channel starting with `__key`), else 0.
//
// With several workers, events of this worker's keys are published here and sent to the workers
// that have such subscribers (`NotifyState.remote`), over the one link to each, so a subscriber
// sees each key's events in order. The cluster layer fills `sendToWorkers` and keeps `remote`.

import { MutationCause } from "../engine/types.ts";
import { NotifyClass } from "./notify-classes.ts";
import { publishLocal } from "./pubsub.ts";
import type { Client, ServerContext } from "./types.ts";

export { NotifyClass };

const N = NotifyClass;

/** Per-server notification state (slow path only; the hot path reads `server.notifyMask`). */
export interface NotifyState {
  /** The configured classes. */
  flags: number;
  /** Local subscriptions (patterns, `__key*` channels) that may receive keyspace events. */
  local: number;
  /** Other workers with such subscribers. */
  readonly remote: Set<number>;
  /** Set by the cluster layer: publishes on the workers in `remote`. */
  sendToWorkers: ((channel: Uint8Array, message: Uint8Array) => void) | undefined;
  /** Set by the cluster layer: told when `local` turns zero or non-zero. */
  onLocalInterest: ((interested: boolean) => void) | undefined;
}

const states = new WeakMap<ServerContext, NotifyState>();

export function notifyStateOf(server: ServerContext): NotifyState {
  let st = states.get(server);
  if (st === undefined) {
    st = { flags: 0, local: 0, remote: new Set(), sendToWorkers: undefined, onLocalInterest: undefined };
    states.set(server, st);
  }
  return st;
}

/** Recomputes the hot-path mask: the classes, while someone anywhere may listen. */
export function refreshNotifyMask(server: ServerContext): void {
  const st = notifyStateOf(server);
  const listening = st.local > 0 || st.remote.size > 0;
  const k = st.flags & (N.KEYSPACE | N.KEYEVENT);
  server.notifyMask = listening && k !== 0 ? st.flags : 0;
}

/** CONFIG SET / start-up: the classes from the config string (already validated). */
export function setKeyspaceEvents(server: ServerContext, flags: number): void {
  notifyStateOf(server).flags = flags;
  refreshNotifyMask(server);
}

/** A channel or pattern that can receive keyspace events: any pattern, `__key*` channels. */
export function mayReceiveKeyspaceEvents(name: string, pattern: boolean): boolean {
  return pattern || name.startsWith("__key");
}

/** pubsub.ts: a local keyspace-capable subscription was added (+1) or removed (-1). */
export function changeLocalInterest(server: ServerContext, delta: number): void {
  const st = notifyStateOf(server);
  const before = st.local > 0;
  st.local += delta;
  const after = st.local > 0;
  refreshNotifyMask(server);
  if (before !== after) st.onLocalInterest?.(after);
}

const enc = new TextEncoder();
const prefixCache = new Map<number, [Uint8Array, Uint8Array]>();

function prefixes(db: number): [Uint8Array, Uint8Array] {
  let p = prefixCache.get(db);
  if (p === undefined) prefixCache.set(db, (p = [enc.encode(`__keyspace@${db}__:`), enc.encode(`__keyevent@${db}__:`)]));
  return p;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Publishes one event of database `db` (the mask said yes). */
export function publishKeyspaceEvent(server: ServerContext, db: number, cls: number, event: string, key: Uint8Array): void {
  const flags = server.notifyMask ?? 0;
  if ((flags & cls) === 0) return;
  const st = notifyStateOf(server);
  const [space, evt] = prefixes(db);
  const ev = enc.encode(event);
  if (flags & N.KEYSPACE) {
    const ch = concat(space, key);
    publishLocal(server, ch, ev);
    if (st.remote.size > 0) st.sendToWorkers?.(ch, ev);
  }
  if (flags & N.KEYEVENT) {
    const ch = concat(evt, ev);
    const k = key.slice();
    publishLocal(server, ch, k);
    if (st.remote.size > 0) st.sendToWorkers?.(ch, k);
  }
}

/** The handlers' call: one integer test when nobody listens for class `cls`. */
export function notifyKeyspaceEvent(c: Client, cls: number, event: string, key: Uint8Array): void {
  if (((c.server.notifyMask ?? 0) & cls) === 0) return;
  publishKeyspaceEvent(c.server, c.db.db, cls, event, key);
}

/** `notifyKeyspaceEvent` for database `db` (COPY ... DB, MOVE). */
export function notifyInDb(c: Client, db: number, cls: number, event: string, key: Uint8Array): void {
  if (((c.server.notifyMask ?? 0) & cls) === 0) return;
  publishKeyspaceEvent(c.server, db, cls, event, key);
}

/** The engine's creation hook (`Keyspace.addedKey`): the `new` event (class n). */
export function notifyNewKey(server: ServerContext, db: number, key: Uint8Array): void {
  if ((server.notifyMask ?? 0) & N.NEW) publishKeyspaceEvent(server, db, N.NEW, "new", key);
}

/** True when the configured classes include `new` (the creation hook is installed only then). */
export function wantsNewKeyEvents(server: ServerContext): boolean {
  return (notifyStateOf(server).flags & N.NEW) !== 0;
}

/** The engine's removal hook (`Keyspace.removedByEngine`): `expired` and `evicted` events. */
export function notifyEngineRemoval(server: ServerContext, db: number, key: Uint8Array, cause: MutationCause): void {
  if (cause === MutationCause.Expired) {
    if ((server.notifyMask ?? 0) & N.EXPIRED) publishKeyspaceEvent(server, db, N.EXPIRED, "expired", key);
  } else if (cause === MutationCause.Evicted) {
    if ((server.notifyMask ?? 0) & N.EVICTED) publishKeyspaceEvent(server, db, N.EVICTED, "evicted", key);
  }
}
