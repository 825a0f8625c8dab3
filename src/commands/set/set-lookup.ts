// Typed lookup of a set key for the SET family: replies WRONGTYPE for you.
import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import type { Client } from "../types.ts";

/** lookupSetOrReply's answer when the key holds another type (WRONGTYPE was written). */
export const WRONG_TYPE = -2;

/** Slot of `key` when it holds a set, -1 when missing, or WRONG_TYPE after replying. */
export function lookupSetOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const slot = read ? c.db.lookup(key) : c.db.peek(key);
  if (slot >= 0 && c.db.typeOf(slot) !== ValueType.Set) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

/** Writes `members` as a set reply (`~` in RESP3, an array in RESP2). */
export function replyMembers(c: Client, members: readonly Uint8Array[]): void {
  c.reply.setHeader(members.length);
  for (const m of members) c.reply.bulk(m);
}
