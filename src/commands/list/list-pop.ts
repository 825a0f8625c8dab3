// LPOP RPOP LMPOP LMOVE RPOPLPUSH.
import { listIndex, listLength, listPop, listPush } from "../../engine/list/list-type.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { bytesEqual, lookupListOrReply, replyElements, WRONG_TYPE } from "./list-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const ERR_POSITIVE = "ERR value is out of range, must be positive";

/** The events of a pop from `key`: lpop/rpop, and del when it emptied the list. */
export function notifyPopped(c: Client, key: Uint8Array, left: boolean): void {
  notify(c, NC.LIST, left ? "lpop" : "rpop", key);
  if (c.db.peek(key) < 0) notify(c, NC.GENERIC, "del", key);
}

function popGeneric(c: Client, argv: Args, left: boolean): void {
  if (argv.length > 3) return c.reply.error(`ERR wrong number of arguments for '${left ? "lpop" : "rpop"}' command`);
  let count = 1;
  const withCount = argv.length === 3;
  if (withCount) {
    count = parseInt64(argv[2]!);
    if (Number.isNaN(count) || count < 0) return c.reply.error(ERR_POSITIVE);
  }
  const key = argv[1]!;
  const slot = lookupListOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return withCount ? c.reply.nullArray() : c.reply.nullBulk();
  if (withCount && count === 0) return c.reply.arrayHeader(0);
  const out = listPop(c.db, key, slot, count, left);
  if (withCount) replyElements(c, out);
  else c.reply.bulk(out[0]!);
  notifyPopped(c, key, left);
}

/** LPOP key [count] */
export const cmdLPop = (c: Client, argv: Args): void => popGeneric(c, argv, true);
/** RPOP key [count] */
export const cmdRPop = (c: Client, argv: Args): void => popGeneric(c, argv, false);

/** LEFT → true, RIGHT → false, anything else → undefined. */
export function parseEnd(arg: Uint8Array): boolean | undefined {
  if (isKeyword(arg, "left")) return true;
  if (isKeyword(arg, "right")) return false;
  return undefined;
}

/**
 * Moves one element from `src` (its `fromLeft` end) to `dst` (its `toLeft` end) and replies it;
 * replies nil when `src` is missing. Returns false when it replied without moving.
 */
export function moveOne(c: Client, src: Uint8Array, dst: Uint8Array, fromLeft: boolean, toLeft: boolean): boolean {
  const s = lookupListOrReply(c, src, false);
  if (s === WRONG_TYPE) return false;
  if (s < 0) {
    c.reply.nullBulk();
    return false;
  }
  if (lookupListOrReply(c, dst, false) === WRONG_TYPE) return false;
  if (listLength(c.db, s) === 1 && bytesEqual(src, dst)) {
    // Onto itself, a one-element list is unchanged: popping first would delete the key and the
    // push would recreate it without its TTL (Redis pushes before it checks for an empty list).
    c.reply.bulk(listIndex(c.db, s, 0)!);
    notify(c, NC.LIST, toLeft ? "lpush" : "rpush", dst);
    notify(c, NC.LIST, fromLeft ? "lpop" : "rpop", src);
    return true;
  }
  const [v] = listPop(c.db, src, s, 1, fromLeft);
  listPush(c.db, dst, c.db.peek(dst), [v!], toLeft);
  c.reply.bulk(v!);
  notify(c, NC.LIST, toLeft ? "lpush" : "rpush", dst);
  notifyPopped(c, src, fromLeft);
  return true;
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
export function cmdLMove(c: Client, argv: Args): void {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === undefined || to === undefined) return c.reply.error(ERR_SYNTAX);
  moveOne(c, argv[1]!, argv[2]!, from, to);
}

/** RPOPLPUSH source destination */
export function cmdRPopLPush(c: Client, argv: Args): void {
  moveOne(c, argv[1]!, argv[2]!, false, true);
}

/** LMPOP's parsed arguments, shared with BLMPOP (`first` = index of numkeys). */
export interface MPopArgs {
  keys: Uint8Array[];
  left: boolean;
  count: number;
}

export function parseMPopOrReply(c: Client, argv: Args, first: number): MPopArgs | undefined {
  const numkeys = parseInt64(argv[first]!);
  if (Number.isNaN(numkeys) || numkeys <= 0) {
    c.reply.error("ERR numkeys should be greater than 0");
    return undefined;
  }
  const endAt = first + 1 + numkeys;
  if (endAt >= argv.length) {
    c.reply.error(ERR_SYNTAX);
    return undefined;
  }
  const left = parseEnd(argv[endAt]!);
  if (left === undefined) {
    c.reply.error(ERR_SYNTAX);
    return undefined;
  }
  let count = 1;
  let i = endAt + 1;
  let seenCount = false;
  for (; i < argv.length; i++) {
    if (isKeyword(argv[i]!, "count") && i + 1 < argv.length && !seenCount) {
      count = parseInt64(argv[++i]!);
      seenCount = true;
      if (Number.isNaN(count) || count <= 0) {
        c.reply.error("ERR count should be greater than 0");
        return undefined;
      }
    } else {
      c.reply.error(ERR_SYNTAX);
      return undefined;
    }
  }
  return { keys: argv.slice(first + 1, endAt), left, count };
}

/** Pops from the first non-empty key and replies [key, [elements]]; false when all are empty. */
export function mpopFirst(c: Client, a: MPopArgs): boolean {
  for (const key of a.keys) {
    const slot = lookupListOrReply(c, key, false);
    if (slot === WRONG_TYPE) return true;
    if (slot < 0) continue;
    const out = listPop(c.db, key, slot, a.count, a.left);
    c.reply.arrayHeader(2);
    c.reply.bulk(key);
    replyElements(c, out);
    notifyPopped(c, key, a.left);
    return true;
  }
  return false;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
export function cmdLMPop(c: Client, argv: Args): void {
  const a = parseMPopOrReply(c, argv, 1);
  if (a !== undefined && !mpopFirst(c, a)) c.reply.nullArray();
}
