// BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP: each parses its arguments in Redis 7.0's order into a
// BlockingCall (src/commands/blocking.ts) and hands it to the blocked-clients service: served at
// once when a key holds data, else the client waits (FIFO per key) until a push, its timeout or
// CLIENT UNBLOCK. Inside MULTI nothing blocks: nil (BLMOVE, BRPOPLPUSH) or a null array at once.
import { listPop } from "../../engine/list/list-type.ts";
import { ValueType } from "../../engine/types.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { ReplyWriter } from "../../protocol/reply-writer.ts";
import { blockTimeoutOrReply, isNothingReply, isWrongTypeReply, runBlocking, wrongTypeOnFirst, type BlockingCall } from "../blocking.ts";
import { parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { replyElements } from "./list-lookup.ts";
import { moveOne, notifyPopped, parseEnd, parseMPopOrReply, type MPopArgs } from "./list-pop.ts";

const enc = new TextEncoder();
const LPOP = enc.encode("lpop");
const RPOP = enc.encode("rpop");
const LMOVE = enc.encode("lmove");
const LMPOP = enc.encode("lmpop");
const ONE = enc.encode("1");
const COUNT = enc.encode("count");
const LEFT = enc.encode("left");
const RIGHT = enc.encode("right");

/** The list at `key` of `c.db`: its slot, -1 when missing, -2 when another type. */
function listSlot(c: Client, key: Uint8Array): number {
  const slot = c.db.peek(key);
  if (slot >= 0 && c.db.typeOf(slot) !== ValueType.List) return -2;
  return slot;
}

/** BLPOP / BRPOP over `keys`: replies [key, element]. */
function popCall(keys: Uint8Array[], timeoutMs: number, left: boolean): BlockingCall {
  return {
    keys,
    timeoutMs,
    serve(c, key, first) {
      const slot = listSlot(c, key);
      if (slot === -2) return wrongTypeOnFirst(c, first);
      if (slot < 0) return false;
      const [v] = listPop(c.db, key, slot, 1, left);
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      c.reply.bulk(v!);
      notifyPopped(c, key, left);
      return true;
    },
    timedOut: (c) => c.reply.nullArray(),
    cannotBlock: (c) => c.reply.nullArray(),
    remoteTry: (key) => [left ? LPOP : RPOP, key],
    remoteReply(key, raw, resp, first) {
      if (isNothingReply(raw) || (!first && isWrongTypeReply(raw))) return undefined;
      if (raw[0] === 45) return raw.slice();
      const w = new ReplyWriter(raw.length + key.length + 32);
      w.resp = resp === 3 ? 3 : 2;
      w.arrayHeader(2);
      w.bulk(key);
      w.raw(raw);
      return w.bytes().slice();
    },
  };
}

function popGeneric(c: Client, argv: Args, left: boolean): void {
  const timeoutMs = blockTimeoutOrReply(c, argv[argv.length - 1]!);
  if (timeoutMs !== undefined) runBlocking(c, popCall(argv.slice(1, -1), timeoutMs, left));
}

/** BLPOP key [key ...] timeout */
export const cmdBLPop = (c: Client, argv: Args): void => popGeneric(c, argv, true);
/** BRPOP key [key ...] timeout */
export const cmdBRPop = (c: Client, argv: Args): void => popGeneric(c, argv, false);

/** BLMOVE / BRPOPLPUSH: replies the element moved from `src` to `dst`. */
function moveCall(srcArg: Uint8Array, dstArg: Uint8Array, fromLeft: boolean, toLeft: boolean, timeoutMs: number): BlockingCall {
  // Kept past this command (argv are views into the receive buffer).
  const src = srcArg.slice();
  const dst = dstArg.slice();
  return {
    keys: [src],
    alsoWrites: [dst],
    timeoutMs,
    serve(c, key, first) {
      const slot = listSlot(c, key);
      if (slot === -2) return wrongTypeOnFirst(c, first);
      if (slot < 0) return false;
      // A destination of another type answers WRONGTYPE even after waiting (7.0's checkType).
      if (moveOne(c, src, dst, fromLeft, toLeft)) c.server.blocking?.signal(c.db, dst);
      return true;
    },
    timedOut: (c) => c.reply.nullArray(),
    cannotBlock: (c) => c.reply.nullBulk(),
    remoteTry: () => [LMOVE, src, dst, fromLeft ? LEFT : RIGHT, toLeft ? LEFT : RIGHT],
    remoteReply: (_key, raw) => (isNothingReply(raw) ? undefined : raw.slice()),
  };
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
export function cmdBLMove(c: Client, argv: Args): void {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === undefined || to === undefined) return c.reply.error(ERR_SYNTAX);
  const timeoutMs = blockTimeoutOrReply(c, argv[5]!);
  if (timeoutMs !== undefined) runBlocking(c, moveCall(argv[1]!, argv[2]!, from, to, timeoutMs));
}

/** BRPOPLPUSH source destination timeout */
export function cmdBRPopLPush(c: Client, argv: Args): void {
  const timeoutMs = blockTimeoutOrReply(c, argv[3]!);
  if (timeoutMs !== undefined) runBlocking(c, moveCall(argv[1]!, argv[2]!, false, true, timeoutMs));
}

/** BLMPOP: replies [key, [elements]] from the first key that holds data. */
function mpopCall(a: MPopArgs, timeoutMs: number): BlockingCall {
  const countArg = enc.encode(String(a.count));
  return {
    keys: a.keys,
    timeoutMs,
    serve(c, key, first) {
      const slot = listSlot(c, key);
      if (slot === -2) return wrongTypeOnFirst(c, first);
      if (slot < 0) return false;
      const out = listPop(c.db, key, slot, a.count, a.left);
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      replyElements(c, out);
      notifyPopped(c, key, a.left);
      return true;
    },
    timedOut: (c) => c.reply.nullArray(),
    cannotBlock: (c) => c.reply.nullArray(),
    remoteTry: (key) => [LMPOP, ONE, key, a.left ? LEFT : RIGHT, COUNT, countArg],
    remoteReply: (_key, raw, _resp, first) => (isNothingReply(raw) || (!first && isWrongTypeReply(raw)) ? undefined : raw.slice()),
  };
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
export function cmdBLMPop(c: Client, argv: Args): void {
  const timeoutMs = blockTimeoutOrReply(c, argv[1]!);
  if (timeoutMs === undefined) return;
  const a = parseMPopOrReply(c, argv, 2);
  if (a !== undefined) runBlocking(c, mpopCall({ ...a, keys: a.keys.map((k) => k.slice()) }, timeoutMs));
}

/** BLMPOP's key positions: numkeys keys after the timeout and numkeys. */
export function blmpopKeyPositions(argv: Args): number[] {
  const n = parseInt64(argv[2]!);
  const out: number[] = [];
  for (let i = 0; i < n && 3 + i < argv.length; i++) out.push(3 + i);
  return out;
}
