// PFADD PFCOUNT PFMERGE (hyperloglog.c). The HLL itself is src/engine/hll/; these handlers look
// keys up (WRONGTYPE for a non-string, Redis's HLL errors for a string that is not one) and
// map the type API's results to replies.
import { ERR_CORRUPT_HLL, ERR_NOT_HLL, HllResult, countRegisters, mergeSlot, newRegisters, pfAdd, pfCountOne, pfMergeStore } from "../../engine/hll/hll-type.ts";
import { ERR_OOM } from "../../protocol/errors.ts";
import { WRONG_TYPE, lookupStringOrReply, replyInt64 } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

/** Replies the error of a negative HllResult; false (nothing written) for a count. */
function replyHllError(c: Client, r: number | bigint): boolean {
  if (typeof r === "bigint" || r >= 0) return false;
  if (r === HllResult.NotHll) c.reply.error(ERR_NOT_HLL);
  else if (r === HllResult.Corrupt) c.reply.error(ERR_CORRUPT_HLL);
  else c.reply.error(ERR_OOM);
  return true;
}

/**
 * Merges the HLLs of argv[from..] into `max`, checking each key in argument order as Redis does
 * (WRONGTYPE, then not-an-HLL, then corrupt). Returns whether one was dense, or undefined after
 * replying the first error.
 */
function mergeArgsOrReply(c: Client, argv: Args, from: number, max: Uint8Array): boolean | undefined {
  let anyDense = false;
  for (let i = from; i < argv.length; i++) {
    const slot = lookupStringOrReply(c, argv[i]!, true);
    if (slot === WRONG_TYPE) return undefined;
    const r = mergeSlot(c.db, slot, max);
    if (replyHllError(c, r)) return undefined;
    if (r === 1) anyDense = true;
  }
  return anyDense;
}

// PFADD key [element ...]
export function cmdPfAdd(c: Client, argv: Args): void {
  const slot = lookupStringOrReply(c, argv[1]!, false);
  if (slot === WRONG_TYPE) return;
  const r = pfAdd(c.db, argv[1]!, slot, argv.slice(2));
  if (replyHllError(c, r)) return;
  c.reply.integer(r);
  if (r > 0) notify(c, NC.STRING, "pfadd", argv[1]!);
}

// PFCOUNT key [key ...]
export function cmdPfCount(c: Client, argv: Args): void {
  if (argv.length > 2) {
    const max = newRegisters();
    if (mergeArgsOrReply(c, argv, 1, max) !== undefined) c.reply.integer(countRegisters(max));
    return;
  }
  const slot = lookupStringOrReply(c, argv[1]!, true);
  if (slot === WRONG_TYPE) return;
  const r = pfCountOne(c.db, argv[1]!, slot);
  if (!replyHllError(c, r)) replyInt64(c, r);
}

// PFMERGE destkey [sourcekey ...]
export function cmdPfMerge(c: Client, argv: Args): void {
  const max = newRegisters();
  const anyDense = mergeArgsOrReply(c, argv, 1, max);
  if (anyDense === undefined) return;
  const r = pfMergeStore(c.db, argv[1]!, c.db.peek(argv[1]!), max, anyDense);
  if (replyHllError(c, r)) return;
  c.reply.ok();
  notify(c, NC.STRING, "pfadd", argv[1]!);
}
