// SINTER SINTERCARD SUNION SDIFF and their STORE forms (t_set.c: sinterGenericCommand,
// sunionDiffGenericCommand). Operands are read as copies, so a STORE into one of them is safe.
import { setHas, setMembers, setReplace, setSize } from "../../engine/set/set-type.ts";
import { bytesToLatin1, isKeyword, parseInt64 } from "../args.ts";
import { ERR_SYNTAX } from "../../protocol/errors.ts";
import type { Args, Client } from "../types.ts";
import { lookupSetOrReply, replyMembers, WRONG_TYPE } from "./set-lookup.ts";
import { NotifyClass as NC, notifyKeyspaceEvent as notify } from "../notify.ts";

/** Slots of `keys` (-1 missing), or undefined after WRONGTYPE. SINTER stops at the first missing key. */
function operandSlots(c: Client, keys: Args, stopAtMissing: boolean): number[] | undefined {
  const slots: number[] = [];
  for (const k of keys) {
    const s = lookupSetOrReply(c, k, false);
    if (s === WRONG_TYPE) return undefined;
    slots.push(s);
    if (s < 0 && stopAtMissing) break;
  }
  return slots;
}

function intersect(c: Client, slots: number[], limit = 0): Uint8Array[] {
  if (slots.some((s) => s < 0)) return [];
  const order = [...slots].sort((a, b) => setSize(c.db, a) - setSize(c.db, b));
  const out: Uint8Array[] = [];
  for (const m of setMembers(c.db, order[0]!)) {
    let all = true;
    for (let i = 1; i < order.length && all; i++) all = setHas(c.db, order[i]!, m);
    if (!all) continue;
    out.push(m);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

function union(c: Client, slots: number[]): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  for (const s of slots) {
    if (s < 0) continue;
    for (const m of setMembers(c.db, s)) {
      const k = bytesToLatin1(m);
      if (!seen.has(k)) seen.set(k, m);
    }
  }
  return [...seen.values()];
}

function difference(c: Client, slots: number[]): Uint8Array[] {
  if (slots[0]! < 0) return [];
  const rest = slots.slice(1).filter((s) => s >= 0);
  return setMembers(c.db, slots[0]!).filter((m) => !rest.some((s) => setHas(c.db, s, m)));
}

type Op = (c: Client, slots: number[]) => Uint8Array[];

function readGeneric(c: Client, keys: Args, op: Op, stopAtMissing: boolean): void {
  const slots = operandSlots(c, keys, stopAtMissing);
  if (slots !== undefined) replyMembers(c, op(c, slots));
}

function storeGeneric(c: Client, argv: Args, op: Op, stopAtMissing: boolean): void {
  const slots = operandSlots(c, argv.slice(2), stopAtMissing);
  if (slots === undefined) return;
  const members = op(c, slots);
  const existed = c.db.peek(argv[1]!) >= 0;
  const n = setReplace(c.db, argv[1]!, members);
  if (n < 0) return c.reply.error("OOM command not allowed when used memory > 'maxmemory'.");
  c.reply.integer(members.length);
  // sinterstore, sunionstore, sdiffstore: the command's own name; an empty result deletes.
  if (members.length > 0) notify(c, NC.SET, op === union ? "sunionstore" : op === difference ? "sdiffstore" : "sinterstore", argv[1]!);
  else if (existed) notify(c, NC.GENERIC, "del", argv[1]!);
}

// SINTER key [key ...]
export const cmdSInter = (c: Client, argv: Args): void => readGeneric(c, argv.slice(1), (cl, s) => intersect(cl, s), false);
// SUNION key [key ...]
export const cmdSUnion = (c: Client, argv: Args): void => readGeneric(c, argv.slice(1), union, false);
// SDIFF key [key ...]
export const cmdSDiff = (c: Client, argv: Args): void => readGeneric(c, argv.slice(1), difference, false);
// SINTERSTORE destination key [key ...]
export const cmdSInterStore = (c: Client, argv: Args): void => storeGeneric(c, argv, (cl, s) => intersect(cl, s), false);
// SUNIONSTORE destination key [key ...]
export const cmdSUnionStore = (c: Client, argv: Args): void => storeGeneric(c, argv, union, false);
// SDIFFSTORE destination key [key ...]
export const cmdSDiffStore = (c: Client, argv: Args): void => storeGeneric(c, argv, difference, false);

// SINTERCARD numkeys key [key ...] [LIMIT limit]
export function cmdSInterCard(c: Client, argv: Args): void {
  const numkeys = parseInt64(argv[1]!);
  if (Number.isNaN(numkeys) || numkeys <= 0) return c.reply.error("ERR numkeys should be greater than 0");
  if (numkeys > argv.length - 2) return c.reply.error("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i += 2) {
    if (i + 1 < argv.length && isKeyword(argv[i]!, "limit")) {
      const l = parseInt64(argv[i + 1]!);
      if (Number.isNaN(l) || l < 0) return c.reply.error("ERR LIMIT can't be negative");
      limit = l;
    } else return c.reply.error(ERR_SYNTAX);
  }
  const slots = operandSlots(c, argv.slice(2, 2 + numkeys), false);
  if (slots !== undefined) c.reply.integer(intersect(c, slots, limit).length);
}
