// LSET LREM LTRIM LINSERT: changes in the middle of a list, stored with listReplace.
import { listElements, listLength, listReplace } from "../../engine/list/list-type.ts";
import { Status } from "../../engine/types.ts";
import { ERR_NO_SUCH_KEY, ERR_OOM, ERR_SYNTAX } from "../../protocol/errors.ts";
import { intArgOrReply, isKeyword } from "../args.ts";
import type { Args, Client } from "../types.ts";
import { bytesEqual, lookupListOrReply, WRONG_TYPE } from "./list-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

/** LSET key index element */
export function cmdLSet(c: Client, argv: Args): void {
  // The key first (no such key / WRONGTYPE), then the index, as Redis 7.0.
  const slot = lookupListOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.error(ERR_NO_SUCH_KEY);
  let index = intArgOrReply(c, argv, 2);
  if (index === undefined) return;
  const els = listElements(c.db, slot);
  if (index < 0) index += els.length;
  if (index < 0 || index >= els.length) return c.reply.error("ERR index out of range");
  els[index] = argv[3]!;
  if (listReplace(c.db, argv[1]!, els) !== Status.Ok) return c.reply.error(ERR_OOM);
  c.reply.simple("OK");
  notify(c, NC.LIST, "lset", argv[1]!);
}

/** LREM key count element */
export function cmdLRem(c: Client, argv: Args): void {
  const count = intArgOrReply(c, argv, 2);
  if (count === undefined) return;
  const slot = lookupListOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const els = listElements(c.db, slot);
  const target = argv[3]!;
  const limit = count === 0 ? Infinity : Math.abs(count);
  let removed = 0;
  const keep = new Array<boolean>(els.length).fill(true);
  for (let k = 0; k < els.length && removed < limit; k++) {
    const i = count < 0 ? els.length - 1 - k : k;
    if (bytesEqual(els[i]!, target)) {
      keep[i] = false;
      removed++;
    }
  }
  if (removed > 0) listReplace(c.db, argv[1]!, els.filter((_, i) => keep[i]));
  c.reply.integer(removed);
  if (removed === 0) return;
  notify(c, NC.LIST, "lrem", argv[1]!);
  if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
}

/** LTRIM key start stop */
export function cmdLTrim(c: Client, argv: Args): void {
  let start = intArgOrReply(c, argv, 2);
  if (start === undefined) return;
  let stop = intArgOrReply(c, argv, 3);
  if (stop === undefined) return;
  const slot = lookupListOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot >= 0) {
    const n = listLength(c.db, slot);
    if (start < 0) start = Math.max(0, n + start);
    if (stop < 0) stop = n + stop;
    if (stop >= n) stop = n - 1;
    if (start > stop || start >= n) listReplace(c.db, argv[1]!, []);
    else if (start > 0 || stop < n - 1) listReplace(c.db, argv[1]!, listElements(c.db, slot).slice(start, stop + 1));
  }
  c.reply.simple("OK");
  if (slot < 0) return;
  notify(c, NC.LIST, "ltrim", argv[1]!);
  if (c.db.peek(argv[1]!) < 0) notify(c, NC.GENERIC, "del", argv[1]!);
}

/** LINSERT key BEFORE|AFTER pivot element */
export function cmdLInsert(c: Client, argv: Args): void {
  let after: boolean;
  if (isKeyword(argv[2]!, "after")) after = true;
  else if (isKeyword(argv[2]!, "before")) after = false;
  else return c.reply.error(ERR_SYNTAX);
  const slot = lookupListOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.integer(0);
  const els = listElements(c.db, slot);
  const at = els.findIndex((e) => bytesEqual(e, argv[3]!));
  if (at < 0) return c.reply.integer(-1);
  els.splice(after ? at + 1 : at, 0, argv[4]!);
  if (listReplace(c.db, argv[1]!, els) !== Status.Ok) return c.reply.error(ERR_OOM);
  c.reply.integer(els.length);
  notify(c, NC.LIST, "linsert", argv[1]!);
}
