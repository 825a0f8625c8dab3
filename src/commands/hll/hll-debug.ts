// PFDEBUG GETREG | DECODE | ENCODING | TODENSE key, and PFSELFTEST (hyperloglog.c's
// pfdebugCommand and hllSelftestCommand): inspection and conversion of one HLL, for tests.
import { ERR_CORRUPT_HLL, ERR_NOT_HLL, HllResult, hllDecode, hllRegisters, hllToDense } from "../../engine/hll/hll-type.ts";
import { hllSelfTest } from "../../engine/hll/hll-selftest.ts";
import { isDense, isValidHll } from "../../engine/hll/hll-format.ts";
import { ERR_OOM } from "../../protocol/errors.ts";
import { bytesToString, isKeyword } from "../args.ts";
import { WRONG_TYPE, lookupStringOrReply } from "../string-value.ts";
import type { Args, Client } from "../types.ts";

/** Converts to dense for GETREG / TODENSE: 1 converted, 0 already dense, undefined after replying an error. */
function toDenseOrReply(c: Client, key: Uint8Array, slot: number): number | undefined {
  const r = hllToDense(c.db, key, slot);
  if (r >= 0) return r;
  c.reply.error(r === HllResult.Corrupt ? ERR_CORRUPT_HLL : ERR_OOM);
  return undefined;
}

// PFDEBUG subcommand key
export function cmdPfDebug(c: Client, argv: Args): void {
  const key = argv[2]!;
  const slot = lookupStringOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  if (slot < 0) return c.reply.error("ERR The specified key does not exist");
  if (!isValidHll(c.db.valueView(slot))) return c.reply.error(ERR_NOT_HLL);
  const sub = argv[1]!;
  if (isKeyword(sub, "getreg")) {
    if (toDenseOrReply(c, key, slot) === undefined) return;
    const regs = hllRegisters(c.db, c.db.peek(key));
    c.reply.arrayHeader(regs.length);
    for (const r of regs) c.reply.integer(r);
  } else if (isKeyword(sub, "decode")) {
    const text = hllDecode(c.db, slot);
    if (text === undefined) return c.reply.error("ERR HLL encoding is not sparse");
    c.reply.bulkString(text);
  } else if (isKeyword(sub, "encoding")) {
    c.reply.simple(isDense(c.db.valueView(slot)) ? "dense" : "sparse");
  } else if (isKeyword(sub, "todense")) {
    const r = toDenseOrReply(c, key, slot);
    if (r !== undefined) c.reply.integer(r);
  } else {
    c.reply.error(`ERR Unknown PFDEBUG subcommand '${bytesToString(sub)}'`);
  }
}

// PFSELFTEST
export function cmdPfSelfTest(c: Client): void {
  const failure = hllSelfTest();
  if (failure === undefined) c.reply.ok();
  else c.reply.error(failure);
}
