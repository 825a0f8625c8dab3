// The replica's side: the link to the primary (REPLICAOF host port), on Redis's protocol.
//
//   connect → PING → [AUTH [user] pass] → REPLCONF listening-port → REPLCONF capa eof capa psync2
//   → PSYNC <replid> <offset+1> (or ? -1)
//       +FULLRESYNC id off → $<len>\r\n<rdb> or $EOF:<mark>\r\n<rdb><mark> → load → stream
//       +CONTINUE [id]     → stream from our offset
//
// The stream is fed to a client of our own (the "master client": its writes pass -READONLY, its
// replies are discarded), which runs the commands exactly like any connection, routing keys of
// other workers. Our offset is the stream bytes that client has run (received minus what its
// parser still holds), acked every second and on REPLCONF GETACK. A dropped or silent link
// (repl-timeout) reconnects after a second and resumes with PSYNC.
import type { Socket } from "bun";
import type { ServerContext } from "../commands/types.ts";
import type { ServerConfig } from "../config/params.ts";
import { log } from "../log.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The client that runs the primary's stream (a Connection over the link socket). */
export interface LinkClient {
  onData(chunk: Uint8Array): void;
  onClose(): void;
  queryBufferBytes(): number;
  /** Commands forwarded to other workers so far, and how many of the first ones were applied. */
  readonly holdSeq: number;
  readonly settledSeq: number;
  onSettled: (() => void) | undefined;
}

export interface MasterLinkHost {
  readonly config: ServerConfig;
  readonly server: ServerContext;
  /** Our port, for REPLCONF listening-port. */
  readonly listeningPort: number;
  /** A master client over `socket` (authenticated, replies discarded, isMaster). */
  masterClient(socket: Socket<unknown>): LinkClient;
  /** A full sync's file, read as it arrives. */
  receiveRdb(): RdbReceiver;
}

/** An RDB file as it arrives: each piece is checked, the data set replaced only at the end. */
export interface RdbReceiver {
  /** The next bytes of the file (throws on a corrupt file; nothing is replaced). */
  feed(bytes: Uint8Array): void;
  /** The file is over: throws on a bad end (the data is as before), else the data set is the file's. */
  finish(): void;
  /** The file will not be finished (the link was lost): the data is as before. */
  abort(): void;
}

/** What the link resumes from, and where it reports a new history. */
export interface LinkHistory {
  replid: string;
  offset: number;
  adoptHistory?(replid: string, offset: number): void;
  /** FAILOVER: the PSYNC asks the primary to take over from us (`PSYNC id off FAILOVER`); told its answer once. */
  failover?: (accepted: boolean) => void;
}

type Phase = "connecting" | "handshake" | "sync" | "connected" | "closed";

export class MasterLink {
  state: Phase = "connecting";
  /** Date.now() of the last byte from the primary. */
  lastIo = Date.now();
  downSince = Date.now();
  private socket: Socket<unknown> | undefined;
  private client: LinkClient | undefined;
  private inbuf: Uint8Array = new Uint8Array(0);
  private steps: ((line: string) => boolean)[] = [];
  private out: Uint8Array[] = [];
  /** Stream offset where the current stream started, and bytes fed since. */
  private streamStart = 0;
  private fed = 0;
  private replid: string;
  /** +FULLRESYNC's history, until its RDB is loaded. */
  private fullId = "";
  private fullOffset = 0;
  private rdbLen = -1;
  private eofMark: Uint8Array | undefined;
  /** Diskless: the last bytes received, which may be the start of the mark (not fed yet). */
  private rdbTail: Uint8Array = new Uint8Array(0);
  private receiver: RdbReceiver | undefined;
  private rdbGot = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** The current connection attempt (events of older ones are ignored). */
  private attempt = 0;
  /** Why the last attempt failed (logged once per reason). */
  private lastError = "";

  constructor(
    private readonly host: MasterLinkHost,
    readonly masterHost: string,
    readonly masterPort: number,
    private readonly history: LinkHistory,
  ) {
    this.replid = history.replid;
    this.streamStart = history.offset;
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref?.();
    this.connect();
  }

  /** Bytes of the primary's stream we have run (master_repl_offset of a replica). */
  get offset(): number {
    const held = this.client?.queryBufferBytes() ?? 0;
    return this.streamStart + this.fed - (this.state === "connected" ? held : 0);
  }

  /** ROLE's state word. */
  get roleState(): string {
    return this.state === "connected" ? "connected" : this.state === "sync" ? "sync" : this.state === "handshake" ? "handshake" : "connect";
  }

  private log(msg: string): void {
    if (msg === this.lastError) return;
    this.lastError = msg;
    log.warning(msg);
  }

  private connect(): void {
    if (this.state === "closed") return;
    this.state = "connecting";
    this.inbuf = new Uint8Array(0);
    this.rdbLen = -1;
    this.eofMark = undefined;
    this.rdbTail = new Uint8Array(0);
    this.dropReceiver();
    this.rdbGot = 0;
    // Every event of one attempt names it: an attempt ends once (connectError, the promise's
    // rejection and close may all report the same failure), and a late event of an old socket
    // cannot end the attempt after it.
    const attempt = ++this.attempt;
    const end = (why: string): void => {
      if (attempt === this.attempt) this.lost(why);
    };
    const link = this;
    Bun.connect({
      hostname: this.masterHost,
      port: this.masterPort,
      socket: {
        open(s) {
          if (attempt !== link.attempt) return void s.end();
          link.socket = s;
          link.handshake();
        },
        data(_s, chunk) {
          if (attempt === link.attempt) link.onData(chunk);
        },
        drain() {
          if (attempt === link.attempt) link.writeOut();
        },
        close() {
          end("Connection with master lost.");
        },
        error(_s, e) {
          end(`Error condition on socket for SYNC: ${e.message}`);
        },
        connectError(_s, e) {
          end(`Error condition on socket for SYNC: ${e.message}`);
        },
      },
    }).catch((e: Error) => end(`Error condition on socket for SYNC: ${e.message}`));
  }

  private send(argv: readonly string[]): void {
    let s = `*${argv.length}\r\n`;
    for (const a of argv) s += `$${enc.encode(a).length}\r\n${a}\r\n`;
    this.out.push(enc.encode(s));
    this.writeOut();
  }

  private writeOut(): void {
    const s = this.socket;
    while (s !== undefined && this.out.length > 0) {
      const b = this.out[0]!;
      const w = s.write(b);
      if (w < 0) return;
      if (w < b.length) {
        this.out[0] = b.subarray(w);
        return;
      }
      this.out.shift();
    }
  }

  /**
   * One command at a time, each sent once the previous reply came (a primary refuses PSYNC while
   * replies to the earlier commands are still pending for the link).
   */
  private handshake(): void {
    this.state = "handshake";
    const cfg = this.host.config;
    const steps: [string[], (line: string) => boolean][] = [];
    // -NOAUTH to PING is fine when AUTH follows (as Redis's replica accepts it).
    steps.push([["PING"], (l) => l.startsWith("+") || (l.startsWith("-NOAUTH") && cfg.masterauth !== "") || this.fail(`Error reply to PING from master: '${l}'`)]);
    if (cfg.masterauth !== "") {
      const auth = cfg.masteruser !== "" ? ["AUTH", cfg.masteruser, cfg.masterauth] : ["AUTH", cfg.masterauth];
      steps.push([auth, (l) => l.startsWith("+") || this.fail(`Unable to AUTH to MASTER: ${l}`)]);
    }
    // An old primary may not know REPLCONF: not fatal (as Redis).
    steps.push([["REPLCONF", "listening-port", String(this.host.listeningPort)], () => true]);
    steps.push([["REPLCONF", "capa", "eof", "capa", "psync2"], () => true]);
    // Our history (a primary's id we followed, or our own): the primary continues it or answers +FULLRESYNC.
    const psync = ["PSYNC", this.replid, String(this.offset + 1)];
    if (this.history.failover !== undefined) psync.push("FAILOVER");
    steps.push([psync, (l) => this.psyncReply(l)]);
    this.steps = steps.map(([argv, check], i) => (line: string) => {
      if (!check(line)) return false;
      const next = steps[i + 1];
      if (next !== undefined) this.send(next[0]);
      return true;
    });
    this.send(steps[0]![0]);
  }

  private fail(why: string): boolean {
    this.log(why);
    this.socket?.end();
    return false;
  }

  /** The answer to a FAILOVER PSYNC, told once; later attempts are plain PSYNCs. */
  private failoverAnswer(accepted: boolean): void {
    const told = this.history.failover;
    this.history.failover = undefined;
    told?.(accepted);
  }

  private psyncReply(line: string): boolean {
    if (!line.startsWith("+FULLRESYNC") && !line.startsWith("+CONTINUE")) {
      const refused = this.fail(`Unexpected reply to PSYNC from master: ${line}`);
      this.failoverAnswer(false);
      return refused;
    }
    this.failoverAnswer(true);
    if (line.startsWith("+FULLRESYNC")) {
      // Adopted only once the RDB is loaded: a failed load must not resume that history.
      const [, id, off] = line.split(" ");
      this.fullId = id!;
      this.fullOffset = Number(off);
      this.state = "sync";
      return true;
    }
    if (line.startsWith("+CONTINUE")) {
      const id = line.split(" ")[1];
      if (id !== undefined && id !== "") this.replid = id;
      this.streamStart = this.offset;
      this.fed = 0;
      this.beginStream();
      return true;
    }
    return false;
  }

  private onData(chunk: Uint8Array): void {
    this.lastIo = Date.now();
    if (this.state === "connected") {
      this.fed += chunk.length;
      this.client!.onData(chunk);
      return;
    }
    const all = new Uint8Array(this.inbuf.length + chunk.length);
    all.set(this.inbuf);
    all.set(chunk, this.inbuf.length);
    this.inbuf = all;
    this.advance();
  }

  /** Handshake lines, then the RDB payload, then the stream. */
  private advance(): void {
    while (this.state === "handshake" && this.steps.length > 0) {
      const nl = this.inbuf.indexOf(10);
      if (nl < 0) return;
      const line = dec.decode(this.inbuf.subarray(0, nl)).replace(/\r$/, "");
      this.inbuf = this.inbuf.subarray(nl + 1);
      if (line === "") continue; // the primary's keepalive while it prepares a full sync
      if (!this.steps.shift()!(line)) return;
    }
    if (this.state === "sync") this.readRdb();
    if (this.state === "connected" && this.inbuf.length > 0) {
      const rest = this.inbuf;
      this.inbuf = new Uint8Array(0);
      this.fed += rest.length;
      this.client!.onData(rest);
    }
  }

  private readRdb(): void {
    if (this.receiver === undefined) {
      // Newlines are the primary's keepalives while it prepares the RDB.
      while (this.inbuf.length > 0 && this.inbuf[0] === 10) this.inbuf = this.inbuf.subarray(1);
      const nl = this.inbuf.indexOf(10);
      if (nl < 0) return;
      const line = dec.decode(this.inbuf.subarray(0, nl)).replace(/\r$/, "");
      this.inbuf = this.inbuf.subarray(nl + 1);
      if (line.startsWith("$EOF:")) this.eofMark = enc.encode(line.slice(5));
      else if (line.startsWith("$")) this.rdbLen = Number(line.slice(1));
      else return void this.fail(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      this.receiver = this.host.receiveRdb();
    }
    try {
      if (!this.feedRdb()) return;
      this.receiver.finish();
    } catch (e) {
      this.dropReceiver();
      this.fail(`Failed trying to load the MASTER synchronization DB from socket: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.receiver = undefined;
    this.client = this.host.masterClient(this.socket!);
    this.client.onSettled = this.onSettled;
    this.replid = this.fullId;
    this.streamStart = this.fullOffset;
    this.fed = 0;
    log.notice(`MASTER <-> REPLICA sync: Finished with success (${this.rdbGot} bytes of RDB)`);
    this.history.adoptHistory?.(this.replid, this.streamStart);
    this.state = "connected";
    this.lastError = "";
    this.sendAck();
  }

  private dropReceiver(): void {
    const r = this.receiver;
    this.receiver = undefined;
    r?.abort();
  }

  /** Feeds what arrived of the file to the receiver; true once all of it was fed. */
  private feedRdb(): boolean {
    const r = this.receiver!;
    if (this.rdbLen >= 0) {
      const take = this.inbuf.subarray(0, Math.min(this.rdbLen - this.rdbGot, this.inbuf.length));
      this.inbuf = this.inbuf.subarray(take.length);
      this.rdbGot += take.length;
      r.feed(take);
      return this.rdbGot === this.rdbLen;
    }
    // Diskless: the file ends with the 40-byte mark. The last bytes that could be its start are
    // held back and looked at again with the next piece (no re-scan of what was fed).
    const mark = this.eofMark!;
    const window = this.rdbTail.length === 0 ? this.inbuf : concat([this.rdbTail, this.inbuf], this.rdbTail.length + this.inbuf.length);
    this.inbuf = new Uint8Array(0);
    const at = indexOf(window, mark);
    if (at >= 0) {
      this.rdbGot += at;
      r.feed(window.subarray(0, at));
      this.inbuf = window.slice(at + mark.length);
      this.rdbTail = new Uint8Array(0);
      return true;
    }
    const keep = Math.min(mark.length - 1, window.length);
    const ready = window.length - keep;
    this.rdbTail = window.slice(ready);
    this.rdbGot += ready;
    r.feed(window.subarray(0, ready));
    return false;
  }

  private beginStream(): void {
    if (this.client === undefined) {
      this.client = this.host.masterClient(this.socket!);
      this.client.onSettled = this.onSettled;
    }
    this.state = "connected";
    this.lastError = "";
    this.history.adoptHistory?.(this.replid, this.streamStart);
    log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
  }

  /**
   * What we ack: the offset of the stream whose effects are all applied. A command the master
   * client forwarded to another worker is applied once its reply came, so the ack waits at a
   * fence (offset, forwarded count) until those replies are in (WAIT then means "applied").
   */
  private fences: { seq: number; offset: number }[] = [];
  private appliedOffset = 0;

  private ackOffset(): number {
    const c = this.client;
    const now = this.offset;
    if (c === undefined || c.settledSeq >= c.holdSeq) {
      this.fences.length = 0;
      this.appliedOffset = now;
      return now;
    }
    const last = this.fences[this.fences.length - 1];
    if (last === undefined || last.offset !== now) this.fences.push({ seq: c.holdSeq, offset: now });
    while (this.fences.length > 0 && this.fences[0]!.seq <= c.settledSeq) this.appliedOffset = this.fences.shift()!.offset;
    return this.appliedOffset;
  }

  private ackQueued = false;

  /** A fence passed: ack again (once per loop turn, however many replies came). */
  private readonly onSettled = (): void => {
    const c = this.client;
    if (this.ackQueued || c === undefined || this.fences.length === 0 || this.fences[0]!.seq > c.settledSeq) return;
    this.ackQueued = true;
    setImmediate(() => {
      this.ackQueued = false;
      this.sendAck();
    });
  };

  /** REPLCONF ACK <offset> to the primary. */
  sendAck(): void {
    if (this.state === "connected") this.send(["REPLCONF", "ACK", String(this.ackOffset())]);
  }

  private cron(): void {
    if (this.state === "connected" || this.state === "sync" || this.state === "handshake") {
      if (Date.now() - this.lastIo > this.host.config["repl-timeout"] * 1000) {
        this.log("MASTER timeout: no data nor PING received...");
        this.socket?.end();
        return;
      }
    }
    this.sendAck();
  }

  private lost(why: string): void {
    if (this.state === "closed") return;
    this.attempt++; // this attempt is over: its further events are ignored
    if (this.state === "connected") {
      // What was received but not run is not ours: the next PSYNC asks for it again.
      this.streamStart = this.offset;
      this.fed = 0;
      this.downSince = Date.now();
    }
    this.dropReceiver();
    this.client?.onClose();
    this.client = undefined;
    const old = this.socket;
    this.socket = undefined;
    old?.end();
    this.out = [];
    this.steps = [];
    this.state = "connecting";
    this.log(why);
    this.retry = setTimeout(() => this.connect(), 1000);
  }

  close(): void {
    if (this.state === "connected") this.streamStart = this.offset;
    this.state = "closed";
    clearInterval(this.timer);
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.dropReceiver();
    this.client?.onClose();
    this.client = undefined;
    this.socket?.end();
    this.socket = undefined;
  }
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === n) return parts[0]!;
  const out = new Uint8Array(n);
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = hay.length - needle.length; i >= 0; i--) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
