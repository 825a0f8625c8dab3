// OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP and MEMORY USAGE|HELP: what Redis reports about one
// key, mapped onto the engine (encodings are derived from the value the way Redis would pick them).

import { encodingOf } from "../engine/compound/codecs.ts";
import { ValueType } from "../engine/types.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX } from "../protocol/errors.ts";
import { isKeyword, parseInt64 } from "./args.ts";
import type { Args, Client } from "./types.ts";

export const ERR_NO_LFU =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
export const ERR_LFU_NO_IDLE =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/** Redis keeps small integers as shared objects with this refcount (OBJ_SHARED_REFCOUNT). */
const SHARED_REFCOUNT = 2147483647;
/** OBJ_SHARED_INTEGERS */
const SHARED_INTEGERS = 10000;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
const EMBSTR_LIMIT = 44;


const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
] as const;

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
] as const;

function replyHelp(c: Client, lines: readonly string[]): void {
  c.reply.arrayHeader(lines.length);
  for (const line of lines) c.reply.simple(line);
}

/** The slot of argv[2] for OBJECT subcommands, or -1 after replying null. */
function objectSlotOrReply(c: Client, argv: Args): number {
  const slot = c.db.peek(argv[2]!);
  if (slot < 0) c.reply.nullBulk();
  return slot;
}

/** Whether the string value is a canonical int64 (Redis stores those with the "int" encoding). */
function isIntEncoded(c: Client, slot: number): boolean {
  const db = c.db;
  return !Number.isNaN(parseInt64(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot)));
}

// OBJECT ENCODING key
export function cmdObjectEncoding(c: Client, argv: Args): void {
  const slot = objectSlotOrReply(c, argv);
  if (slot < 0) return;
  const db = c.db;
  const type = db.typeOf(slot);
  if (type !== ValueType.String) return c.reply.bulkString(encodingOf(db, slot));
  if (isIntEncoded(c, slot)) return c.reply.bulkString("int");
  c.reply.bulkString(db.valueLength(slot) <= EMBSTR_LIMIT ? "embstr" : "raw");
}

// OBJECT FREQ key
export function cmdObjectFreq(c: Client, argv: Args): void {
  const slot = objectSlotOrReply(c, argv);
  if (slot < 0) return;
  const f = c.db.frequency(slot);
  if (f < 0) return c.reply.error(ERR_NO_LFU);
  c.reply.integer(f);
}

// OBJECT IDLETIME key
export function cmdObjectIdleTime(c: Client, argv: Args): void {
  const slot = objectSlotOrReply(c, argv);
  if (slot < 0) return;
  const ms = c.db.idleMs(slot);
  if (ms < 0) return c.reply.error(ERR_LFU_NO_IDLE);
  c.reply.integer(Math.floor(ms / 1000));
}

// OBJECT REFCOUNT key
export function cmdObjectRefCount(c: Client, argv: Args): void {
  const slot = objectSlotOrReply(c, argv);
  if (slot < 0) return;
  const db = c.db;
  // Redis shares the integers 0..9999 unless an LRU/LFU-style policy with a memory limit needs
  // per-object access data.
  const sharing = db.maxMemory === 0 || db.policy === "noeviction" || db.policy === "volatile-ttl";
  if (sharing && db.typeOf(slot) === ValueType.String && isIntEncoded(c, slot)) {
    const v = parseInt64(db.valuePage(slot), db.valueOffset(slot), db.valueLength(slot));
    if (v >= 0 && v < SHARED_INTEGERS) return c.reply.integer(SHARED_REFCOUNT);
  }
  c.reply.integer(1);
}

// OBJECT HELP
export function cmdObjectHelp(c: Client, _argv: Args): void {
  replyHelp(c, OBJECT_HELP);
}

// MEMORY USAGE key [SAMPLES count]
export function cmdMemoryUsage(c: Client, argv: Args): void {
  for (let j = 3; j < argv.length; j++) {
    if (j + 1 < argv.length && isKeyword(argv[j]!, "samples")) {
      const n = parseInt64(argv[j + 1]!);
      if (Number.isNaN(n)) return c.reply.error(ERR_NOT_INTEGER);
      if (n < 0) return c.reply.error(ERR_SYNTAX);
      j++; // values are flat: sampling changes nothing
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  const db = c.db;
  const slot = db.peek(argv[2]!);
  if (slot < 0) return c.reply.nullBulk();
  c.reply.integer(db.entryBytes(slot));
}

// MEMORY HELP
export function cmdMemoryHelp(c: Client, _argv: Args): void {
  replyHelp(c, MEMORY_HELP);
}

// MEMORY PURGE: Redis asks jemalloc to return dirty pages; here a full, synchronous collection of
// this worker's JS heap returns what the garbage collector holds (the arena is already exact).
export function cmdMemoryPurge(c: Client, _argv: Args): void {
  Bun.gc(true);
  c.reply.ok();
}
