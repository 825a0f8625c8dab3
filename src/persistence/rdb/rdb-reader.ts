// parseRdb: walks a whole RDB file (header, opcodes, keys, EOF, CRC64) and hands every key to a
// visitor in our packed format. It throws RdbError on anything corrupt or truncated; a caller that
// must not half-load (loadRdb) collects first and stores after the walk succeeded.
import { crc64 } from "./crc64.ts";
import { RdbInput } from "./rdb-input.ts";
import { RdbError, RdbOpcode, type RdbEntry, type RdbSummary } from "./rdb-types.ts";
import { readValue } from "./rdb-values.ts";

const MAGIC = [0x52, 0x45, 0x44, 0x49, 0x53]; // "REDIS"
const dec = new TextDecoder();

/** True when `bytes` starts as an RDB file does ("REDIS" and a 4-digit version). */
export function isRdb(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  for (let i = 0; i < 5; i++) if (bytes[i] !== MAGIC[i]) return false;
  for (let i = 5; i < 9; i++) if (bytes[i]! < 0x30 || bytes[i]! > 0x39) return false;
  return true;
}

/** Module opcodes inside a MODULE_AUX block (RDB_MODULE_OPCODE_*). */
function skipModuleAux(inp: RdbInput): void {
  inp.len(); // module id
  const at = inp.pos;
  const whenOpcode = inp.len();
  if (whenOpcode !== 2) inp.fail("MODULE_AUX written by a module API older than version 2 cannot be skipped", at);
  inp.len(); // when
  for (;;) {
    const op = inp.len();
    if (op === 0) return;
    if (op === 1 || op === 2) inp.len();
    else if (op === 3) inp.take(4);
    else if (op === 4) inp.take(8);
    else if (op === 5) inp.string();
    else inp.fail(`unknown module opcode ${op}`);
  }
}

export interface ParseOptions {
  /** Check the CRC64 after EOF (when it is not 0). @default true */
  verifyChecksum?: boolean;
}

export function parseRdb(bytes: Uint8Array, visit: (e: RdbEntry) => void, opts: ParseOptions = {}): RdbSummary {
  if (!isRdb(bytes)) throw new RdbError("not an RDB file (no REDIS magic and version)", 0);
  const version = Number(dec.decode(bytes.subarray(5, 9)));
  if (version < 1 || version > 10) throw new RdbError(`RDB version ${version} is not supported (1..10)`, 5);
  const inp = new RdbInput(bytes, 9);
  const summary: RdbSummary = { version, aux: {}, keys: new Map(), resize: new Map(), functions: [], moduleAuxSkipped: 0, checksum: 0n };
  let db = 0;
  let expireAt = 0;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const at = inp.pos;
    const op = inp.u8();
    switch (op) {
      case RdbOpcode.Eof: {
        const end = inp.pos;
        if (version >= 5) {
          const stored = inp.i64LE();
          summary.checksum = BigInt.asUintN(64, stored);
          if (summary.checksum !== 0n && opts.verifyChecksum !== false) {
            const actual = crc64(bytes, 0, end);
            if (actual !== summary.checksum)
              throw new RdbError(`checksum mismatch: stored 0x${summary.checksum.toString(16)}, computed 0x${actual.toString(16)}`, end);
          }
        }
        if (inp.pos !== bytes.length) throw new RdbError(`${bytes.length - inp.pos} bytes after the end of the file`, inp.pos);
        return summary;
      }
      case RdbOpcode.SelectDb:
        db = inp.len();
        if (db > 65535) inp.fail(`database ${db} out of range`, at);
        continue;
      case RdbOpcode.ResizeDb:
        summary.resize.set(db, [inp.len(), inp.len()]);
        continue;
      case RdbOpcode.ExpireTimeMs:
        expireAt = Number(inp.i64LE());
        continue;
      case RdbOpcode.ExpireTime:
        expireAt = inp.u32LE() * 1000;
        continue;
      case RdbOpcode.Idle:
        idle = inp.len();
        continue;
      case RdbOpcode.Freq:
        freq = inp.u8();
        continue;
      case RdbOpcode.Aux: {
        const k = inp.text();
        summary.aux[k] = inp.text();
        continue;
      }
      case RdbOpcode.ModuleAux:
        skipModuleAux(inp);
        summary.moduleAuxSkipped++;
        continue;
      case RdbOpcode.Function2:
        summary.functions.push(inp.text());
        continue;
      case RdbOpcode.FunctionPreGa:
        inp.fail("functions saved by a Redis 7.0 release candidate (FUNCTION_PRE_GA) are not supported", at);
    }
    const key = inp.string().slice();
    const v = readValue(inp, op);
    if (expireAt < 0) inp.fail(`negative expiry ${expireAt}`, at);
    visit({ db, key, type: v.type, packed: v.packed, expireAt, idleSeconds: idle, freq });
    summary.keys.set(db, (summary.keys.get(db) ?? 0) + 1);
    expireAt = 0;
    idle = -1;
    freq = -1;
  }
}
