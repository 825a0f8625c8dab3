// XREAD BLOCK on the blocked-clients service (src/commands/blocking.ts): when no stream has entries
// after its ID, the client waits on its streams (FIFO per key) until a write to one of them (the
// dispatcher signals XADD's key), its timeout (a null array) or CLIENT UNBLOCK; woken by one
// stream, it gets that stream's new entries alone, as Redis 7.0 answers. `$` was resolved to the
// stream's last ID when the command ran. Inside MULTI nothing blocks (a null array at once).
// Streams of another worker: the wait runs here (XREAD is a BLOCKING command when it has BLOCK)
// and tries on the owners: `XREAD COUNT n STREAMS key id`, and for a `$` not resolved yet first
// `XREVRANGE key + - COUNT 1` (the owner's last ID when the command ran; a missing stream is 0-0).
// XREADGROUP BLOCK (with `>` for every stream: a history read never waits) waits the same way and
// is served by the group's new entries, the consumer created when it is served (as 7.0.15).

import type { StreamId } from "../../engine/stream/stream-id.ts";
import { formatId } from "../../engine/stream/stream-id.ts";
import { ValueType } from "../../engine/types.ts";
import { isNothingReply, runBlocking, type BlockingCall } from "../blocking.ts";
import type { Client } from "../types.ts";
import { consumerEnsure, readGroupNew } from "../../engine/stream/stream-group-ops.ts";
import { replyCounted, streamAt, writeEntry, writeRange } from "./stream-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const enc = new TextEncoder();
const XREAD = enc.encode("xread");
const COUNT = enc.encode("count");
const STREAMS = enc.encode("streams");
const MAX_ID = (1n << 128n) - 1n;
/** The ID of a `$` whose stream lives on another worker, until the owner told its last ID. */
export const LAST_ID_UNKNOWN = -1n;
const XREVRANGE = enc.encode("xrevrange");
const PLUS = enc.encode("+");
const MINUS = enc.encode("-");
const ONE = enc.encode("1");
const dec = new TextDecoder();

/** The first entry ID in an XREVRANGE reply (RESP2 or RESP3), 0-0 when empty. */
function lastIdOf(raw: Uint8Array): StreamId | undefined {
  const text = dec.decode(raw.subarray(0, Math.min(raw.length, 256)));
  if (text.startsWith("*0") || text.startsWith("_")) return 0n;
  const m = /^\*1\r\n\*2\r\n\$\d+\r\n(\d+)-(\d+)\r\n/.exec(text);
  if (m === null) return undefined;
  return (BigInt(m[1]!) << 64n) | BigInt(m[2]!);
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Blocks `c` on `keys` (copies) for entries after `after[i]`, at most `count` (0 = all). */
export function blockXRead(c: Client, keys: Uint8Array[], after: StreamId[], count: number, timeoutMs: number): void {
  const indexOf = (key: Uint8Array): number => keys.findIndex((k) => same(k, key));
  const idOf = (key: Uint8Array): StreamId => after[indexOf(key)] ?? MAX_ID;
  const call: BlockingCall = {
    keys,
    timeoutMs,
    serve(cl, key, first) {
      // The command's own attempt already found nothing to serve (and checked the types).
      if (first) return false;
      const slot = cl.db.peek(key);
      if (slot < 0 || cl.db.typeOf(slot) !== ValueType.Stream) return false;
      const s = streamAt(cl, slot);
      const id = idOf(key);
      if (s.length === 0 || id === MAX_ID || s.log.edge(true)! <= id) return false;
      const r = cl.reply;
      if (r.resp === 3) r.mapHeader(1);
      else {
        r.arrayHeader(1);
        r.arrayHeader(2);
      }
      r.bulk(key);
      replyCounted(cl, (w) => writeRange(w, s, id + 1n, MAX_ID, false, count));
      return true;
    },
    timedOut: (cl) => cl.reply.nullArray(),
    cannotBlock: (cl) => cl.reply.nullArray(),
    remoteTry: (key) => (idOf(key) === LAST_ID_UNKNOWN ? [XREVRANGE, key, PLUS, MINUS, COUNT, ONE] : [XREAD, COUNT, enc.encode(String(count)), STREAMS, key, enc.encode(formatId(idOf(key)))]),
    remoteReply: (key, raw, _resp, first) => {
      // WRONGTYPE and the like answer the command's own attempt; once waiting, the wait goes on.
      if (raw[0] === 45) return first ? raw.slice() : undefined;
      if (idOf(key) === LAST_ID_UNKNOWN) {
        // `$` is the owner's last ID now: new entries after it are the ones to wait for.
        const last = lastIdOf(raw);
        if (last !== undefined) after[indexOf(key)] = last;
        return undefined;
      }
      return isNothingReply(raw) ? undefined : raw.slice();
    },
  };
  runBlocking(c, call);
}

const XREADGROUP = enc.encode("xreadgroup");
const GROUP = enc.encode("group");
const NOACK = enc.encode("noack");
const NEW = enc.encode(">");

/** XREADGROUP GROUP g c [COUNT n] [NOACK] BLOCK ms STREAMS keys... > ...: waits for new entries of the group. */
export function blockXReadGroup(c: Client, keys: Uint8Array[], groupArg: Uint8Array, consumerArg: Uint8Array, count: number, noack: boolean, timeoutMs: number): void {
  const group = groupArg.slice();
  const consumer = consumerArg.slice();
  const call: BlockingCall = {
    keys,
    timeoutMs,
    serve(cl, key, first) {
      if (first) return false; // the command's own attempt found nothing new
      const slot = cl.db.peek(key);
      if (slot < 0 || cl.db.typeOf(slot) !== ValueType.Stream) return false;
      const s = streamAt(cl, slot);
      const g = s.group(group);
      if (g === undefined || s.length === 0 || s.log.edge(true)! <= g.lastId) return false;
      const now = cl.db.now();
      const got = consumerEnsure(cl.db, slot, g, consumer, now);
      const who = got.consumer;
      if (got.created) notify(cl, NC.STREAM, "xgroup-createconsumer", key);
      who.seenTime = now;
      const r = cl.reply;
      if (r.resp === 3) r.mapHeader(1);
      else {
        r.arrayHeader(1);
        r.arrayHeader(2);
      }
      r.bulk(key);
      replyCounted(cl, (w) => readGroupNew(cl.db, slot, g, who, count, noack, now, (id, fv) => writeEntry(w, id, fv)));
      return true;
    },
    timedOut: (cl) => cl.reply.nullArray(),
    cannotBlock: (cl) => cl.reply.nullArray(),
    remoteTry: (key) => [XREADGROUP, GROUP, group, consumer, COUNT, enc.encode(String(count)), ...(noack ? [NOACK] : []), STREAMS, key, NEW],
    remoteReply: (_key, raw, _resp, first) => (raw[0] === 45 ? (first ? raw.slice() : undefined) : isNothingReply(raw) ? undefined : raw.slice()),
  };
  runBlocking(c, call);
}
