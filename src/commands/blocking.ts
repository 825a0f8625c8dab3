// What a blocking command declares (BLPOP & co. today; BZPOPMIN, XREAD BLOCK next) and the service
// it hands itself to. The service (src/server/blocking/blocked-clients.ts, with the design note)
// owns the waiting: the FIFO per key, the wake-ups after each command, the timeouts, CLIENT
// UNBLOCK, disconnects, and (through the cluster's plug) keys that live on other workers. A family
// only says which keys it waits on and how it is served.

import type { Keyspace } from "../engine/keyspace.ts";
import { ERR_WRONGTYPE } from "../protocol/errors.ts";
import { parseBlockTimeout } from "./block-timeout.ts";
import type { Args, Client, CommandEntry } from "./types.ts";

/** One parsed blocking command, as the service runs it. */
export interface BlockingCall {
  /**
   * Keys waited on, in argument order (duplicates allowed; the service copies and dedupes them).
   * They may be views into the receive buffer: a call copies what its closures keep.
   */
  readonly keys: readonly Uint8Array[];
  /**
   * Keys it writes without waiting on them (BLMOVE's destination): with several workers, a call
   * whose keys are not all on the client's worker runs through the cluster.
   */
  readonly alsoWrites?: readonly Uint8Array[];
  /** Milliseconds to wait; 0 = forever. */
  readonly timeoutMs: number;
  /**
   * Tries the non-blocking form on `key` now, in `c.db`. `first`: the command's own attempt, where
   * a key of another type answers WRONGTYPE; once waiting, such a key keeps the client waiting
   * (Redis 7.0). True when it replied (served or failed); false (nothing replied) = keep waiting.
   */
  serve(c: Client, key: Uint8Array, first: boolean): boolean;
  /** The reply when the wait ends with nothing (timeout, CLIENT UNBLOCK ... TIMEOUT). */
  timedOut(c: Client): void;
  /** The reply where the client may not block (inside MULTI/EXEC): at once. */
  cannotBlock(c: Client): void;
  /**
   * For keys on another worker: the non-blocking command that serves `key` there (LPOP key,
   * LMOVE src dst ...), and this command's reply made from its raw reply (`first`: the command's
   * own attempt, as in `serve`), or undefined when it found nothing (keep waiting).
   */
  remoteTry(key: Uint8Array): Args;
  remoteReply(key: Uint8Array, raw: Uint8Array, resp: number, first: boolean): Uint8Array | undefined;
}

/** The server's blocked-clients registry, as commands see it (ServerContext.blocking). */
export interface BlockingService {
  /** Serves `call` at once if it can, else blocks `c` on its keys (or answers `cannotBlock`). */
  run(c: Client, call: BlockingCall): void;
  /**
   * A write path's "this key may be ready now" (Redis's signalKeyAsReady): the waiters on it are
   * retried after the current command (or EXEC). Writes through the dispatcher are signalled for
   * every key of a write command; call this for keys a command writes outside its key spec
   * (MOVE's target database, SWAPDB).
   */
  signal(db: Keyspace, key: Uint8Array): void;
  /**
   * SWAPDB swapped the keyspaces `a` and `b` between two database indexes: the waiters follow the
   * index (as Redis's clients do), and their keys that hold data now are served.
   */
  swapped(a: Keyspace, b: Keyspace): void;
  /** Signals every key of a write command that has waiters (the dispatcher and EXEC call it). */
  wrote(db: Keyspace, entry: CommandEntry, argv: Args): void;
  /** Retries the waiters of the keys signalled so far (after each command; EXEC's end). */
  serveReady(): void;
  /** True when something is queued for serveReady(). */
  readonly pending: boolean;
  /** Clients waiting on keys (the dispatcher signals nothing while it is 0). */
  readonly waiting: number;
  /** While > 0 nothing blocks (EXEC runs its queue with it raised). */
  denyBlocking: number;
  isBlocked(c: Client): boolean;
  /** CLIENT UNBLOCK: true when client `id` was blocked here (it got the timeout reply or `error`). */
  unblock(id: number, error: boolean): boolean;
  /** The client went away: forget its wait. */
  forget(c: Client): void;
  /** INFO clients: blocked_clients, clients_in_timeout_table. */
  counts(): { blocked: number; withTimeout: number };
}

/** Runs a blocking command through the server's service (without one, it never blocks). */
export function runBlocking(c: Client, call: BlockingCall): void {
  const svc = c.server.blocking;
  if (svc !== undefined) return svc.run(c, call);
  for (const key of call.keys) if (call.serve(c, key, true)) return;
  call.cannotBlock(c);
}

/** A blocking command's timeout argument (Redis's seconds, decimals allowed) in ms, or undefined after replying the error. */
export function blockTimeoutOrReply(c: Client, arg: Uint8Array): number | undefined {
  const t = parseBlockTimeout(arg);
  if ("error" in t) {
    c.reply.error(t.error);
    return undefined;
  }
  return t.ms;
}

/** A remote try found nothing: a nil of any shape (`$-1`, `*-1`, `_`) or an empty array (`*0`). */
export const isNothingReply = (raw: Uint8Array): boolean => raw[0] === 95 || ((raw[0] === 36 || raw[0] === 42) && (raw[1] === 45 || raw[1] === 48));
/** A WRONGTYPE error reply. */
export const isWrongTypeReply = (raw: Uint8Array): boolean => raw[0] === 45 && raw[1] === 87; // "-W"

/** A key of another type: WRONGTYPE on the command's own attempt (true: replied); once waiting, keep waiting. */
export function wrongTypeOnFirst(c: Client, first: boolean): boolean {
  if (first) c.reply.error(ERR_WRONGTYPE);
  return first;
}
