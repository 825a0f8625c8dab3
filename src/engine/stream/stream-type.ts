// The stream type: what the stream commands and the embedded Cache call (Redis's t_stream.c
// below the command layer). A stream is always a StreamValue held by the keyspace (an empty
// stream exists until it is deleted). Every change is recorded as a Delta (StreamOp) holding what
// replay needs to be exact: the ID that `*` produced, the first ID a trim kept, delivery times.

import { recordDelta, registerCodec } from "../compound/codecs.ts";
import { limits } from "../compound/limits.ts";
import type { Keyspace } from "../keyspace.ts";
import { SetFlag, Status, ValueType, type Milliseconds } from "../types.ts";
import { type EntryVisitor } from "./stream-log.ts";
import { formatId, idMs, idScratch, idSeq, makeId, MAX_ID, parseFullId, U64_MAX, type StreamId } from "./stream-id.ts";
import { parseStream, StreamValue } from "./stream-value.ts";

/** Delta operation codes of streams (the tag byte of a Delta payload). */
export const StreamOp = {
  /** id, field, value, ... : one entry appended */
  Add: 1,
  /** id: every entry below id removed (a trim, whatever its strategy) */
  TrimBelow: 2,
  /** maxDeletedId, id...: entries deleted (XDEL) */
  Delete: 3,
  /** lastId, entriesAdded, maxDeletedId (XSETID) */
  SetId: 4,
  /** name, lastId, entriesRead: a group created (the stream too when missing: MKSTREAM) */
  GroupCreate: 5,
  /** name, lastId, entriesRead */
  GroupSetId: 6,
  /** name */
  GroupDestroy: 7,
  /** group, consumer, seenTime */
  ConsumerCreate: 8,
  /** group, consumer */
  ConsumerDelete: 9,
  /** group, consumer, seenTime, lastId, entriesRead, (id, deliveryTime, deliveryCount)... */
  Deliver: 10,
  /** group, id...: acknowledged (or dropped from the PEL because the entry is gone) */
  Ack: 11,
} as const;

const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();
const dec = new TextDecoder();
export const ascii = (v: string | number | bigint): Uint8Array => enc.encode(String(v));
export const idArg = (id: StreamId): Uint8Array => enc.encode(formatId(id));

export function streamOf(ks: Keyspace, slot: number): StreamValue {
  return ks.large(slot) as StreamValue;
}

/** Creates an empty stream at `key` (missing); returns its slot, or a negative Status. */
export function streamCreate(ks: Keyspace, key: Uint8Array): number {
  const st = ks.set(key, EMPTY, 0, SetFlag.QUIET, ValueType.Stream);
  if (st !== Status.Ok) return -st;
  const slot = ks.peek(key);
  ks.attachLarge(slot, new StreamValue());
  return slot;
}

/** Why XADD refused an ID. */
export const AddRefusal = { TooSmall: -1, Exhausted: -2 } as const;

/**
 * The ID XADD would give an entry: `ms` undefined = `*`; `seq` undefined = `ms-*`. Returns the ID
 * or an AddRefusal.
 */
export function nextAddId(s: StreamValue, ms: bigint | undefined, seq: bigint | undefined, now: Milliseconds): StreamId | number {
  const last = s.lastId;
  if (last === MAX_ID) return AddRefusal.Exhausted;
  if (ms === undefined) {
    const t = BigInt(now);
    return t > idMs(last) ? makeId(t, 0n) : last + 1n;
  }
  if (seq === undefined) {
    if (ms === idMs(last)) return idSeq(last) === U64_MAX ? AddRefusal.TooSmall : last + 1n;
    seq = 0n;
  }
  const id = makeId(ms, seq);
  return id > last ? id : AddRefusal.TooSmall;
}

/** Appends entry `id` (from nextAddId) with fields and values `fv`. */
export function streamAppend(ks: Keyspace, slot: number, id: StreamId, fv: readonly Uint8Array[]): void {
  const s = streamOf(ks, slot);
  s.log.append(id, fv, limits["stream-node-max-bytes"], limits["stream-node-max-entries"]);
  s.lastId = id;
  s.entriesAdded++;
  ks.recharge(slot);
  if (ks.recording) recordDelta(ks, slot, StreamOp.Add, [idScratch(id), ...fv]);
}

/** A trim: MAXLEN (maxlen ≥ 0) or MINID (maxlen -1), `=` or `~`, LIMIT (0 = none). */
export interface TrimSpec {
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  limit: number;
}

/** Trims the stream at `slot`; returns how many entries it removed. */
export function streamTrim(ks: Keyspace, slot: number, spec: TrimSpec): number {
  const s = streamOf(ks, slot);
  const removed = s.log.trim(spec.maxlen, spec.minid, spec.approx, spec.limit);
  if (removed === 0) return 0;
  ks.recharge(slot);
  if (ks.recording) recordDelta(ks, slot, StreamOp.TrimBelow, [idArg(s.log.edge(false) ?? s.lastId + (s.lastId === MAX_ID ? 0n : 1n))]);
  return removed;
}

/** XDEL: deletes `ids`; returns how many existed. */
export function streamDelete(ks: Keyspace, slot: number, ids: readonly StreamId[]): number {
  const s = streamOf(ks, slot);
  const gone: Uint8Array[] = [];
  for (const id of ids) {
    if (!s.log.delete(id)) continue;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    gone.push(idArg(id));
  }
  if (gone.length === 0) return 0;
  ks.recharge(slot);
  if (ks.recording) recordDelta(ks, slot, StreamOp.Delete, [idArg(s.maxDeletedId), ...gone]);
  return gone.length;
}

/** XSETID: sets the last ID, entries-added and max-deleted ID (already validated). */
export function streamSetId(ks: Keyspace, slot: number, lastId: StreamId, entriesAdded: number, maxDeletedId: StreamId): void {
  const s = streamOf(ks, slot);
  s.lastId = lastId;
  s.entriesAdded = entriesAdded;
  s.maxDeletedId = maxDeletedId;
  recordDelta(ks, slot, StreamOp.SetId, [idArg(lastId), ascii(entriesAdded), idArg(maxDeletedId)]);
}

/** Visits entries in [start, end] (`rev`: from end down), at most `count` (0 = all). */
export function streamRange(ks: Keyspace, slot: number, start: StreamId, end: StreamId, rev: boolean, count: number, visit: EntryVisitor): number {
  return streamOf(ks, slot).log.range(start, end, rev, count, visit);
}

export function streamLength(ks: Keyspace, slot: number): number {
  return streamOf(ks, slot).length;
}

// ---- codec ------------------------------------------------------------------------------------

function loadStream(ks: Keyspace, key: Uint8Array, packed: Uint8Array, expireAt: Milliseconds): Status {
  const s = parseStream(packed);
  if (s === undefined) return Status.NotFound;
  let st = ks.set(key, packed, expireAt, 0, ValueType.Stream);
  if (st !== Status.Ok) return st;
  st = ks.set(key, EMPTY, 0, SetFlag.QUIET | SetFlag.KEEPTTL, ValueType.Stream);
  if (st !== Status.Ok) return st;
  ks.attachLarge(ks.peek(key), s);
  return Status.Ok;
}

const idOf = (b: Uint8Array): StreamId => parseFullId(dec.decode(b)) ?? 0n;
const numOf = (b: Uint8Array): number => Number(dec.decode(b));

/** Replay hooks of the group operations (stream-group-ops.ts registers them). */
export const groupReplay: { apply?: (ks: Keyspace, slot: number, op: number, els: Uint8Array[]) => void } = {};

function applyStreamDelta(ks: Keyspace, key: Uint8Array, op: number, els: Uint8Array[]): void {
  let slot = ks.peek(key);
  if (slot >= 0 && ks.typeOf(slot) !== ValueType.Stream) return;
  if (slot < 0) {
    if (op !== StreamOp.Add && op !== StreamOp.GroupCreate) return;
    slot = streamCreate(ks, key);
    if (slot < 0) return;
  }
  const s = streamOf(ks, slot);
  switch (op) {
    case StreamOp.Add:
      streamAppend(ks, slot, idOf(els[0]!), els.slice(1));
      return;
    case StreamOp.TrimBelow:
      streamTrim(ks, slot, { maxlen: -1, minid: idOf(els[0]!), approx: false, limit: 0 });
      return;
    case StreamOp.Delete:
      streamDelete(ks, slot, els.slice(1).map(idOf));
      s.maxDeletedId = idOf(els[0]!);
      return;
    case StreamOp.SetId:
      streamSetId(ks, slot, idOf(els[0]!), numOf(els[1]!), idOf(els[2]!));
      return;
    default:
      groupReplay.apply?.(ks, slot, op, els);
  }
}

registerCodec(ValueType.Stream, {
  load: loadStream,
  applyDelta: applyStreamDelta,
  encoding: () => "stream",
});

export { idOf as deltaId, numOf as deltaNumber };
