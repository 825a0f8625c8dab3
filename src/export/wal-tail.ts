// `fast-cache-server wal-tail`: prints each frame of a WAL export stream or a WAL segment file as
// one JSON line, for humans and scripts (docs/EXPORT.md).
//
//   wal-tail --connect HOST:PORT [--token T] [--from SEQ] [--count N]   subscribe (listen mode)
//   (--from SHARD:SEQ,SHARD:SEQ,...: one position per shard, for a server with several workers)
//   wal-tail --listen HOST:PORT [--token T] [--from SEQ] [--count N]    be the collector (connect mode)
//   wal-tail --file SEGMENT [--from SEQ] [--count N]                    read a segment file
//
// Exit codes: 0 done (stream closed, --count reached, end of file), 1 error (connection, bad frame,
// the server's FCWAL-ERR line), 2 usage.
import type { Socket } from "bun";
import { TYPE_NAMES } from "../engine/types.ts";
import type { DecodedFrame } from "../persistence/wal-format.ts";
import type { Fcw2Frame } from "./fcw2.ts";
import { AUTH_PREFIX, FROM_NOW, FROM_PREFIX, fromLine, fromShardsLine, parseShardPositions, TokenCheck } from "./handshake.ts";
import { parseHostPort } from "./options.ts";
import { WalStreamReader, type StreamItem } from "./stream-reader.ts";

export interface TailIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: TailIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export const WAL_TAIL_USAGE = `Usage: wal-tail (--connect HOST:PORT | --listen HOST:PORT | --file SEGMENT) [--token T] [--from SEQ] [--count N]
Prints each WAL frame as one JSON line.
  --connect HOST:PORT  subscribe to a server exporting with --wal-export listen
  --listen HOST:PORT   accept the connection of a server exporting with --wal-export connect
  --file SEGMENT       read a WAL segment file (wal-sNNNNN-<seq>.log)
  --token T            auth token (sent with --connect, checked with --listen)
  --from SEQ           start after sequence SEQ (resume); with --listen, the first connection's position
  --from S:SEQ,...     one position per shard (a server with several workers), e.g. 0:120,1:98
  --count N            exit after N frames
`;

interface TailArgs {
  connect?: string;
  listen?: string;
  file?: string;
  token?: string;
  from?: number;
  /** --from in the per-shard form. */
  fromShards?: Map<number, number>;
  count?: number;
}

const FLAGS = ["connect", "listen", "file", "token", "from", "count"] as const;

function parseArgs(argv: string[]): TailArgs | string {
  const a: TailArgs = {};
  const args = argv[0] === "wal-tail" ? argv.slice(1) : argv;
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.replace(/^--/, "");
    if (!args[i]!.startsWith("--") || !(FLAGS as readonly string[]).includes(name)) return `unknown argument ${args[i]}`;
    const v = args[++i];
    if (v === undefined) return `--${name} needs a value`;
    if (name === "from" && v.includes(":")) {
      const m = parseShardPositions(v);
      if (m === undefined || [...m.values()].includes(FROM_NOW)) return "--from must be SEQ or SHARD:SEQ,SHARD:SEQ,...";
      a.fromShards = m;
    } else if (name === "from" || name === "count") {
      if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) return `--${name} must be a non-negative integer`;
      a[name] = Number(v);
    } else {
      a[name as "connect" | "listen" | "file" | "token"] = v;
    }
  }
  const modes = [a.connect, a.listen, a.file].filter((m) => m !== undefined).length;
  if (modes !== 1) return "give exactly one of --connect, --listen, --file";
  return a;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function putBytes(o: Record<string, unknown>, name: string, b: Uint8Array): void {
  try {
    o[name] = utf8.decode(b);
  } catch {
    o[`${name}Base64`] = Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
  }
}

const OPS = ["", "set", "delete", "expire", "clear", "delta", "swapdb"];

/** One FCW4 frame as JSON: seq, shard, op, type, expireAt (0 = none), key, value (set only). */
export function frameJson(f: DecodedFrame): string {
  const o: Record<string, unknown> = { seq: f.seq, shard: f.shard, op: OPS[f.op] ?? f.op, type: TYPE_NAMES[f.type] ?? f.type, expireAt: f.expireAt };
  if (f.db !== 0 || f.op === 6) o.db = f.db;
  if (f.op === 6) o.with = f.expireAt;
  if (f.op !== 4 && f.op !== 6) putBytes(o, "key", f.key);
  if (f.op === 1 || f.op === 5) putBytes(o, f.op === 1 ? "value" : "delta", f.value);
  return JSON.stringify(o);
}

/** One FCW2 frame as JSON: format, op, timestamp, expireAt (-1 = none), key, value. */
export function fcw2Json(f: Fcw2Frame): string {
  const o: Record<string, unknown> = { format: "fcw2", op: OPS[f.op] ?? f.op, timestamp: f.timestamp, expireAt: f.expireAt };
  putBytes(o, "key", f.key);
  putBytes(o, "value", f.value);
  return JSON.stringify(o);
}

/** Turns stream items into output lines; counts frames and stops at --count. */
class Printer {
  frames = 0;
  /** Last sequence number printed (or given with --from) per shard. */
  readonly last: Map<number, number>;
  error: string | undefined;
  constructor(private readonly a: TailArgs, private readonly io: TailIo) {
    this.last = new Map(a.fromShards ?? []);
  }

  /** Frames of `shard` up to this were printed or skipped. */
  private seen(shard: number): number {
    return this.last.get(shard) ?? this.a.from ?? -1;
  }

  /** The FROM line for a new connection: after what was printed, else --from, else "$". */
  fromLine(): Uint8Array {
    if (this.last.size > 0) return fromShardsLine(this.last);
    return fromLine(this.a.from ?? "$");
  }
  get done(): boolean {
    return this.a.count !== undefined && this.frames >= this.a.count;
  }
  /**
   * Feeds bytes; returns false when the stream must end (count reached, error line, bad bytes).
   * `conn` (--listen): the server's auth line is checked against `check` before any frame.
   */
  feed(reader: WalStreamReader, bytes: Uint8Array, conn?: { authed: boolean; check: TokenCheck | undefined }): boolean {
    let out = "";
    try {
      reader.feed(bytes, (item: StreamItem) => {
        if (this.done || this.error !== undefined) return;
        if (item.kind === "error") {
          this.error = item.message;
          return;
        }
        if (item.kind === "auth") {
          if (conn?.check !== undefined && !conn.check.matches(new TextEncoder().encode(item.token))) this.error = "the server sent a wrong token";
          else if (conn !== undefined) conn.authed = true;
          return;
        }
        if (conn !== undefined && conn.check !== undefined && !conn.authed) {
          this.error = "the server sent no auth line";
          return;
        }
        if (item.kind === "fcw4") {
          const shard = item.frame.shard;
          if (item.frame.seq <= this.seen(shard)) return;
          this.last.set(shard, item.frame.seq);
          out += frameJson(item.frame) + "\n";
        } else {
          out += fcw2Json(item.frame) + "\n";
        }
        this.frames++;
      });
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
    if (out.length > 0) this.io.out(out);
    if (this.error !== undefined) this.io.err(`wal-tail: ${this.error}\n`);
    return !this.done && this.error === undefined;
  }
}

async function tailFile(a: TailArgs, io: TailIo): Promise<number> {
  const p = new Printer(a, io);
  const reader = new WalStreamReader();
  const file = Bun.file(a.file!);
  if (!(await file.exists())) {
    io.err(`wal-tail: no such file: ${a.file}\n`);
    return 1;
  }
  for await (const chunk of file.stream()) {
    if (!p.feed(reader, chunk)) return p.error === undefined ? 0 : 1;
  }
  if (reader.buffered > 0) io.err(`wal-tail: ${reader.buffered} bytes of an incomplete frame at the end (torn tail or still being written)\n`);
  return 0;
}

function tailConnect(a: TailArgs, io: TailIo): Promise<number> {
  const { host, port } = parseHostPort(a.connect!, "--connect");
  const p = new Printer(a, io);
  const reader = new WalStreamReader();
  return new Promise((resolve) => {
    Bun.connect({
      hostname: host,
      port,
      socket: {
        binaryType: "uint8array",
        open: (s) => {
          const from = a.fromShards !== undefined ? new TextDecoder().decode(fromShardsLine(a.fromShards)) : a.from !== undefined ? `${FROM_PREFIX}${a.from}\n` : "";
          const hello = (a.token !== undefined ? `${AUTH_PREFIX}${a.token}\n` : "") + from;
          if (hello.length > 0) s.write(hello);
        },
        data: (s, d) => {
          if (!p.feed(reader, d)) s.end();
        },
        close: () => resolve(p.error === undefined ? 0 : 1),
        error: (_s, e) => {
          p.error ??= e.message;
        },
      },
    }).catch((e: unknown) => {
      io.err(`wal-tail: cannot connect to ${a.connect}: ${e instanceof Error ? e.message : String(e)}\n`);
      resolve(1);
    });
  });
}

interface CollectorConn {
  authed: boolean;
  check: TokenCheck | undefined;
  reader: WalStreamReader;
}

function tailListen(a: TailArgs, io: TailIo): Promise<number> {
  const { host, port } = parseHostPort(a.listen!, "--listen");
  const p = new Printer(a, io);
  const check = a.token !== undefined ? new TokenCheck(a.token) : undefined;
  const conn = (): CollectorConn => ({ authed: false, check, reader: new WalStreamReader() });
  return new Promise((resolve) => {
    const listener = Bun.listen<CollectorConn>({
      hostname: host,
      port,
      data: conn(),
      socket: {
        binaryType: "uint8array",
        open: (s) => {
          s.data = conn();
          // Tell the server where we are: after the last frame printed per shard (or --from), else
          // "from now". Shards never printed start where this connection starts.
          s.write(p.fromLine());
        },
        data: (s: Socket<CollectorConn>, d: Uint8Array) => {
          if (p.feed(s.data.reader, d, s.data)) return;
          listener.stop(true);
          resolve(p.error === undefined ? 0 : 1);
        },
        error: (_s, e) => io.err(`wal-tail: ${e.message}\n`),
      },
    });
    io.err(`wal-tail: listening on ${host}:${listener.port}\n`);
  });
}

/** Runs `wal-tail` with the arguments after the subcommand name; resolves to the exit code. */
export async function runWalTail(argv: string[], io: TailIo = stdio): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(WAL_TAIL_USAGE);
    return 0;
  }
  const a = parseArgs(argv);
  if (typeof a === "string") {
    io.err(`wal-tail: ${a}\n${WAL_TAIL_USAGE}`);
    return 2;
  }
  try {
    if (a.file !== undefined) return await tailFile(a, io);
    if (a.connect !== undefined) return await tailConnect(a, io);
    return await tailListen(a, io);
  } catch (e) {
    io.err(`wal-tail: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

