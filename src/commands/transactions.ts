// MULTI, EXEC, DISCARD: Redis transactions without WATCH. After MULTI every command is checked
// (lookup, arity, auth) and queued with +QUEUED; a command refused meanwhile marks the
// transaction so EXEC answers -EXECABORT. EXEC runs the queue with nothing in between and
// replies with the array of their replies. With several workers, a queue whose keys all live on
// this worker runs here; otherwise it runs atomically under the gates of every worker involved
// (src/cluster/multi-key.ts). Keyless whole-keyspace commands inside a transaction (DBSIZE,
// KEYS...) see this worker only.

import { defineCommand } from "./define.ts";
import { unwatchAll, watchFailed } from "./watch.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

export const ERR_MULTI_NESTED = "ERR MULTI calls can not be nested";
export const ERR_EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
export const ERR_DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
export const ERR_EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
/**
 * Redis's execCommandAbort: an EXEC refused before it runs (NOAUTH, arity, LOADING...) discards
 * the transaction, if any, and names the refusal (an "ERR " code is dropped, as Redis prints it).
 */
export const execAbortError = (refusal: string): string =>
  `EXECABORT Transaction discarded because of: ${refusal.startsWith("ERR ") ? refusal.slice(4) : refusal}`;

/** A client inside MULTI: the queued commands and whether one was refused. */
export interface MultiState {
  entries: CommandEntry[];
  argvs: Args[];
  dirty: boolean;
}

/** The transaction state lives on the client object (Connection and PeerClient declare it). */
export interface MultiClient {
  multi?: MultiState | undefined;
}

const { NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY, NO_MULTI } = CmdFlag;

/** Entries that run even inside MULTI (EXEC, DISCARD, MULTI, QUIT, RESET); filled below. */
const RUN_IN_MULTI = new Set<string>(["exec", "discard", "multi", "quit", "reset", "watch"]);

/**
 * Called by the dispatcher for a client inside MULTI once the command passed lookup, arity and
 * auth: queues it and replies +QUEUED (true), or lets it run (false).
 */
export function queueInMulti(c: Client, tx: MultiState, entry: CommandEntry, argv: Args): boolean {
  const top = entry.name.includes("|") ? entry.name.slice(0, entry.name.indexOf("|")) : entry.name;
  if (RUN_IN_MULTI.has(top)) return false;
  if ((entry.flags & NO_MULTI) !== 0) {
    tx.dirty = true;
    c.reply.error("ERR Command not allowed inside a transaction");
    return true;
  }
  tx.entries.push(entry);
  tx.argvs.push(argv.map((a) => a.slice()));
  c.reply.simple("QUEUED");
  return true;
}

// MULTI
function cmdMulti(c: Client): void {
  const m = c as MultiClient;
  if (m.multi !== undefined) return c.reply.error(ERR_MULTI_NESTED);
  m.multi = { entries: [], argvs: [], dirty: false };
  c.reply.ok();
}

// DISCARD
function cmdDiscard(c: Client): void {
  const m = c as MultiClient;
  if (m.multi === undefined) return c.reply.error(ERR_DISCARD_WITHOUT_MULTI);
  m.multi = undefined;
  unwatchAll(c);
  c.reply.ok();
}

/** Keys of an entry's arguments. */
function keysOf(entry: CommandEntry, argv: Args): Uint8Array[] {
  if (entry.movableKeys !== undefined) return entry.movableKeys(argv).map((i) => argv[i]!);
  if (entry.firstKey === 0 || entry.firstKey >= argv.length) return [];
  const step = entry.step > 0 ? entry.step : 1;
  let last = entry.lastKey < 0 ? argv.length + entry.lastKey : entry.lastKey;
  if (last >= argv.length) last = argv.length - 1;
  const out: Uint8Array[] = [];
  for (let i = entry.firstKey; i <= last; i += step) out.push(argv[i]!);
  return out;
}

// EXEC
function cmdExec(c: Client): void {
  const m = c as MultiClient;
  const tx = m.multi;
  if (tx === undefined) return c.reply.error(ERR_EXEC_WITHOUT_MULTI);
  m.multi = undefined;
  if (tx.dirty) {
    unwatchAll(c);
    return c.reply.error(ERR_EXECABORT);
  }
  // A watched key changed since WATCH: the transaction does not run (Redis's null reply).
  if (watchFailed(c)) return c.reply.nullArray();
  const cw = c.server.cluster;
  if (cw !== undefined && (cw.clusterPort === 0 || c.localPort !== cw.clusterPort)) {
    let elsewhere = false;
    for (let i = 0; i < tx.entries.length && !elsewhere; i++) {
      for (const k of keysOf(tx.entries[i]!, tx.argvs[i]!)) if (cw.slots.ownerOfKey(k) !== cw.index) elsewhere = true;
      // SORT's BY/GET targets, as named by the data here now.
      for (const k of tx.entries[i]!.patternKeys?.(c.db, tx.argvs[i]!) ?? []) if (cw.slots.ownerOfKey(k) !== cw.index) elsewhere = true;
    }
    if (elsewhere) {
      cw.runAtomic(c, tx.argvs, tx.entries, true);
      return;
    }
  }
  // Everything is here: run the queue now; nothing else runs in between (nothing blocks either;
  // the keys written wake their waiters once EXEC is done).
  const r = c.reply;
  const blocking = c.server.blocking;
  if (blocking !== undefined) blocking.denyBlocking++;
  r.arrayHeader(tx.entries.length);
  try {
    for (let i = 0; i < tx.entries.length; i++) {
      const entry = tx.entries[i]!;
      const mark = r.len;
      try {
        entry.handler!(c, tx.argvs[i]!);
      } catch (e) {
        r.len = mark;
        r.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
      }
      entry.calls++;
      if (blocking !== undefined && blocking.waiting > 0 && (entry.flags & CmdFlag.WRITE) !== 0) blocking.wrote(c.db, entry, tx.argvs[i]!);
    }
  } finally {
    if (blocking !== undefined) blocking.denyBlocking--;
  }
}

const TX = ["transaction", "fast"] as const;

export const transactionCommands: CommandEntry[] = [
  defineCommand({ name: "multi", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, categories: TX,
    summary: "Starts a transaction.", since: "1.2.0", handler: cmdMulti }),
  defineCommand({ name: "exec", arity: 1, flags: NOSCRIPT | LOADING | STALE, categories: ["transaction", "slow"],
    summary: "Executes all commands in a transaction.", since: "1.2.0", handler: cmdExec }),
  defineCommand({ name: "discard", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, categories: TX,
    summary: "Discards a transaction.", since: "2.0.0", handler: cmdDiscard }),
];
