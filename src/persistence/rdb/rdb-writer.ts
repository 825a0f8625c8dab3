// Writes an RDB version 10 file of a KeyspaceSet as Redis 7.0.15 does: "REDIS0010", AUX fields,
// per database SELECTDB + RESIZEDB then its keys (EXPIRETIME_MS before a key that expires),
// FUNCTION2 per function library, EOF and the CRC64 of everything before it (little-endian).
// `RdbWriter.chunks()` yields the file in pieces of about `chunkBytes` (a full sync of a million
// keys never builds one giant buffer); `writeRdb` concatenates them.
import type { Keyspace } from "../../engine/keyspace.ts";
import type { KeyspaceSet } from "../keyspace-set.ts";
import { Crc64 } from "./crc64.ts";
import { RdbOutput } from "./rdb-output.ts";
import { RDB_VERSION, RdbOpcode } from "./rdb-types.ts";
import { writeSlotValue } from "./rdb-value-writer.ts";

export interface RdbWriteOptions {
  /** AUX fields added to (or replacing) the defaults: redis-ver, redis-bits, ctime, used-mem, aof-base. */
  aux?: Record<string, string | number>;
  /** Function library sources (FUNCTION LOAD code), written as FUNCTION2 records. */
  functions?: readonly string[];
  /** LZF-compress long strings (Redis's rdbcompression). @default true */
  compress?: boolean;
  /** Size of the pieces `chunks()` yields. @default 1 MiB */
  chunkBytes?: number;
  /** The clock for ctime and for skipping keys already expired. @default Date.now() */
  now?: number;
  /** Keys to leave out (a full sync written while writes go on leaves out keys it must not repeat). */
  skip?: (db: number, key: Uint8Array) => boolean;
}

const enc = new TextEncoder();

export class RdbWriter {
  private readonly out = new RdbOutput();
  private readonly crc = new Crc64();
  private readonly chunkBytes: number;
  /** The database being written (-1 before the first, and after the last). */
  walkDb = -1;
  /** Slots below this one of `walkDb` are written (the scan's next cursor). */
  walkCursor = 0;
  /** The databases written, in order (known once `chunks()` started). */
  readonly walkOrder: number[] = [];

  constructor(
    private readonly set: KeyspaceSet,
    private readonly opts: RdbWriteOptions = {},
  ) {
    this.out.compress = opts.compress ?? true;
    this.chunkBytes = opts.chunkBytes ?? 1 << 20;
  }

  private cut(): Uint8Array {
    const c = this.out.cut();
    this.crc.update(c);
    return c;
  }

  private header(now: number): void {
    const o = this.out;
    o.raw(enc.encode(`REDIS${String(RDB_VERSION).padStart(4, "0")}`));
    let used = 0;
    this.set.each((_db, ks) => void (used += ks.usedMemory()));
    const aux: Record<string, string | number> = {
      "redis-ver": "7.0.15",
      "redis-bits": 64,
      ctime: Math.floor(now / 1000),
      "used-mem": used,
      "aof-base": 0,
      ...this.opts.aux,
    };
    for (const [k, v] of Object.entries(aux)) o.u8(RdbOpcode.Aux).text(k).text(String(v));
    for (const code of this.opts.functions ?? []) o.u8(RdbOpcode.Function2).text(code);
  }

  private *database(db: number, ks: Keyspace, now: number): Generator<Uint8Array> {
    const o = this.out;
    o.u8(RdbOpcode.SelectDb).len(db).u8(RdbOpcode.ResizeDb).len(ks.size).len(ks.volatileCount);
    const skip = this.opts.skip;
    this.walkDb = db;
    this.walkCursor = 0;
    let cursor = 0;
    do {
      cursor = ks.scan(cursor, 256, (slot) => {
        const at = ks.expireAt(slot);
        if (at !== 0 && at <= now) return;
        const key = ks.keyView(slot);
        if (skip !== undefined && skip(db, key)) return;
        if (at !== 0) o.u8(RdbOpcode.ExpireTimeMs).i64LE(at);
        writeSlotValue(o, ks, slot, key);
      });
      this.walkCursor = cursor === 0 ? Number.MAX_SAFE_INTEGER : cursor;
      if (o.p >= this.chunkBytes) yield this.cut();
    } while (cursor !== 0);
  }

  /** The file in pieces; the last one ends with EOF and the checksum. */
  *chunks(): Generator<Uint8Array> {
    const now = this.opts.now ?? Date.now();
    this.header(now);
    const dbs: [number, Keyspace][] = [];
    this.set.each((db, ks) => {
      if (ks.size > 0) dbs.push([db, ks]);
    });
    for (const [db] of dbs) this.walkOrder.push(db);
    for (const [db, ks] of dbs) yield* this.database(db, ks, now);
    this.walkDb = -1;
    this.out.u8(RdbOpcode.Eof);
    const last = this.cut();
    const sum = this.crc.bytesLE();
    const tail = new Uint8Array(last.length + 8);
    tail.set(last);
    tail.set(sum, last.length);
    yield tail;
  }
}

export function writeRdb(set: KeyspaceSet, opts: RdbWriteOptions = {}): Uint8Array {
  const parts = [...new RdbWriter(set, opts).chunks()];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
