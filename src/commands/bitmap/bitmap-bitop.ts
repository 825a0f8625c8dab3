// BITOP AND | OR | XOR | NOT destkey key [key ...] (bitopCommand in bitops.c): the result
// replaces destkey (its TTL cleared), or deletes it when every source is empty or missing; the
// reply is the result's length. Sources are copied before the write, so destkey may be one.
import { BitOp, bitop } from "../../engine/bits/bitop.ts";
import { ValueType } from "../../engine/types.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { isKeyword } from "../args.ts";
import { WRONG_TYPE, lookupStringOrReply, replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

function opOf(arg: Uint8Array): BitOp | undefined {
  if (isKeyword(arg, "and")) return BitOp.And;
  if (isKeyword(arg, "or")) return BitOp.Or;
  if (isKeyword(arg, "xor")) return BitOp.Xor;
  if (isKeyword(arg, "not")) return BitOp.Not;
  return undefined;
}

export function cmdBitOp(c: Client, argv: Args): void {
  const op = opOf(argv[1]!);
  if (op === undefined) return c.reply.error(ERR_SYNTAX);
  if (op === BitOp.Not && argv.length !== 4) return c.reply.error("ERR BITOP NOT must be called with a single source key.");
  const db = c.db;
  const sources: (Uint8Array | undefined)[] = [];
  for (let i = 3; i < argv.length; i++) {
    const slot = lookupStringOrReply(c, argv[i]!, true);
    if (slot === WRONG_TYPE) return;
    // Views stay valid: nothing is written until the result is computed.
    sources.push(slot < 0 ? undefined : db.valueView(slot));
  }
  const result = bitop(op, sources);
  const dest = argv[2]!;
  if (result === undefined) {
    if (db.delete(dest)) notify(c, NC.GENERIC, "del", dest);
    return c.reply.integer(0);
  }
  const status = db.set(dest, result, 0, 0, ValueType.String);
  if (replyWriteFailure(c, status)) return;
  c.reply.integer(result.length);
  notify(c, NC.STRING, "set", dest);
}
