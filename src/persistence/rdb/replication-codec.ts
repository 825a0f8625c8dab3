// What replication needs of RDB files: the data as one file (a full sync), several workers'
// files joined into one, a DUMP payload of a packed value (RESTORE in the stream), and every
// entry of a received file, checked as it arrives and whole before anything is replaced.
import type { Databases } from "../../engine/databases.ts";
import type { ValueType } from "../../engine/types.ts";
import { Crc64 } from "./crc64.ts";
import { dumpPacked } from "./dump-payload.ts";
import { RdbInput } from "./rdb-input.ts";
import { RdbParser } from "./rdb-reader.ts";
import { RdbError, RdbOpcode, type RdbEntry } from "./rdb-types.ts";
import { RdbWriter, writeRdb } from "./rdb-writer.ts";

export type RdbEntryOut = RdbEntry;

/** Where the keys of a file start: after "REDIS00nn" and its AUX fields. */
function bodyStart(file: Uint8Array): number {
  const inp = new RdbInput(file, 9);
  while (inp.pos < file.length && file[inp.pos] === RdbOpcode.Aux) {
    inp.pos++;
    inp.string();
    inp.string();
  }
  return inp.pos;
}

export const rdbCodec = {
  write(databases: Databases, aux: Record<string, string | number>): Uint8Array {
    return writeRdb(databases, { aux });
  },

  /** The file in pieces (64 KiB) while the data changes; `skip` leaves keys out (sync-walk.ts). */
  walker(databases: Databases, aux: Record<string, string | number>, skip: (db: number, key: Uint8Array) => boolean): RdbWriter {
    return new RdbWriter(databases, { aux, skip, chunkBytes: 64 * 1024 });
  },

  /**
   * One file of several: the first file's header and AUX fields, then every file's keys (each
   * part selects its own databases), EOF and a CRC64 of the whole.
   */
  join(files: readonly Uint8Array[]): Uint8Array {
    const parts: Uint8Array[] = [];
    files.forEach((f, i) => {
      if (f.length < 18 || f[f.length - 9] !== RdbOpcode.Eof) throw new RdbError("a worker's RDB file does not end with EOF", f.length);
      parts.push(f.subarray(i === 0 ? 0 : bodyStart(f), f.length - 9));
    });
    let n = 9;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    out[at] = RdbOpcode.Eof;
    out.set(new Crc64().update(out, 0, at + 1).bytesLE(), at + 1);
    return out;
  },

  dumpPayload(type: ValueType, packed: Uint8Array): Uint8Array {
    return dumpPacked(type, packed);
  },
};

/**
 * A file as it arrives (a full sync): `feed` checks each piece (throws RdbError on a corrupt
 * file), `end` checks the end of the file and gives every entry, before anything was replaced.
 */
export function rdbEntryReader(): { feed(bytes: Uint8Array): void; end(): RdbEntryOut[] } {
  const entries: RdbEntryOut[] = [];
  const parser = new RdbParser((e) => entries.push(e)); // each entry owns its key and value bytes
  return {
    feed: (bytes) => parser.feed(bytes),
    end: () => {
      parser.end();
      return entries;
    },
  };
}
