// BZPOPMIN BZPOPMAX BZMPOP: the blocking forms of ZPOPMIN/ZPOPMAX/ZMPOP on the blocked-clients
// service (src/commands/blocking.ts): served at once when a key holds members, else the client
// waits (FIFO per key) until a write to one of its keys, its timeout or CLIENT UNBLOCK. Inside
// MULTI nothing blocks: a null array at once. Replies as Redis 7.0: [key, member, score] and
// [key, [[member, score], ...]]; the timeout is a null array.
import { ValueType } from "../../engine/types.ts";
import { ReplyWriter } from "../../protocol/reply-writer.ts";
import { blockTimeoutOrReply, isNothingReply, isWrongTypeReply, runBlocking, wrongTypeOnFirst, type BlockingCall } from "../blocking.ts";
import type { Args, Client } from "../types.ts";
import { replyScore } from "./zset-lookup.ts";
import { parseZMPopOrReply, replyPopped, zsetPopEnds, type ZMPopArgs } from "./zset-pop.ts";

const enc = new TextEncoder();
const ZPOPMIN = enc.encode("zpopmin");
const ZPOPMAX = enc.encode("zpopmax");
const ZMPOP = enc.encode("zmpop");
const ONE = enc.encode("1");
const MIN = enc.encode("min");
const MAX = enc.encode("max");
const COUNT = enc.encode("count");

/** The zset at `key`: its slot, -1 when missing, -2 when another type. */
function zsetSlot(c: Client, key: Uint8Array): number {
  const slot = c.db.peek(key);
  if (slot >= 0 && c.db.typeOf(slot) !== ValueType.ZSet) return -2;
  return slot;
}

/** BZPOPMIN / BZPOPMAX over `keys`: [key, member, score]. */
function popCall(keys: Uint8Array[], timeoutMs: number, max: boolean): BlockingCall {
  return {
    keys,
    timeoutMs,
    serve(c, key, first) {
      const slot = zsetSlot(c, key);
      if (slot === -2) return wrongTypeOnFirst(c, first);
      if (slot < 0) return false;
      const got = zsetPopEnds(c, key, slot, 1, max);
      c.reply.arrayHeader(3);
      c.reply.bulk(key);
      c.reply.bulk(got.members[0]!);
      replyScore(c, got.scores[0]!);
      return true;
    },
    timedOut: (c) => c.reply.nullArray(),
    cannotBlock: (c) => c.reply.nullArray(),
    remoteTry: (key) => [max ? ZPOPMAX : ZPOPMIN, key],
    remoteReply(key, raw, resp, first) {
      // ZPOPMIN's reply is [member, score] (or empty): the blocking form puts the key in front.
      if (isNothingReply(raw) || (!first && isWrongTypeReply(raw))) return undefined;
      if (raw[0] === 45) return raw.slice();
      const body = raw.subarray(raw.indexOf(10) + 1);
      const w = new ReplyWriter(raw.length + key.length + 32);
      w.resp = resp === 3 ? 3 : 2;
      w.arrayHeader(3);
      w.bulk(key);
      w.raw(body);
      return w.bytes().slice();
    },
  };
}

function popGeneric(c: Client, argv: Args, max: boolean): void {
  const timeoutMs = blockTimeoutOrReply(c, argv[argv.length - 1]!);
  if (timeoutMs !== undefined) runBlocking(c, popCall(argv.slice(1, -1).map((k) => k.slice()), timeoutMs, max));
}

/** BZPOPMIN key [key ...] timeout */
export const cmdBZPopMin = (c: Client, argv: Args): void => popGeneric(c, argv, false);
/** BZPOPMAX key [key ...] timeout */
export const cmdBZPopMax = (c: Client, argv: Args): void => popGeneric(c, argv, true);

/** BZMPOP: [key, [[member, score], ...]] from the first key that holds members. */
function mpopCall(a: ZMPopArgs, timeoutMs: number): BlockingCall {
  const countArg = enc.encode(String(a.count));
  return {
    keys: a.keys,
    timeoutMs,
    serve(c, key, first) {
      const slot = zsetSlot(c, key);
      if (slot === -2) return wrongTypeOnFirst(c, first);
      if (slot < 0) return false;
      const got = zsetPopEnds(c, key, slot, a.count, a.max);
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      replyPopped(c, got, true);
      return true;
    },
    timedOut: (c) => c.reply.nullArray(),
    cannotBlock: (c) => c.reply.nullArray(),
    remoteTry: (key) => [ZMPOP, ONE, key, a.max ? MAX : MIN, COUNT, countArg],
    remoteReply: (_key, raw, _resp, first) => (isNothingReply(raw) || (!first && isWrongTypeReply(raw)) ? undefined : raw.slice()),
  };
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
export function cmdBZMPop(c: Client, argv: Args): void {
  const timeoutMs = blockTimeoutOrReply(c, argv[1]!);
  if (timeoutMs === undefined) return;
  const a = parseZMPopOrReply(c, argv, 2);
  if (a !== undefined) runBlocking(c, mpopCall({ ...a, keys: a.keys.map((k) => k.slice()) }, timeoutMs));
}

/** BZMPOP's key positions: numkeys keys after the timeout and numkeys. */
export function bzmpopKeyPositions(argv: Args): number[] {
  const n = Number(new TextDecoder().decode(argv[2]!));
  const out: number[] = [];
  for (let i = 0; Number.isInteger(n) && i < n && 3 + i < argv.length; i++) out.push(3 + i);
  return out;
}
