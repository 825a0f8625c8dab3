// The embedded Cache's streams: XADD, XRANGE, XLEN and XTRIM through the same stream type the
// server's commands call (src/engine/stream/), with the same ID rules and error texts. A key of
// another type throws WrongTypeError, where Redis answers WRONGTYPE.
import { outOfMemory, type CacheKey, type CacheValue } from "./cache-base.ts";
import { CacheBits } from "./cache-bits.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { decodeUtf8 } from "./engine/bytes.ts";
import { formatId, parseId, type StreamId } from "./engine/stream/stream-id.ts";
import { AddRefusal, nextAddId, streamAppend, streamCreate, streamOf, streamRange, streamTrim, type TrimSpec } from "./engine/stream/stream-type.ts";
import { limits } from "./engine/compound/limits.ts";
import { Status, ValueType } from "./engine/types.ts";

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/** How XADD and XTRIM trim: MAXLEN or MINID, exact or `~` (whole nodes only). */
export interface StreamTrimOptions {
  maxlen?: number;
  minid?: string;
  /** `~`: trim only whole nodes (cheaper; may keep a few more entries). */
  approx?: boolean;
  /** Most entries one `~` trim removes (default 100 × stream-node-max-entries). */
  limit?: number;
}

export interface StreamAddOptions extends StreamTrimOptions {
  /** "ms-seq", "ms", "ms-*" or "*" (the default: now, or the next sequence). */
  id?: string;
  /** Do not create a missing stream (xadd returns undefined). */
  nomkstream?: boolean;
}

const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
const enc = new TextEncoder();

function idOrThrow(s: string, missingSeq: bigint, strict: boolean): StreamId {
  const p = parseId(enc.encode(s), missingSeq, strict);
  if (p === undefined) throw new TypeError(ERR_INVALID_ID);
  return p.id;
}

function trimSpec(o: StreamTrimOptions): TrimSpec | undefined {
  if (o.maxlen === undefined && o.minid === undefined) return undefined;
  if (o.maxlen !== undefined && o.minid !== undefined) throw new TypeError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  if (o.maxlen !== undefined && !(Number.isSafeInteger(o.maxlen) && o.maxlen >= 0)) throw new RangeError("ERR The MAXLEN argument must be >= 0.");
  if (o.limit !== undefined && !o.approx) throw new TypeError("ERR syntax error, LIMIT cannot be used without the special ~ option");
  const approx = o.approx === true;
  const limit = o.limit ?? (approx ? Math.min(1_000_000, 100 * limits["stream-node-max-entries"]) || 10_000 : 0);
  return { maxlen: o.maxlen ?? -1, minid: o.minid !== undefined ? idOrThrow(o.minid, 0n, true) : 0n, approx, limit };
}

export abstract class CacheStreams extends CacheBits {
  /** Slot of a stream key, -1 when missing; throws WrongTypeError for another type. */
  protected streamSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.Stream) throw new WrongTypeError();
    return slot;
  }

  /** XADD: appends an entry; returns its ID (undefined with `nomkstream` and no stream). */
  xadd(key: CacheKey, fields: Readonly<Record<string, CacheValue>>, opts: StreamAddOptions = {}): string | undefined {
    const fv: Uint8Array[] = [];
    for (const f of Object.keys(fields)) fv.push(this.keyBytes(f).slice(), this.valueBytes(fields[f]!).slice());
    if (fv.length === 0) throw new TypeError("ERR wrong number of arguments for 'xadd' command");
    const trim = trimSpec(opts);
    let ms: bigint | undefined;
    let seq: bigint | undefined;
    if (opts.id !== undefined && opts.id !== "*") {
      const p = parseId(enc.encode(opts.id), 0n, true, true);
      if (p === undefined) throw new TypeError(ERR_INVALID_ID);
      if (p.seqGiven && p.id === 0n) throw new RangeError("ERR The ID specified in XADD must be greater than 0-0");
      ms = p.id >> 64n;
      if (p.seqGiven) seq = p.id & ((1n << 64n) - 1n);
    }
    const k = this.keyBytes(key).slice();
    let slot = this.streamSlot(k);
    if (slot < 0) {
      if (opts.nomkstream) return undefined;
      slot = streamCreate(this.ks, k);
      if (slot < 0) throw outOfMemory(-slot as Status);
    }
    const id = nextAddId(streamOf(this.ks, slot), ms, seq, this.ks.now());
    if (typeof id === "number") {
      throw new RangeError(
        id === AddRefusal.Exhausted
          ? "ERR The stream has exhausted the last possible ID, unable to add more items"
          : "ERR The ID specified in XADD is equal or smaller than the target stream top item",
      );
    }
    streamAppend(this.ks, slot, id, fv);
    if (trim !== undefined) streamTrim(this.ks, slot, trim);
    return formatId(id);
  }

  /** XRANGE (`rev`: XREVRANGE): entries with start ≤ ID ≤ end ("-" and "+" are the ends), at most `count`. */
  xrange(key: CacheKey, start = "-", end = "+", count = 0, rev = false): StreamEntry[] {
    const lo = idOrThrow(start, 0n, false);
    const hi = idOrThrow(end, (1n << 64n) - 1n, false);
    const slot = this.streamSlot(this.keyBytes(key));
    const out: StreamEntry[] = [];
    if (slot < 0) return out;
    streamRange(this.ks, slot, lo, hi, rev, Math.max(0, count), (id, fv) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < fv.length; i += 2) fields[decodeUtf8(fv[i]!)] = decodeUtf8(fv[i + 1]!);
      out.push({ id: formatId(id), fields });
    });
    return out;
  }

  /** XLEN: entries in the stream (0 when missing). */
  xlen(key: CacheKey): number {
    const slot = this.streamSlot(this.keyBytes(key));
    return slot < 0 ? 0 : streamOf(this.ks, slot).length;
  }

  /** XTRIM: trims by MAXLEN or MINID; returns how many entries it removed. */
  xtrim(key: CacheKey, opts: StreamTrimOptions): number {
    const trim = trimSpec(opts);
    if (trim === undefined) throw new TypeError("ERR syntax error, XTRIM must be called with a trimming strategy");
    const slot = this.streamSlot(this.keyBytes(key));
    return slot < 0 ? 0 : streamTrim(this.ks, slot, trim);
  }
}


