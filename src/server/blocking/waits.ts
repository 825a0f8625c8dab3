// The entries of the blocked-clients registry (blocked-clients.ts has the design): a client's
// wait on keys of its own worker, a watch held for another worker's client, and the interfaces
// the registry and the cluster's plug share.

import type { BlockingCall } from "../../commands/blocking.ts";
import type { Client } from "../../commands/types.ts";
import type { Keyspace } from "../../engine/keyspace.ts";
import type { BlockedClients } from "./blocked-clients.ts";

export const ERR_UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/** CLIENT UNBLOCK ... ERROR: the reply, counted in INFO errorstats as the dispatcher counts errors. */
export function replyUnblocked(c: Client): void {
  c.reply.error(ERR_UNBLOCKED);
  const stats = c.server.stats;
  stats.errorReplies++;
  stats.errorCounts.set("UNBLOCKED", (stats.errorCounts.get("UNBLOCKED") ?? 0) + 1);
}

/** A client that can wait: its later commands are held back until released, its replies flushed. */
export interface BlockableClient extends Client {
  pause(): () => void;
  flush(): void;
  readonly closed: boolean;
}

export const canPause = (c: Client): c is BlockableClient =>
  typeof (c as Partial<BlockableClient>).pause === "function" && typeof (c as Partial<BlockableClient>).flush === "function";

/** One blocked client's wait, as the registry tracks it (timeouts, CLIENT UNBLOCK, disconnects). */
export interface BlockedEntry {
  readonly client: BlockableClient;
  /** Unix ms, 0 = none. */
  readonly deadline: number;
  /** The deadline passed (`error` false) or CLIENT UNBLOCK asked: end with the matching reply. */
  end(error: boolean): void;
  /** The connection closed: drop everything, reply nothing. */
  gone(): void;
  /**
   * False while the command's own first attempt is still running on other workers: the client is
   * not shown as blocked (flags=b, blocked_clients) until the command has really been looked at,
   * as in Redis, where `flags=b` means the command ran and waits. Absent = shown.
   */
  readonly shown?: boolean;
}

/** An entry of a key's queue. */
export interface KeyWaiter {
  /** The keyspace waited in (SWAPDB moves it to the one now at the same index). */
  db: Keyspace;
  /** Distinct keys, and their latin1 names (the queue map's keys). */
  readonly keys: readonly Uint8Array[];
  readonly names: readonly string[];
  /** `key` may be ready: true when the wait is over (the registry unqueues it everywhere). */
  onReady(key: Uint8Array): boolean;
}

export const latin1 = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.length).toString("latin1");

export function distinct(keys: readonly Uint8Array[]): { keys: Uint8Array[]; names: string[] } {
  const out: Uint8Array[] = [];
  const names: string[] = [];
  for (const k of keys) {
    const n = latin1(k);
    if (names.includes(n)) continue;
    names.push(n);
    out.push(k.slice());
  }
  return { keys: out, names };
}

/** A client of this worker waiting on keys of this worker. */
export class LocalWait implements KeyWaiter, BlockedEntry {
  readonly keys: Uint8Array[];
  readonly names: string[];
  readonly deadline: number;

  constructor(
    private readonly registry: BlockedClients,
    readonly client: BlockableClient,
    public db: Keyspace,
    private readonly call: BlockingCall,
  ) {
    const d = distinct(call.keys);
    this.keys = d.keys;
    this.names = d.names;
    this.deadline = call.timeoutMs > 0 ? Date.now() + call.timeoutMs : 0;
  }

  onReady(key: Uint8Array): boolean {
    if (!this.call.serve(this.client, key, false)) return false;
    this.registry.release(this, false);
    return true;
  }

  end(error: boolean): void {
    this.registry.unqueue(this);
    if (error) replyUnblocked(this.client);
    else this.call.timedOut(this.client);
    this.registry.release(this, false);
  }

  gone(): void {
    this.registry.unqueue(this);
    this.registry.release(this, true);
  }
}

/**
 * A watch for a client of another worker: a place in the key's queue. When its turn comes it
 * holds the key (the waiters behind it wait) and notifies; the other worker then tries the key and
 * says `tried` (the hold ends, the watch keeps its place) or drops the watch once served.
 */
export class Watch implements KeyWaiter {
  readonly keys: Uint8Array[];
  readonly names: string[];
  constructor(
    private readonly registry: BlockedClients,
    public db: Keyspace,
    key: Uint8Array,
    private readonly notify: () => void,
  ) {
    this.keys = [key.slice()];
    this.names = [latin1(key)];
  }
  onReady(): boolean {
    this.registry.holdKey(this);
    this.notify();
    return false;
  }
}

