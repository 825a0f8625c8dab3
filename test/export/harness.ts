// Shared pieces of the export tests: a real producer (the WAL writer in a temp dir, its groups
// published to the exporter), subscriber clients that check every frame as it arrives, and waits.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import type { MutationRecord } from "../../src/engine/types.ts";
import { WalWriter } from "../../src/persistence/wal-writer.ts";
import { WalStreamReader } from "../../src/export/stream-reader.ts";
import type { WalExporter } from "../../src/export/exporter.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

/** A fresh temp directory; `using` removes it. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = fs.mkdtempSync(join(tmpdir(), "fc-export-"));
  return { path, [Symbol.dispose]: () => fs.rmSync(path, { recursive: true, force: true }) };
}

/** Waits for the next turn of the event loop. */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds, checking every 5 ms; throws `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(5);
  }
}

/** The key and value the producer writes for `seq`; `size` pads the value. */
export const keyOf = (seq: number): string => `key:${seq}`;
export function valueOf(seq: number, size = 0): string {
  const v = `value:${seq}`;
  return size > v.length ? v + "x".repeat(size - v.length) : v;
}

/** Writes SET frames through the real WAL writer; each group goes to `exp.publish`. */
export class Producer {
  readonly writer: WalWriter;
  seq: number;
  private readonly rec: MutationRecord = { op: 1, cause: 0, type: 0, key: new Uint8Array(0), value: new Uint8Array(0), expireAt: 0 };

  constructor(dir: string, exp: Pick<WalExporter, "publish">, opts: { segmentBytes?: number; startSeq?: number; valueSize?: number; shard?: number } = {}) {
    this.seq = opts.startSeq ?? 0;
    this.valueSize = opts.valueSize ?? 0;
    this.writer = new WalWriter({ dir, shard: opts.shard, nextSeq: this.seq + 1, fsync: "no", segmentBytes: opts.segmentBytes, onGroup: (g) => exp.publish(g) });
  }
  private readonly valueSize: number;

  /** Appends one mutation (any op) with the next sequence number. */
  append(m: MutationRecord): number {
    this.writer.append(m, ++this.seq);
    return this.seq;
  }

  /** Writes `n` SET frames, `perTurn` per event-loop turn (one group each). */
  async write(n: number, perTurn = 500): Promise<void> {
    for (let done = 0; done < n; ) {
      const k = Math.min(perTurn, n - done);
      for (let i = 0; i < k; i++) {
        const s = this.seq + 1;
        this.rec.key = bytes(keyOf(s));
        this.rec.value = bytes(valueOf(s, this.valueSize));
        this.append(this.rec);
      }
      done += k;
      await turn();
    }
    await turn();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

export interface ClientOptions {
  token?: string;
  /** Sends FCWAL-FROM/1 <from> after the auth line. */
  from?: number | "$";
  /** Raw bytes to send instead of the computed hello. */
  raw?: string | Uint8Array;
  /** Value size the producer uses (for content checks). @default 0 */
  valueSize?: number;
}

/** A subscriber that checks each frame on arrival: consecutive seqs, expected key and value. */
export class TestSubscriber {
  frames = 0;
  /** Sequence number of the last frame received (`from` until one arrives). */
  lastSeq: number;
  errors: string[] = [];
  problems: string[] = [];
  closedFlag = false;
  readonly closed: Promise<void>;
  socket!: Socket<undefined>;
  private readonly reader = new WalStreamReader();
  private resolveClosed!: () => void;

  constructor(private readonly opts: ClientOptions) {
    this.lastSeq = typeof opts.from === "number" ? opts.from : -1;
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  onData(d: Uint8Array): void {
    try {
      this.reader.feed(d, (item) => {
        if (item.kind === "error") return void this.errors.push(item.message);
        if (item.kind !== "fcw4") return void this.problems.push("unexpected fcw2 frame");
        const f = item.frame;
        if (this.lastSeq >= 0 && f.seq !== this.lastSeq + 1) this.problems.push(`seq ${f.seq} after ${this.lastSeq}`);
        if (text(f.key) !== keyOf(f.seq) || text(f.value) !== valueOf(f.seq, this.opts.valueSize)) this.problems.push(`content of ${f.seq}`);
        this.lastSeq = f.seq;
        this.frames++;
      });
    } catch (e) {
      this.problems.push(String(e));
    }
  }

  onClose(): void {
    this.closedFlag = true;
    this.resolveClosed();
  }

  /** Resolves once the connection is closed, failing after `ms`. */
  async waitClosed(ms = 10_000): Promise<void> {
    await until(() => this.closedFlag, "subscriber closed", ms);
  }
}

/** Connects a TestSubscriber to a listening exporter. */
export async function subscribe(port: number, opts: ClientOptions = {}): Promise<TestSubscriber> {
  const sub = new TestSubscriber(opts);
  sub.socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      binaryType: "uint8array",
      data: (_s, d) => sub.onData(d),
      close: () => sub.onClose(),
      error: () => {},
    },
  });
  let hello: string | Uint8Array = opts.raw ?? "";
  if (opts.raw === undefined) {
    if (opts.token !== undefined) hello += `FCWAL-AUTH/1 ${opts.token}\n`;
    if (opts.from !== undefined) hello += `FCWAL-FROM/1 ${opts.from}\n`;
  }
  if (hello.length > 0) sub.socket.write(hello);
  return sub;
}

/** Waits until the exporter counts `n` subscribers past their handshake. */
export async function activeSubscribers(exp: WalExporter, n: number): Promise<void> {
  await until(() => exp.stats().subscribersActive === n, `${n} active subscribers`);
}

/** Waits until the exporter has started the streams of `n` subscribers in all. */
export async function acceptedSubscribers(exp: WalExporter, n: number): Promise<void> {
  await until(() => exp.stats().subscribersAccepted === n, `${n} accepted subscribers`);
}
