// RDB version 10 (Redis 7.0) vocabulary: value type bytes, opcodes, and what a parse reports.
// Numbers are redis/src/rdb.h's.
import type { Milliseconds, ValueType } from "../../engine/types.ts";

export const RDB_VERSION = 10;

/** Value type bytes (RDB_TYPE_*). */
export const RdbType = {
  String: 0,
  List: 1,
  Set: 2,
  ZSet: 3,
  Hash: 4,
  ZSet2: 5,
  Module: 6,
  Module2: 7,
  HashZipmap: 9,
  ListZiplist: 10,
  SetIntset: 11,
  ZSetZiplist: 12,
  HashZiplist: 13,
  ListQuicklist: 14,
  StreamListpacks: 15,
  HashListpack: 16,
  ZSetListpack: 17,
  ListQuicklist2: 18,
  StreamListpacks2: 19,
  SetListpack: 20,
  StreamListpacks3: 21,
} as const;

/** Opcodes (RDB_OPCODE_*). */
export const RdbOpcode = {
  Function2: 245,
  FunctionPreGa: 246,
  ModuleAux: 247,
  Idle: 248,
  Freq: 249,
  Aux: 250,
  ResizeDb: 251,
  ExpireTimeMs: 252,
  ExpireTime: 253,
  SelectDb: 254,
  Eof: 255,
} as const;

/** A corrupt, truncated or unsupported RDB file or DUMP payload; `offset` is where it was seen. */
export class RdbError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`RDB: ${detail} (at byte ${offset})`);
    this.name = "RdbError";
  }
}

/** The bytes ended inside a record: a whole file is truncated; a file still arriving needs more. */
export class RdbTruncated extends RdbError {}

/** One key of an RDB file, its value in our packed format (strings: the bytes). */
export interface RdbEntry {
  db: number;
  key: Uint8Array;
  type: ValueType;
  packed: Uint8Array;
  /** Absolute expiry in ms since the epoch; 0 = none. */
  expireAt: Milliseconds;
  /** LRU idle seconds (IDLE opcode), -1 when absent. */
  idleSeconds: number;
  /** LFU counter (FREQ opcode), -1 when absent. */
  freq: number;
}

/** What a whole file held besides its keys. */
export interface RdbSummary {
  version: number;
  /** AUX fields as written (redis-ver, repl-id, repl-offset, ctime, used-mem, aof-base ...). */
  aux: Record<string, string>;
  /** Keys per database (every key in the file, expired or not). */
  keys: Map<number, number>;
  /** RESIZEDB hints per database: [db size, expires size]. */
  resize: Map<number, [number, number]>;
  /** Function library sources (FUNCTION2 opcodes), in file order. */
  functions: string[];
  /** Module AUX blocks skipped. */
  moduleAuxSkipped: number;
  /** The CRC64 stored after EOF (0n: written with rdbchecksum no). */
  checksum: bigint;
}
