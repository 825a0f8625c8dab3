// Client tracking (server-assisted client-side caching), Redis 7.0's tracking.c. A tracking client
// that reads a key is remembered in the tracking table (key → client ids); the next change of the
// key sends it one invalidation (`>2 invalidate [key]` in RESP3, or a `message` on
// `__redis__:invalidate` to the RESP2 client it redirects to) and forgets the entry. BCAST clients
// register prefixes instead: keys changed under a prefix are collected and sent once per loop turn
// (Redis's beforeSleep), sorted as Redis's radix tree sorts them. FLUSHALL/FLUSHDB send a null.
// An invalidation for the client that is running the command comes after the command's reply.
//
// Changes reach this module through src/commands/key-changes.ts (installed on the databases only
// while at least one client tracks). The dispatcher calls trackingBegin/trackingEnd around each
// command only while `trackingInUse.clients > 0`, so a server without tracking pays one test.
// Several workers: a read of a key another worker owns is remembered here too, and the owner is
// asked to report the key's next change (src/cluster/key-interest.ts), which arrives as a change
// of the key through key-changes.ts. Limits: keys read inside EXEC or a script are not
// remembered; BCAST sees the changes of this worker's keys only.
import type { PubSubClient } from "./pubsub.ts";
import { keyPositions } from "./command-docs.ts";
import { CmdFlag, type Args, type Client, type CommandEntry, type ServerContext } from "./types.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { onKeyChange, remoteKeys } from "./key-changes.ts";

/** What a tracking client holds (on the client object, as WATCH state is). */
export interface TrackingState {
  /** Client id invalidations go to (0: this client). */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (optin) / NO (optout) for the next command. */
  caching: boolean;
  brokenRedirect: boolean;
  /** BCAST prefixes (latin1). */
  prefixes: string[];
}

export interface TrackingClient {
  tracking?: TrackingState | undefined;
}

interface Prefix {
  clients: Set<Client>;
  /** Keys changed since the last broadcast → the client that changed it (null: none). */
  keys: Map<string, Client | null>;
}

interface ServerTracking {
  clients: number;
  /** Key name (latin1) → ids of the clients that read it. */
  table: Map<string, Set<number>>;
  items: number;
  prefixes: Map<string, Prefix>;
  unsubscribe: Map<Keyspace, () => void>;
  /** The client running the outermost command, and the invalidations it is owed after its reply. */
  current: Client | undefined;
  depth: number;
  pending: (Uint8Array | null)[];
  /** A null was sent in this command already (FLUSHALL clears each database). */
  flushed: Set<Client>;
  broadcastScheduled: boolean;
}

/** Tracking clients in this process (the dispatcher's one test). */
export const trackingInUse = { clients: 0 };

const states = new WeakMap<ServerContext, ServerTracking>();
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
const bytes = (s: string): Uint8Array => Buffer.from(s, "latin1");
const enc = new TextEncoder();
const NULL2 = enc.encode("$-1\r\n");
const NULL3 = enc.encode("_\r\n");
export const INVALIDATE_CHANNEL = "__redis__:invalidate";

function stateOf(s: ServerContext): ServerTracking {
  let st = states.get(s);
  if (st === undefined) {
    st = { clients: 0, table: new Map(), items: 0, prefixes: new Map(), unsubscribe: new Map(), current: undefined, depth: 0, pending: [], flushed: new Set(), broadcastScheduled: false };
    states.set(s, st);
  }
  return st;
}

/** Listens to `db`'s changes while someone tracks. */
function subscribe(server: ServerContext, st: ServerTracking, db: Keyspace): void {
  if (st.unsubscribe.has(db)) return;
  st.unsubscribe.set(db, onKeyChange(db, (key) => (key === null ? invalidateAll(server, st) : invalidateKey(server, st, key))));
}

/** Sends one invalidation (keys, or null for a flush) to `c`, following its redirect. */
function send(server: ServerContext, c: Client, keys: Uint8Array[] | null): void {
  const t = (c as TrackingClient).tracking;
  if (t === undefined) return;
  let to = c;
  let redirected = false;
  if (t.redirect !== 0) {
    const r = server.clients.get(t.redirect);
    if (r === undefined) {
      t.brokenRedirect = true;
      if (c.reply.resp === 3) {
        c.reply.pushHeader(2);
        c.reply.bulkString("tracking-redir-broken");
        c.reply.integer(t.redirect);
        (c as PubSubClient).flush?.();
      }
      return;
    }
    to = r;
    redirected = true;
  }
  const w = to.reply;
  if (w.resp === 3) {
    w.pushHeader(2);
    w.bulkString("invalidate");
  } else if (redirected && ((to as PubSubClient).subscriptions ?? 0) > 0) {
    w.pushHeader(3);
    w.bulkString("message");
    w.bulkString(INVALIDATE_CHANNEL);
  } else {
    return; // RESP2 without a redirect: nowhere to send it
  }
  if (keys === null) {
    w.raw(c.reply.resp === 3 ? NULL3 : NULL2);
  } else {
    w.arrayHeader(keys.length);
    for (const k of keys) w.bulk(k);
  }
  (to as PubSubClient).flush?.();
}

function invalidateKey(server: ServerContext, st: ServerTracking, key: Uint8Array): void {
  const name = latin1(key);
  if (st.prefixes.size > 0) {
    for (const [p, pre] of st.prefixes) {
      if (!name.startsWith(p)) continue;
      pre.keys.set(name, st.current ?? null);
      scheduleBroadcast(server, st);
    }
  }
  const ids = st.table.get(name);
  if (ids === undefined) return;
  st.table.delete(name);
  st.items -= ids.size;
  for (const id of ids) {
    const target = server.clients.get(id);
    const t = (target as TrackingClient | undefined)?.tracking;
    if (target === undefined || t === undefined || t.bcast) continue;
    if (target === st.current) {
      if (!t.noloop) st.pending.push(key.slice());
      continue;
    }
    send(server, target, [key]);
  }
}

/** FLUSHALL / FLUSHDB: every tracking client gets a null; the table is emptied. */
function invalidateAll(server: ServerContext, st: ServerTracking): void {
  for (const c of server.clients.values()) {
    if ((c as TrackingClient).tracking === undefined || st.flushed.has(c)) continue;
    if (st.depth > 0) st.flushed.add(c);
    if (c === st.current) st.pending.push(null);
    else send(server, c, null);
  }
  st.table.clear();
  st.items = 0;
}

function scheduleBroadcast(server: ServerContext, st: ServerTracking): void {
  if (st.broadcastScheduled) return;
  st.broadcastScheduled = true;
  setImmediate(() => broadcast(server, st));
}

/** Sends every prefix's collected keys to its clients (NOLOOP clients: not the keys they changed). */
function broadcast(server: ServerContext, st: ServerTracking): void {
  st.broadcastScheduled = false;
  for (const p of [...st.prefixes.keys()].sort(compareBytes)) {
    const pre = st.prefixes.get(p)!;
    if (pre.keys.size === 0) continue;
    const names = [...pre.keys.keys()].sort(compareBytes);
    for (const c of pre.clients) {
      const t = (c as TrackingClient).tracking;
      if (t === undefined) continue;
      const mine = t.noloop ? names.filter((n) => pre.keys.get(n) !== c) : names;
      if (mine.length > 0) send(server, c, mine.map(bytes));
    }
    pre.keys.clear();
  }
}

/** Byte order of latin1 strings (Redis's radix tree order). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the dispatcher's hooks --------------------------------------------------------------------

/** Before a command (only while someone tracks): remembers who runs it. */
export function trackingBegin(c: Client, argv: Args): void {
  const st = stateOf(c.server);
  if (st.depth++ > 0) return;
  st.current = c;
  if (st.clients > 0) subscribe(c.server, st, c.db);
  // Several workers: the owners of the keys this read will be forwarded to are asked first, on
  // the same ordered links, so their watch is in place before they read (src/cluster/key-interest.ts).
  const ask = remoteKeys.ask;
  const t = (c as TrackingClient).tracking;
  if (ask === undefined || t === undefined || t.bcast || (t.optin && !t.caching) || (t.optout && t.caching)) return;
  const entry = c.server.commands.get(latin1(argv[0]!).toLowerCase());
  if (entry === undefined || (entry.flags & CmdFlag.READONLY) === 0) return;
  for (const i of keyPositions(entry, argv.length, argv)) ask(c.dbIndex, argv[i]!);
}

/** After a command: remembers the keys a tracking client read, then sends what it is owed. */
export function trackingEnd(c: Client, entry: CommandEntry | undefined, argv: Args): void {
  const st = stateOf(c.server);
  const cur = st.current ?? c;
  const t = (cur as TrackingClient).tracking;
  if (t !== undefined && entry !== undefined && !t.bcast && (entry.flags & CmdFlag.READONLY) !== 0 && (entry.flags & CmdFlag.PUBSUB) === 0) {
    if (!((t.optin && !t.caching) || (t.optout && t.caching))) remember(c, st, cur, entry, argv);
  }
  if (--st.depth > 0) return;
  st.current = undefined;
  st.flushed.clear();
  if (t !== undefined && entry !== undefined && !entry.name.startsWith("client|") && (cur as { multi?: unknown }).multi === undefined) t.caching = false;
  const pending = st.pending;
  if (pending.length > 0) {
    st.pending = [];
    for (const k of pending) send(c.server, cur, k === null ? null : [k]);
  }
  limitTable(cur.server, st);
}

function remember(c: Client, st: ServerTracking, tracker: Client, entry: CommandEntry, argv: Args): void {
  const at = keyPositions(entry, argv.length, argv);
  if (at.length === 0) return;
  subscribe(c.server, st, c.db);
  const ask = remoteKeys.ask;
  for (const i of at) {
    // A key another worker owns: its owner reports the next change here (src/cluster/key-interest.ts).
    if (ask !== undefined) ask(c.dbIndex, argv[i]!);
    const name = latin1(argv[i]!);
    let ids = st.table.get(name);
    if (ids === undefined) st.table.set(name, (ids = new Set()));
    if (!ids.has(tracker.id)) {
      ids.add(tracker.id);
      st.items++;
    }
  }
}

/** tracking-table-max-keys: over the limit, the oldest keys are invalidated (Redis: random ones). */
function limitTable(server: ServerContext, st: ServerTracking): void {
  const max = Number(server.config.get("tracking-table-max-keys") ?? "1000000");
  if (!(max > 0) || st.table.size <= max) return;
  for (const name of st.table.keys()) {
    if (st.table.size <= max) break;
    invalidateKey(server, st, bytes(name));
  }
}

// ---- enabling and disabling --------------------------------------------------------------------

/** CLIENT TRACKING ON with parsed, checked options. */
export function enableTracking(c: Client, opts: Omit<TrackingState, "caching" | "brokenRedirect">, prefixes: string[]): void {
  const st = stateOf(c.server);
  const tc = c as TrackingClient;
  if (tc.tracking === undefined) {
    st.clients++;
    trackingInUse.clients++;
    c.server.databases.each((_i, ks) => subscribe(c.server, st, ks));
  }
  const old = tc.tracking;
  const t: TrackingState = { ...opts, caching: old?.caching ?? false, brokenRedirect: false, prefixes: old?.prefixes ?? [] };
  tc.tracking = t;
  if (opts.bcast) {
    const list = prefixes.length === 0 ? [""] : prefixes;
    for (const p of list) {
      if (t.prefixes.includes(p)) continue;
      t.prefixes.push(p);
      let pre = st.prefixes.get(p);
      if (pre === undefined) st.prefixes.set(p, (pre = { clients: new Set(), keys: new Map() }));
      pre.clients.add(c);
    }
  }
}

/** CLIENT TRACKING OFF, RESET, disconnect. */
export function disableTracking(c: Client): void {
  const tc = c as TrackingClient;
  const t = tc.tracking;
  if (t === undefined) return;
  tc.tracking = undefined;
  const st = stateOf(c.server);
  for (const p of t.prefixes) {
    const pre = st.prefixes.get(p);
    pre?.clients.delete(c);
    if (pre !== undefined && pre.clients.size === 0) st.prefixes.delete(p);
  }
  st.clients--;
  trackingInUse.clients--;
  if (st.clients === 0) {
    for (const un of st.unsubscribe.values()) un();
    st.unsubscribe.clear();
  }
}

/** The client's current BCAST prefixes (for the overlap check). */
export function prefixesOf(c: Client): string[] {
  return (c as TrackingClient).tracking?.prefixes ?? [];
}

/** INFO clients `tracking_clients`. */
export function trackingClients(s: ServerContext): number {
  return states.get(s)?.clients ?? 0;
}

/** INFO stats `tracking_total_keys`, `tracking_total_items`, `tracking_total_prefixes`. */
export function trackingTotals(s: ServerContext): { keys: number; items: number; prefixes: number } {
  const st = states.get(s);
  return { keys: st?.table.size ?? 0, items: st?.items ?? 0, prefixes: st?.prefixes.size ?? 0 };
}
