// A full sync that does not stop the primary's clients: the RDB is written in slices between
// event-loop turns while writes go on, and streamed to the replica as it is made (Redis's
// diskless format: `$EOF:<mark>`, the file, the mark). Redis forks for this; we walk.
//
// Why the replica still ends with exactly the primary's data. The file is announced at stream
// offset O; every change after O is in the stream the replica applies after the file. A key the
// walk writes at time t holds every change up to t, and the stream then repeats the changes
// between O and t. Repeating them is harmless when each one sets absolute state (SET .. PXAT,
// DEL, PEXPIREAT, RESTORE REPLACE, HSET/HDEL, SADD/SREM, ZADD/ZREM, XTRIM MINID), so the walk only
// has to take care of three things:
// - Pushes and pops of lists and XADD repeat their effect. While the walk has yet to reach a key
//   (`ahead`), such a change is sent as the key's whole value instead (RESTORE REPLACE), which is
//   absolute; once the walk wrote the key, the plain command follows it exactly.
// - A key must not be written twice (Redis refuses a file with a duplicated key). A key moves
//   only by being deleted and made again, so a key deleted during the walk is left out of the
//   file: the stream has its DEL and everything after it. A database flushed during the walk is
//   left out from there on for the same reason (the stream has the FLUSHDB).
// - SWAPDB swaps whole databases under the walk: the sync is abandoned (the replica's link is
//   closed and it asks again), as rare as it is.
//
// The stream made meanwhile waits here (as Redis buffers a syncing replica's stream), bounded by
// the replica class's output-buffer hard limit, and goes out once the replica acks after loading
// the file: a redis-server replica only sees the mark at the end of a read, so nothing may follow
// the mark before that (Redis 7.0 waits for that first REPLCONF ACK too). Slices stop after a few
// ms or when the replica's socket holds more than a few MiB, and resume from its drain.
import type { Databases } from "../engine/databases.ts";

/** What the walk writes with (RdbWriter of src/persistence/rdb/, injected). */
export interface RdbWalker {
  chunks(): Generator<Uint8Array>;
  /** The database being written (-1 before the first and after the last). */
  readonly walkDb: number;
  /** Slots of `walkDb` below this one are written. */
  readonly walkCursor: number;
  /** The databases the walk writes, in order. */
  readonly walkOrder: readonly number[];
}

/** The replica's connection, as the walk needs it. */
export interface WalkConnection {
  readonly closed: boolean;
  /** Bytes waiting for the socket (our queue plus the reply being built). */
  outputQueued(): number;
  /** Called once from the socket's drain (cleared by the connection before the call). */
  onWritable: (() => void) | undefined;
  raw(bytes: Uint8Array): void;
  flush(): void;
  kill(): void;
}

/** A slice ends after this long. */
const SLICE_MS = 3;
/** No more slices while the replica's socket holds this much. */
const MAX_QUEUED = 4 << 20;

const latin1 = (key: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]!);
  return s;
};

export class SyncWalk {
  /** Keys deleted while walking, per database (left out of the file). */
  private readonly deleted = new Map<number, Set<string>>();
  /** Databases flushed while walking (left out from there on). */
  private readonly cleared = new Set<number>();
  private readonly stream: Uint8Array[] = [];
  private streamBytes = 0;
  private readonly writer: RdbWalker;
  private readonly chunks: Generator<Uint8Array>;
  private readonly mark: string;
  private scheduled = false;
  /** walking → the file is out, waiting for the replica's first ack → ended (streaming or abandoned). */
  state: "walking" | "loading" | "ended" = "walking";

  constructor(
    private readonly dbs: Databases,
    private readonly conn: WalkConnection,
    /** Makes the writer; `skip` is the walk's (keys it leaves out). */
    makeWriter: (skip: (db: number, key: Uint8Array) => boolean) => RdbWalker,
    /** The replica class's hard limit (0 = none): the stream kept meanwhile may not pass it. */
    private readonly hardLimit: number,
    /** Called once when the file and the stream kept meanwhile were handed to the connection. */
    private readonly onStreaming: () => void,
    /** Called once when the walk was abandoned (the connection is closed). */
    private readonly onAbandoned: (why: string) => void,
  ) {
    this.mark = Array.from(crypto.getRandomValues(new Uint8Array(20)), (x) => x.toString(16).padStart(2, "0")).join("");
    this.writer = makeWriter(this.skip);
    this.chunks = this.writer.chunks();
  }

  /** Sends `$EOF:<mark>` and the first slice (the caller routes mutation records here first). */
  begin(): void {
    this.conn.raw(new TextEncoder().encode(`$EOF:${this.mark}\r\n`));
    this.step();
  }

  /** True while the walk has yet to write `key` of `db` (its list/stream changes must be whole values). */
  ahead(db: number, key: Uint8Array): boolean {
    const w = this.writer;
    if (this.state !== "walking" || w.walkDb < 0) return false; // -1: after the last database (or before begin())
    if (db === w.walkDb) {
      const slot = this.dbs.at(db).peek(key);
      return slot >= w.walkCursor;
    }
    const order = w.walkOrder;
    return order.indexOf(db) > order.indexOf(w.walkDb);
  }

  /** Whether the file leaves `key` of `db` out (RdbWriter's skip). */
  readonly skip = (db: number, key: Uint8Array): boolean => {
    if (this.cleared.has(db)) return true;
    const d = this.deleted.get(db);
    return d !== undefined && d.size > 0 && d.has(latin1(key));
  };

  noteDelete(db: number, key: Uint8Array): void {
    if (this.state !== "walking") return;
    let d = this.deleted.get(db);
    if (d === undefined) this.deleted.set(db, (d = new Set()));
    d.add(latin1(key));
  }

  noteClear(db: number): void {
    if (this.state === "walking") this.cleared.add(db);
  }

  /** SWAPDB while walking: the file can no longer be made consistent. */
  noteSwap(): void {
    if (this.state === "walking") this.abandon("SWAPDB during the full sync");
  }

  /** Stream bytes recorded while walking: they follow the file. */
  keep(bytes: Uint8Array): void {
    if (this.state === "ended") return;
    this.stream.push(bytes);
    this.streamBytes += bytes.length;
    if (this.hardLimit > 0 && this.streamBytes > this.hardLimit) {
      this.abandon("the stream kept during the full sync passed the replica output buffer hard limit");
    }
  }

  private schedule(): void {
    if (this.scheduled || this.state !== "walking") return;
    this.scheduled = true;
    setImmediate(this.step);
  }

  private readonly step = (): void => {
    this.scheduled = false;
    if (this.state !== "walking") return;
    const c = this.conn;
    if (c.closed) return this.abandon("the replica went away");
    const t0 = performance.now();
    for (;;) {
      if (c.outputQueued() > MAX_QUEUED) {
        c.onWritable = () => this.schedule();
        return;
      }
      const r = this.chunks.next();
      if (r.done === true) return this.finish();
      c.raw(r.value);
      c.flush();
      if (c.closed) return this.abandon("the replica went away");
      if (performance.now() - t0 >= SLICE_MS) return this.schedule();
    }
  };

  private finish(): void {
    this.state = "loading";
    this.deleted.clear();
    this.conn.raw(new TextEncoder().encode(this.mark));
    this.conn.flush();
  }

  /** The replica acked after loading: the stream kept meanwhile goes out, then the live one. */
  startStream(): void {
    if (this.state !== "loading") return;
    this.state = "ended";
    const c = this.conn;
    for (const b of this.stream) c.raw(b);
    this.stream.length = 0;
    c.flush();
    this.onStreaming();
  }

  /** Ends the walk without finishing the file: the connection is closed. */
  abandon(why: string): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.stream.length = 0;
    this.conn.onWritable = undefined;
    this.conn.kill();
    this.onAbandoned(why);
  }
}
