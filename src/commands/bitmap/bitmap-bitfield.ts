// BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment |
// OVERFLOW WRAP|SAT|FAIL ...] and BITFIELD_RO key [GET type offset ...] (bitfieldGeneric in
// bitops.c). Every sub-operation is parsed (and any error answered) before the key is touched;
// a write grows the value to the furthest bit written even when FAIL then skips the write.
import { Overflow, addSigned, addUnsigned, getSigned, getUnsigned, setBits } from "../../engine/bits/bitfield.ts";
import { grownCopy, writeString } from "../../engine/bits/bitmap-type.ts";
import { Status } from "../../engine/types.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import { bigIntArgOrReply, isKeyword } from "../args.ts";
import { WRONG_TYPE, lookupStringOrReply, replyInt64, replyWriteFailure } from "../string-value.ts";
import type { Args, Client } from "../types.ts";
import { bitOffsetOrReply, bitfieldTypeOrReply } from "./bit-args.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

const OpCode = { Get: 0, Set: 1, IncrBy: 2 } as const;
type OpCode = (typeof OpCode)[keyof typeof OpCode];

interface FieldOp {
  op: OpCode;
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

/** The sub-operations of argv, or undefined after replying the first error. */
function parseOps(c: Client, argv: Args): FieldOp[] | undefined {
  const ops: FieldOp[] = [];
  let overflow: Overflow = Overflow.Wrap;
  for (let j = 2; j < argv.length; j++) {
    const rest = argv.length - j - 1;
    const sub = argv[j]!;
    let op: OpCode;
    if (isKeyword(sub, "get") && rest >= 2) op = OpCode.Get;
    else if (isKeyword(sub, "set") && rest >= 3) op = OpCode.Set;
    else if (isKeyword(sub, "incrby") && rest >= 3) op = OpCode.IncrBy;
    else if (isKeyword(sub, "overflow") && rest >= 1) {
      const mode = argv[++j]!;
      if (isKeyword(mode, "wrap")) overflow = Overflow.Wrap;
      else if (isKeyword(mode, "sat")) overflow = Overflow.Sat;
      else if (isKeyword(mode, "fail")) overflow = Overflow.Fail;
      else {
        c.reply.error("ERR Invalid OVERFLOW type specified");
        return undefined;
      }
      continue;
    } else {
      c.reply.error(ERR_SYNTAX);
      return undefined;
    }
    const type = bitfieldTypeOrReply(c, argv[j + 1]!);
    if (type === undefined) return undefined;
    const offset = bitOffsetOrReply(c, argv[j + 2]!, type.bits);
    if (offset < 0) return undefined;
    let value = 0n;
    if (op !== OpCode.Get) {
      const v = bigIntArgOrReply(c, argv, j + 3);
      if (v === undefined) return undefined;
      value = v;
    }
    ops.push({ op, signed: type.signed, bits: type.bits, offset, value, overflow });
    j += op === OpCode.Get ? 2 : 3;
  }
  return ops;
}

/** Runs a SET or INCRBY on `v`; replies its result (or nil when FAIL stops it: false). */
function runWrite(c: Client, v: Uint8Array, f: FieldOp): boolean {
  const old = f.signed ? getSigned(v, f.offset, f.bits) : getUnsigned(v, f.offset, f.bits);
  const incr = f.op === OpCode.IncrBy;
  // SET checks its value as an increment of 0 from the value itself.
  const base = incr ? old : f.signed ? f.value : BigInt.asUintN(64, f.value);
  const r = f.signed ? addSigned(base, incr ? f.value : 0n, f.bits, f.overflow) : addUnsigned(base, incr ? f.value : 0n, f.bits, f.overflow);
  if (r.overflow && f.overflow === Overflow.Fail) {
    c.reply.nullBulk();
    return false;
  }
  const next = r.value;
  replyInt64(c, incr ? next : old);
  setBits(v, f.offset, f.bits, next);
  return true;
}

/** Replies a GET of `f` from `v` (bits past its end read as zeros). */
function runGet(c: Client, v: Uint8Array | undefined, f: FieldOp): void {
  const src = v ?? new Uint8Array(0);
  replyInt64(c, f.signed ? getSigned(src, f.offset, f.bits) : getUnsigned(src, f.offset, f.bits));
}

function bitfieldGeneric(c: Client, argv: Args, readOnlyCommand: boolean): void {
  const ops = parseOps(c, argv);
  if (ops === undefined) return;
  const key = argv[1]!;
  const db = c.db;
  let highest = -1;
  for (const f of ops) if (f.op !== OpCode.Get) highest = Math.max(highest, f.offset + f.bits - 1);
  if (highest < 0) {
    const slot = lookupStringOrReply(c, key, true);
    if (slot === WRONG_TYPE) return;
    const v = slot < 0 ? undefined : db.valueView(slot);
    c.reply.arrayHeader(ops.length);
    for (const f of ops) runGet(c, v, f);
    return;
  }
  if (readOnlyCommand) return c.reply.error("ERR BITFIELD_RO only supports the GET subcommand");
  const slot = lookupStringOrReply(c, key, false);
  if (slot === WRONG_TYPE) return;
  const before = slot < 0 ? -1 : db.valueLength(slot);
  const v = grownCopy(db, slot, Math.floor(highest / 8) + 1);
  const mark = c.reply.len;
  c.reply.arrayHeader(ops.length);
  let changed = v.length !== before;
  let writes = 0; // Redis's `changes`: SET/INCRBY not stopped by OVERFLOW FAIL
  for (const f of ops) {
    if (f.op === OpCode.Get) runGet(c, v, f);
    else {
      const was = changed ? 0n : getUnsigned(v, f.offset, f.bits);
      if (runWrite(c, v, f)) writes++;
      if (!changed && getUnsigned(v, f.offset, f.bits) !== was) changed = true;
    }
  }
  if (changed) {
    const status = writeString(db, key, slot, v);
    if (status !== Status.Ok) {
      c.reply.len = mark;
      replyWriteFailure(c, status);
      return;
    }
  }
  if (writes > 0) notify(c, NC.STRING, "setbit", key);
}

export const cmdBitField = (c: Client, argv: Args): void => bitfieldGeneric(c, argv, false);
export const cmdBitFieldRo = (c: Client, argv: Args): void => bitfieldGeneric(c, argv, true);
