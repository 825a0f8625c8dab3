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
const DB_SWITCH = enc.encode("__db");
const RESP_SWITCH = [enc.encode("*2\r\n$6\r\n__resp\r\n$1\r\n2\r\n"), enc.encode("*2\r\n$6\r\n__resp\r\n$1\r\n3\r\n")] as const;

/** Writes `t<n>\r\n` at `p`; returns the new position. */
function header(b: Uint8Array, p: number, t: number, n: number): number {
  b[p++] = t;
  if (n < 10) {
    b[p++] = 48 + n;
  } else {
    let digits = 1;
    for (let x = 10; x <= n; x *= 10) digits++;
    let i = p + digits;
    p = i;
    while (n > 0) {
      const q = Math.floor(n / 10);
      b[--i] = 48 + (n - q * 10);
      n = q;
    }
  }
  b[p++] = 13;
  b[p++] = 10;
  return p;
}

/** Appends `*n $len arg ...` for argv to the queue, straight into its buffer. */
export function encodeCommandInto(q: OutputQueue, argv: readonly Uint8Array[]): void {
  let size = 16;
  for (let i = 0; i < argv.length; i++) size += argv[i]!.length + 16;
  const b = q.reserve(size);
  let p = q.end;
  p = header(b, p, 42, argv.length);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    p = header(b, p, 36, a.length);
    if (a.length < 32) for (let k = 0; k < a.length; k++) b[p + k] = a[k]!;
    else b.set(a, p);
    p += a.length;
    b[p++] = 13;
    b[p++] = 10;
  }
  q.end = p;
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
  /** The database the peer's session has selected for this link's requests. */
  private db = 0;
  /** Receives the peer's pushes (`>`), which answer no request; forwarded replies are never pushes. */
  onPush: ((push: Uint8Array) => void) | undefined = undefined;
  /** Called when the link connects again after it was lost (the peer restarted). */
  onReconnect: (() => void) | undefined = undefined;
  private everConnected = false;
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

  /** Queues `argv` for the peer, run with RESP version `resp` in database `db`; `cb` gets its reply. */
  send(argv: readonly Uint8Array[], resp: number, cb: ReplyCallback, db = 0): void {
    if (resp !== this.resp) {
      this.out.append(RESP_SWITCH[resp === 3 ? 1 : 0]);
      this.unsent.push(undefined);
      this.resp = resp;
    }
    if (db !== this.db) {
      // Like __resp: the session keeps it for the requests that follow, and it has no reply.
      encodeCommandInto(this.out, [DB_SWITCH, enc.encode(String(db))]);
      this.unsent.push(undefined);
      this.db = db;
    }
    encodeCommandInto(this.out, argv);
    // The callback joins `waiting` together with its bytes: a `drain` may write them out before
    // the next flush, and the peer's reply must find its callback (issue 19: a reply that came
    // back before its callback was moved over went to no one and shifted every later one).
    this.unsent.push(cb);
    if (this.socket !== undefined) this.adopt();
    this.requests++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const s = this.socket;
    if (s === undefined) return;
    this.adopt();
    this.writeOut(s);
  };

  /** Moves the callbacks of requests in `out` to `waiting` (their bytes may be written from now on). */
  private adopt(): void {
    const u = this.unsent;
    if (u.length === 0) return;
    for (let i = 0; i < u.length; i++) this.waiting.push(u[i]);
    u.length = 0;
  }

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
        if (this.everConnected) this.onReconnect?.();
        this.everConnected = true;
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
    // Nothing left over: read the replies straight from the chunk (Bun hands us a fresh one),
    // keeping only an incomplete tail.
    if (this.inStart === this.inEnd) {
      const used = this.deliver(chunk, 0, chunk.length);
      if (used < chunk.length) this.keep(chunk.subarray(used));
      return;
    }
    this.keep(chunk);
    const used = this.deliver(this.inBuf, this.inStart, this.inEnd);
    this.inStart = used;
    if (used === this.inEnd) this.inStart = this.inEnd = 0;
  }

  /** Hands every complete reply in buf[from, to) to its callback; returns where the rest starts. */
  private deliver(buf: Uint8Array, from: number, to: number): number {
    let p = from;
    while (p < to) {
      const e = replyEnd(buf, p, to);
      if (e < 0) break;
      // A push (`>`) answers no request: the owner's out-of-band note (src/cluster/key-interest.ts).
      if (buf[p] === 62 && this.onPush !== undefined) {
        this.onPush(buf.subarray(p, e));
        p = e;
        continue;
      }
      const cb = this.nextWaiting();
      cb?.(buf.subarray(p, e));
      p = e;
    }
    return p;
  }

  /** Appends bytes to the input buffer (an incomplete reply). */
  private keep(bytes: Uint8Array): void {
    const live = this.inEnd - this.inStart;
    if (this.inEnd + bytes.length > this.inBuf.length) {
      const next = live + bytes.length > this.inBuf.length ? new Uint8Array((live + bytes.length) * 2) : this.inBuf;
      if (next === this.inBuf) next.copyWithin(0, this.inStart, this.inEnd);
      else next.set(this.inBuf.subarray(this.inStart, this.inEnd), 0);
      this.inBuf = next;
      this.inStart = 0;
      this.inEnd = live;
    }
    this.inBuf.set(bytes, this.inEnd);
    this.inEnd += bytes.length;
  }

  private nextWaiting(): ReplyCallback | undefined {
    // __resp and __db switches have no reply: skip their slots.
    while (this.waitHead < this.waiting.length && this.waiting[this.waitHead] === undefined) this.waitHead++;
    if (this.waitHead >= this.waiting.length) return undefined; // never step past the end
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
    this.db = 0;
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
