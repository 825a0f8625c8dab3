// Typed lookups of the hash family: the slot of a hash, -1 when missing, or WRONG_TYPE after
// replying WRONGTYPE; and the FIELDS numfields field... block of the Redis 7.4+ commands.

import { ValueType } from "../../engine/types.ts";
import { ERR_WRONGTYPE } from "../../protocol/errors.ts";
import { isKeyword, parseInt64 } from "../args.ts";
import { WRONG_TYPE } from "../string-value.ts";
import type { Args, Client } from "../types.ts";

export { WRONG_TYPE };

export const ERR_HASH_NOT_INTEGER = "ERR hash value is not an integer";
export const ERR_HASH_NOT_FLOAT = "ERR hash value is not a float";
export const ERR_FIELDS_MISSING = "ERR Mandatory argument FIELDS is missing or not at the right position";
export const ERR_NUMFIELDS_POSITIVE = "ERR Parameter `numFields` should be greater than 0";
export const ERR_NUMFIELDS_MATCH = "ERR The `numfields` parameter must match the number of arguments";

/** Slot of the hash at `key`, -1 when missing, WRONG_TYPE after replying. `read` counts hit/miss. */
export function lookupHashOrReply(c: Client, key: Uint8Array, read: boolean): number {
  const db = c.db;
  const slot = read ? db.lookup(key) : db.peek(key);
  if (slot >= 0 && db.typeOf(slot) !== ValueType.Hash) {
    c.reply.error(ERR_WRONGTYPE);
    return WRONG_TYPE;
  }
  return slot;
}

/**
 * The fields of `FIELDS numfields field...` starting at argv[at], which must run to the end of
 * the arguments (`pairs`: each field is followed by a value). Undefined after replying an error.
 */
export function fieldsBlockOrReply(c: Client, argv: Args, at: number, pairs = false): Uint8Array[] | undefined {
  if (at >= argv.length || !isKeyword(argv[at]!, "fields")) {
    c.reply.error(ERR_FIELDS_MISSING);
    return undefined;
  }
  const n = at + 1 < argv.length ? parseInt64(argv[at + 1]!) : NaN;
  if (!(n > 0)) {
    c.reply.error(ERR_NUMFIELDS_POSITIVE);
    return undefined;
  }
  const rest = argv.length - at - 2;
  if (rest !== (pairs ? n * 2 : n)) {
    c.reply.error(ERR_NUMFIELDS_MATCH);
    return undefined;
  }
  return argv.slice(at + 2);
}
