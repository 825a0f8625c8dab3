// parseRdb: walks a whole RDB file (header, opcodes, keys, EOF, CRC64) and hands every key to a
// visitor in our packed format. It throws RdbError on anything corrupt or truncated; a caller that
// must not half-load (loadRdb) collects first and stores after the walk succeeded.
import { Crc64 } from "./crc64.ts";
import { RdbInput } from "./rdb-input.ts";
import { RdbError, RdbOpcode, RdbTruncated, type RdbEntry, type RdbSummary } from "./rdb-types.ts";
import { readValue } from "./rdb-values.ts";

const MAGIC = [0x52, 0x45, 0x44, 0x49, 0x53]; // "REDIS"
const dec = new TextDecoder();

/** True when `bytes` starts as an RDB file does ("REDIS" and a 4-digit version). */
export function isRdb(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  for (let i = 0; i < 5; i++) if (bytes[i] !== MAGIC[i]) return false;
  for (let i = 5; i < 9; i++) if (bytes[i]! < 0x30 || bytes[i]! > 0x39) return false;
  return true;
}

/** Module opcodes inside a MODULE_AUX block (RDB_MODULE_OPCODE_*). */
function skipModuleAux(inp: RdbInput): void {
  inp.len(); // module id
  const at = inp.pos;
  const whenOpcode = inp.len();
  if (whenOpcode !== 2) inp.fail("MODULE_AUX written by a module API older than version 2 cannot be skipped", at);
  inp.len(); // when
  for (;;) {
    const op = inp.len();
    if (op === 0) return;
    if (op === 1 || op === 2) inp.len();
    else if (op === 3) inp.take(4);
    else if (op === 4) inp.take(8);
    else if (op === 5) inp.string();
    else inp.fail(`unknown module opcode ${op}`);
  }
}

export interface ParseOptions {
  /** Check the CRC64 after EOF (when it is not 0). @default true */
  verifyChecksum?: boolean;
}

/**
 * An RDB file read as it arrives (a full sync): `feed` the bytes in any pieces, `end` when the file
 * is over. Records are handed to the visitor as soon as they are whole; a record cut by the end
 * of a piece is read again once more bytes came (not before the held bytes doubled, so a large
 * value arriving in many pieces is read O(1) times). Throws RdbError on anything corrupt, with
 * the offset in the whole file.
 */
export class RdbParser {
  private buf: Uint8Array = new Uint8Array(64 * 1024);
  /** Our own buffer while `buf` is the caller's. */
  private spare: Uint8Array = this.buf;
  /** Bytes of `buf` not read yet: [from, to). */
  private from = 0;
  private to = 0;
  /** File offset of buf[0]. */
  private base = 0;
  /** Don't try again before this many bytes are held (a record was cut). */
  private waitFor = 0;
  private version = 0;
  private readonly crc = new Crc64();
  private readonly summary: RdbSummary = { version: 0, aux: {}, keys: new Map(), resize: new Map(), functions: [], moduleAuxSkipped: 0, checksum: 0n };
  private done = false;
  /** `buf` is the caller's bytes (read in place): never written into. */
  private borrowed = false;
  private db = 0;
  private expireAt = 0;
  private idle = -1;
  private freq = -1;

  constructor(
    private readonly visit: (e: RdbEntry) => void,
    private readonly opts: ParseOptions = {},
  ) {}

  /** Bytes of the file fed so far. */
  get received(): number {
    return this.base + this.to;
  }

  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.done) throw new RdbError(`${bytes.length} bytes after the end of the file`, this.received);
    this.hold(bytes);
    if (this.to - this.from >= this.waitFor) this.readRecords(false);
    if (this.borrowed) this.own();
  }

  /** Copies what is held out of the caller's bytes (they may be reused after `feed`). */
  private own(): void {
    const held = this.buf.subarray(this.from, this.to);
    const next = held.length <= this.spare.length ? this.spare : (this.spare = new Uint8Array(held.length * 2));
    next.set(held);
    this.base += this.from;
    this.buf = next;
    this.from = 0;
    this.to = held.length;
    this.borrowed = false;
  }

  /** The file is over: it must have ended with EOF (and a matching checksum), nothing after. */
  end(): RdbSummary {
    if (!this.done) this.readRecords(true);
    if (!this.done) throw new RdbError("truncated: the file ends before its EOF record", this.received);
    if (this.to > this.from) throw new RdbError(`${this.to - this.from} bytes after the end of the file`, this.base + this.from);
    return this.summary;
  }

  private hold(bytes: Uint8Array): void {
    const held = this.to - this.from;
    if (held === 0 && bytes.length >= this.buf.length) {
      // Read it where it is (a whole file, or a piece larger than the buffer); copied only if
      // part of it must wait for the next piece.
      this.base += this.to;
      this.buf = bytes;
      this.from = 0;
      this.to = bytes.length;
      this.borrowed = true;
      return;
    }
    if (this.borrowed || this.to + bytes.length > this.buf.length) {
      // Move what is held to the front, in a larger buffer when it does not fit.
      const need = held + bytes.length;
      const next = this.borrowed || need > this.buf.length ? new Uint8Array(Math.max(need, 64 * 1024, this.borrowed ? need * 2 : this.buf.length * 2)) : this.buf;
      this.borrowed = false;
      if (next === this.buf) this.buf.copyWithin(0, this.from, this.to);
      else next.set(this.buf.subarray(this.from, this.to));
      this.buf = this.spare = next;
      this.base += this.from;
      this.to = held;
      this.from = 0;
    }
    this.buf.set(bytes, this.to);
    this.to += bytes.length;
  }

  private readRecords(last: boolean): void {
    const inp = new RdbInput(this.buf, this.from, this.to);
    try {
      if (this.version === 0) {
        if (this.to - this.from < 9) {
          if (last) throw new RdbError("not an RDB file (no REDIS magic and version)", 0);
          return;
        }
        const head = this.buf.subarray(this.from, this.from + 9);
        if (!isRdb(head)) throw new RdbError("not an RDB file (no REDIS magic and version)", 0);
        this.version = Number(dec.decode(head.subarray(5, 9)));
        if (this.version < 1 || this.version > 10) throw new RdbError(`RDB version ${this.version} is not supported (1..10)`, 5);
        this.summary.version = this.version;
        inp.pos = this.from + 9;
        this.consume(inp.pos);
      }
      while (!this.done) {
        this.record(inp);
        this.consume(inp.pos);
      }
      this.waitFor = 0;
    } catch (e) {
      if (e instanceof RdbTruncated && !last) {
        this.waitFor = Math.max(2 * (this.to - this.from), 64 * 1024);
        return;
      }
      if (e instanceof RdbError) throw new RdbError(e.detail, this.base + e.offset);
      throw e;
    }
  }

  /** Bytes up to `pos` are read: into the checksum, out of the held bytes. */
  private consume(pos: number): void {
    if (!this.done) this.crc.update(this.buf, this.from, pos);
    this.from = pos;
  }

  /** One opcode and what follows it; throws RdbTruncated (nothing taken) when it is cut. */
  private record(inp: RdbInput): void {
    const at = inp.pos;
    const op = inp.u8();
    const summary = this.summary;
    switch (op) {
      case RdbOpcode.Eof: {
        if (this.version >= 5) {
          const stored = BigInt.asUintN(64, inp.i64LE());
          // The EOF byte is in the checksum, the checksum itself is not.
          this.crc.update(this.buf, this.from, at + 1);
          this.from = at + 1;
          summary.checksum = stored;
          if (stored !== 0n && this.opts.verifyChecksum !== false) {
            const actual = this.crc.value;
            if (actual !== stored) throw new RdbError(`checksum mismatch: stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}`, at + 1);
          }
        }
        this.done = true;
        return;
      }
      case RdbOpcode.SelectDb: {
        const db = inp.len();
        if (db > 65535) inp.fail(`database ${db} out of range`, at);
        this.db = db;
        return;
      }
      case RdbOpcode.ResizeDb: {
        const keys = inp.len();
        summary.resize.set(this.db, [keys, inp.len()]);
        return;
      }
      case RdbOpcode.ExpireTimeMs:
        this.expireAt = Number(inp.i64LE());
        return;
      case RdbOpcode.ExpireTime:
        this.expireAt = inp.u32LE() * 1000;
        return;
      case RdbOpcode.Idle:
        this.idle = inp.len();
        return;
      case RdbOpcode.Freq:
        this.freq = inp.u8();
        return;
      case RdbOpcode.Aux: {
        const k = inp.text();
        summary.aux[k] = inp.text();
        return;
      }
      case RdbOpcode.ModuleAux:
        skipModuleAux(inp);
        summary.moduleAuxSkipped++;
        return;
      case RdbOpcode.Function2:
        summary.functions.push(inp.text());
        return;
      case RdbOpcode.FunctionPreGa:
        inp.fail("functions saved by a Redis 7.0 release candidate (FUNCTION_PRE_GA) are not supported", at);
    }
    const key = inp.ownString();
    const v = readValue(inp, op);
    if (this.expireAt < 0) inp.fail(`negative expiry ${this.expireAt}`, at);
    this.visit({ db: this.db, key, type: v.type, packed: v.packed, expireAt: this.expireAt, idleSeconds: this.idle, freq: this.freq });
    summary.keys.set(this.db, (summary.keys.get(this.db) ?? 0) + 1);
    this.expireAt = 0;
    this.idle = -1;
    this.freq = -1;
  }
}

/** A whole RDB file, every key to `visit` (throws RdbError on anything corrupt or truncated). */
export function parseRdb(bytes: Uint8Array, visit: (e: RdbEntry) => void, opts: ParseOptions = {}): RdbSummary {
  const p = new RdbParser(visit, opts);
  p.feed(bytes);
  return p.end();
}
