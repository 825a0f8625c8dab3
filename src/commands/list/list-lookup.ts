// Typed lookup of a list key for the LIST commands: the slot, -1 when missing, or WRONG_TYPE
// after replying WRONGTYPE.
import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import type { Client } from "../types.ts";
import { WRONG_TYPE } from "../string-value.ts";

export { WRONG_TYPE };

export function lookupListOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const slot = read ? c.db.lookup(key) : c.db.peek(key);
  if (slot >= 0 && c.db.typeOf(slot) !== ValueType.List) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

export function replyElements(c: Client, els: readonly Uint8Array[]): void {
  c.reply.arrayHeader(els.length);
  for (const e of els) c.reply.bulk(e);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
