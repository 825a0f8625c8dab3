// appendfsync always: a connection's replies wait here until the writes recorded before them are
// synced, then leave in order. Each flush is one chunk; the durability gate calls back once per
// chunk, in order; the chunks ready by then go out in one write from a microtask (so a group
// commit that releases many clients' replies costs one write per client, not one per chunk).
import { ClientBacklog } from "./client-backlog.ts";
import type { DurabilityGate } from "./connection.ts";

/** What the held replies need from their connection. */
export interface HeldReplySink {
  readonly closed: boolean;
  /** Sends bytes behind the connection's backlog; false when the socket is gone. */
  emit(buf: Uint8Array, start: number, len: number): boolean;
  /** The writes could not be made durable: close without acknowledging them. */
  failDurability(): void;
  /** Released replies were written (or queued): check the backlog, end a closing connection. */
  afterRelease(): void;
}

export class SyncHeldReplies {
  private readonly held = new ClientBacklog();
  /** Byte counts of the chunks still waiting for their sync, oldest first. */
  private readonly chunks: number[] = [];
  /** Bytes at the front whose sync completed (written from the queued microtask). */
  private releasable = 0;
  private releaseQueued = false;

  constructor(
    private readonly gate: DurabilityGate,
    private readonly sink: HeldReplySink,
  ) {}

  /** Bytes waiting (CLIENT LIST omem, output limits). */
  get size(): number {
    return this.held.size;
  }

  /** True when nothing waits for a sync or a release. */
  get idle(): boolean {
    return this.chunks.length === 0 && this.held.size === 0;
  }

  /** True when a reply of `len` bytes must wait (earlier replies wait, or its writes are not synced). */
  mustHold(len: number): boolean {
    return this.held.size > 0 || (len > 0 && !this.gate.allDurable);
  }

  /** Keeps `bytes` (copied) until the writes recorded so far are durable. */
  hold(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.held.append(bytes);
    this.chunks.push(bytes.length);
    this.gate.onDurable(this.onChunkDurable);
  }

  clear(): void {
    this.held.clear();
  }

  private readonly onChunkDurable = (err?: Error): void => {
    const n = this.chunks.shift() ?? 0;
    if (this.sink.closed) return;
    if (err !== undefined) return this.sink.failDurability();
    this.releasable += n;
    if (!this.releaseQueued) {
      this.releaseQueued = true;
      queueMicrotask(this.release);
    }
  };

  /** Writes every released chunk in one write. */
  private readonly release = (): void => {
    this.releaseQueued = false;
    const q = this.held;
    const n = this.releasable;
    this.releasable = 0;
    if (this.sink.closed || n === 0) return;
    for (let left = n; left > 0; ) {
      const f = q.front();
      const k = Math.min(left, f.length);
      if (!this.sink.emit(f, 0, k)) return;
      q.consume(k);
      left -= k;
    }
    this.sink.afterRelease();
  };
}
