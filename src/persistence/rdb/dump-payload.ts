// Redis's DUMP payload: RDB type byte + value, the RDB version as 2 bytes little-endian (10), and
// the CRC64 of everything before it, 8 bytes little-endian (redis/src/cluster.c createDumpPayload
// and verifyDumpPayload).
import type { Keyspace } from "../../engine/keyspace.ts";
import type { ValueType } from "../../engine/types.ts";
import { Crc64 } from "./crc64.ts";
import { RdbInput } from "./rdb-input.ts";
import { RdbOutput } from "./rdb-output.ts";
import { RDB_VERSION, RdbError } from "./rdb-types.ts";
import { writeSlotValue, writeValue } from "./rdb-value-writer.ts";
import { readValue } from "./rdb-values.ts";

function seal(out: RdbOutput): Uint8Array {
  out.u16LE(RDB_VERSION);
  const body = out.cut();
  const crc = new Crc64().update(body).bytesLE();
  const payload = new Uint8Array(body.length + 8);
  payload.set(body);
  payload.set(crc, body.length);
  return payload;
}

/** DUMP of the value at `slot`. */
export function dumpPayload(ks: Keyspace, slot: number): Uint8Array {
  const out = new RdbOutput();
  writeSlotValue(out, ks, slot);
  return seal(out);
}

/** DUMP of a value given in our packed format. */
export function dumpPacked(type: ValueType, packed: Uint8Array): Uint8Array {
  const out = new RdbOutput();
  writeValue(out, type, packed);
  return seal(out);
}

/**
 * Checks a DUMP payload's footer (version ≤ 10, CRC64) and reads its value.
 * Throws RdbError when it is wrong: RESTORE answers "DUMP payload version or checksum are wrong"
 * for `footer` errors and "Bad data format" for the rest (`err.badFooter` tells them apart).
 */
export function parseDumpPayload(bytes: Uint8Array): { type: ValueType; packed: Uint8Array } {
  if (bytes.length < 10) throw new DumpFooterError("payload shorter than its footer", 0);
  const footer = bytes.length - 10;
  const version = bytes[footer]! | (bytes[footer + 1]! << 8);
  if (version > RDB_VERSION) throw new DumpFooterError(`RDB version ${version} is newer than ${RDB_VERSION}`, footer);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + footer + 2, 8).getBigUint64(0, true);
  // Redis 7.0 checks the CRC of a payload always (a 0 CRC is only skipped in files).
  const actual = new Crc64().update(bytes, 0, footer + 2).value;
  if (actual !== stored) throw new DumpFooterError("checksum mismatch", footer + 2);
  const inp = new RdbInput(bytes, 0, footer);
  const t = inp.u8();
  const v = readValue(inp, t);
  if (inp.pos !== footer) throw new RdbError(`${footer - inp.pos} bytes after the value`, inp.pos);
  return v;
}

/** A DUMP payload whose version or checksum is wrong. */
export class DumpFooterError extends RdbError {}
