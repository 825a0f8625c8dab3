// TEMPORARY (not committed): empty-RDB codec to test the stream path before the rdb module lands.
import type { Databases } from "../../engine/databases.ts";
import type { ValueType } from "../../engine/types.ts";

export interface RdbEntryOut { db: number; key: Uint8Array; type: ValueType; packed: Uint8Array; expireAt: number }

export const rdbCodec = {
  write(_d: Databases, _aux: Record<string, string | number>): Uint8Array {
    const head = new TextEncoder().encode("REDIS0010");
    const out = new Uint8Array(head.length + 9);
    out.set(head);
    out[head.length] = 0xff;
    return out;
  },
  dumpPayload(_t: ValueType, _p: Uint8Array): Uint8Array | undefined {
    return undefined;
  },
};

export function readRdbEntries(_b: Uint8Array): RdbEntryOut[] {
  return [];
}
