// The outgoing half of a worker-to-worker channel: a persistent Unix socket to one peer. Requests
// are raw RESP commands appended to one buffer and written once per loop turn (setImmediate);
// the peer runs them in order and answers in order, so each reply goes to the oldest waiting
// callback. The link reconnects with backoff; requests made before it first connects wait in the
// buffer; requests pending when it drops are answered with an error (the peer may have run them).

import type { Socket } from "bun";
import { OutputQueue } from "../server/output-queue.ts";
import { replyEnd } from "./reply-reader.ts";

/** Receives one reply (a view, valid only during the call). */
export type ReplyCallback = (reply: Uint8Array) => void;

export const ERR_PEER_DOWN = "-ERR worker link lost before the reply arrived\r\n";
const PEER_DOWN_BYTES = new TextEncoder().encode(ERR_PEER_DOWN);

const enc = new TextEncoder();
const RESP_SWITCH = [enc.encode("*2\r\n$6\r\n__resp\r\n$1\r\n2\r\n"), enc.encode("*2\r\n$6\r\n__resp\r\n$1\r\n3\r\n")] as const;

/** Appends `*n $len arg ...` for argv to the queue. */
export function encodeCommandInto(q: OutputQueue, argv: readonly Uint8Array[]): void {
  let size = 16;
  for (const a of argv) size += a.length + 16;
  const b = new Uint8Array(size);
  let p = 0;
  const head = (t: number, n: number): void => {
    b[p++] = t;
    const s = String(n);
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    b[p++] = 13;
    b[p++] = 10;
  };
  head(42, argv.length);
  for (const a of argv) {
    head(36, a.length);
    b.set(a, p);
    p += a.length;
    b[p++] = 13;
    b[p++] = 10;
  }
  q.append(b.subarray(0, p));
}

export class PeerLink {
  private socket: Socket<undefined> | undefined;
  private readonly out = new OutputQueue();
  /** Callbacks of sent requests, oldest first; `undefined` for requests without a reply (__resp). */
  private readonly waiting: (ReplyCallback | undefined)[] = [];
  private waitHead = 0;
  /** Callbacks of requests still in `out` (not yet written). */
  private unsent: (ReplyCallback | undefined)[] = [];
  private inBuf = new Uint8Array(64 * 1024);
  private inStart = 0;
  private inEnd = 0;
  private scheduled = false;
  private closed = false;
  private connecting = false;
  private backoffMs = 20;
  /** Protocol version the peer session is set to. */
  private resp = 2;
  /** Requests and write() calls (INFO, the benchmark's syscall count). */
  requests = 0;
  writes = 0;

  constructor(
    readonly peer: number,
    private readonly path: string,
  ) {
    this.connect();
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Queues `argv` for the peer, run with RESP version `resp`; `cb` gets its reply. */
  send(argv: readonly Uint8Array[], resp: number, cb: ReplyCallback): void {
    if (resp !== this.resp) {
      this.out.append(RESP_SWITCH[resp === 3 ? 1 : 0]);
      this.unsent.push(undefined);
      this.resp = resp;
    }
    encodeCommandInto(this.out, argv);
    this.unsent.push(cb);
    this.requests++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const s = this.socket;
    if (s === undefined || this.unsent.length === 0) return;
    for (const cb of this.unsent) this.waiting.push(cb);
    this.unsent = [];
    this.writeOut(s);
  };

  private writeOut(s: Socket<undefined>): void {
    const q = this.out;
    if (q.size === 0) return;
    this.writes++;
    const w = s.write(q.buf, q.start, q.size);
    if (w > 0) q.consume(w);
  }

  private connect(): void {
    if (this.closed || this.connecting) return;
    this.connecting = true;
    Bun.connect<undefined>({
      unix: this.path,
      socket: {
        binaryType: "uint8array",
        data: (_s, chunk) => this.onData(chunk),
        drain: (s) => this.writeOut(s),
        close: () => this.onClose(),
        error: () => this.onClose(),
      },
    }).then(
      (s) => {
        this.connecting = false;
        if (this.closed) {
          s.end();
          return;
        }
        this.socket = s;
        this.backoffMs = 20;
        if (this.unsent.length > 0 && !this.scheduled) {
          this.scheduled = true;
          setImmediate(this.flush);
        }
      },
      () => {
        this.connecting = false;
        this.retry();
      },
    );
  }

  private retry(): void {
    if (this.closed) return;
    const t = setTimeout(() => this.connect(), this.backoffMs);
    t.unref?.();
    this.backoffMs = Math.min(this.backoffMs * 2, 1000);
  }

  private onData(chunk: Uint8Array): void {
    // Append to the input buffer, then hand out every complete reply.
    const need = this.inEnd - this.inStart + chunk.length;
    if (this.inEnd + chunk.length > this.inBuf.length) {
      const live = this.inBuf.subarray(this.inStart, this.inEnd);
      const next = need > this.inBuf.length ? new Uint8Array(need * 2) : this.inBuf;
      next.set(live, 0);
      this.inBuf = next;
      this.inEnd -= this.inStart;
      this.inStart = 0;
    }
    this.inBuf.set(chunk, this.inEnd);
    this.inEnd += chunk.length;
    const buf = this.inBuf;
    let p = this.inStart;
    while (p < this.inEnd) {
      const e = replyEnd(buf, p, this.inEnd);
      if (e < 0) break;
      const cb = this.nextWaiting();
      cb?.(buf.subarray(p, e));
      p = e;
    }
    this.inStart = p;
    if (p === this.inEnd) this.inStart = this.inEnd = 0;
  }

  private nextWaiting(): ReplyCallback | undefined {
    // __resp switches have no reply: skip their slots.
    while (this.waitHead < this.waiting.length && this.waiting[this.waitHead] === undefined) this.waitHead++;
    const cb = this.waiting[this.waitHead++];
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitHead);
      this.waitHead = 0;
    }
    return cb;
  }

  private onClose(): void {
    if (this.socket === undefined) return; // a failed connect: the promise rejection retries
    this.socket = undefined;
    this.resp = 2;
    this.inStart = this.inEnd = 0;
    // The peer went away: every pending request gets an error reply.
    const lost = this.waiting.slice(this.waitHead);
    this.waiting.length = 0;
    this.waitHead = 0;
    this.out.clear();
    const keep = this.unsent;
    this.unsent = [];
    for (const cb of lost) cb?.(PEER_DOWN_BYTES);
    for (const cb of keep) cb?.(PEER_DOWN_BYTES);
    this.retry();
  }

  close(): void {
    this.closed = true;
    this.socket?.end();
  }
}
