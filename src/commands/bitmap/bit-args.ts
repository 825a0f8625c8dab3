// Argument parsing shared by the bitmap commands (bitops.c: getBitOffsetFromArgument,
// getBitfieldTypeFromArgument), with Redis 7.0's error strings.
import { parseInt64 } from "../args.ts";
import { protoMaxBulkLen } from "../string-value.ts";
import type { Client } from "../types.ts";

export const ERR_BIT_OFFSET = "ERR bit offset is not an integer or out of range";
export const ERR_BIT_VALUE = "ERR bit is not an integer or out of range";
export const ERR_BITFIELD_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/**
 * A bit offset: a non-negative integer below proto-max-bulk-len * 8 (2^32 by default). With
 * `bits` > 0, `#N` means N * bits (BITFIELD). Returns -1 after replying the error.
 */
export function bitOffsetOrReply(c: Client, arg: Uint8Array, bits = 0): number {
  const hash = bits > 0 && arg[0] === 35; // '#'
  let v = hash ? parseInt64(arg, 1) : parseInt64(arg);
  if (!Number.isNaN(v) && hash) v *= bits;
  if (Number.isNaN(v) || v < 0 || Math.floor(v / 8) >= protoMaxBulkLen(c)) {
    c.reply.error(ERR_BIT_OFFSET);
    return -1;
  }
  return v;
}

/** A BITFIELD type (i1..i64, u1..u63); undefined after replying the error. */
export function bitfieldTypeOrReply(c: Client, arg: Uint8Array): { signed: boolean; bits: number } | undefined {
  const t = arg[0];
  // Lower case only: Redis 7.0 refuses "I8" and "U8".
  const signed = t === 105; // i
  if (!signed && t !== 117) {
    c.reply.error(ERR_BITFIELD_TYPE);
    return undefined;
  }
  const bits = parseInt64(arg, 1);
  if (Number.isNaN(bits) || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
    c.reply.error(ERR_BITFIELD_TYPE);
    return undefined;
  }
  return { signed, bits };
}
