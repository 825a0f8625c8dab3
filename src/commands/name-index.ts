// Command lookup by name bytes, shared by the dispatcher and redis.call in scripts.
import type { CommandEntry, CommandTable } from "./types.ts";

/** Longer names are no command's (and are not hashed). */
const MAX_NAME_LEN = 64;

/**
 * Case-insensitive lookup of command names straight from argument bytes: an open-addressing
 * table keyed by an FNV-1a hash of the lower-cased bytes, so dispatch builds no string.
 */
export class NameIndex<T> {
  private readonly names: (Uint8Array | undefined)[];
  private readonly values: (T | undefined)[];
  private readonly mask: number;

  constructor(pairs: Iterable<readonly [string, T]>) {
    const list = [...pairs];
    let size = 16;
    while (size < list.length * 4) size *= 2;
    this.names = new Array<Uint8Array | undefined>(size).fill(undefined);
    this.values = new Array<T | undefined>(size).fill(undefined);
    this.mask = size - 1;
    for (const [name, value] of list) {
      const b = new TextEncoder().encode(name.toLowerCase());
      let i = NameIndex.hash(b) & this.mask;
      while (this.names[i] !== undefined) i = (i + 1) & this.mask;
      this.names[i] = b;
      this.values[i] = value;
    }
  }

  private static hash(b: Uint8Array): number {
    let h = 2166136261 ^ b.length;
    for (let i = 0; i < b.length; i++) {
      let c = b[i]!;
      if (c >= 65 && c <= 90) c += 32;
      h = Math.imul(h ^ c, 16777619);
    }
    return h >>> 0;
  }

  get(b: Uint8Array): T | undefined {
    const n = b.length;
    if (n === 0 || n > MAX_NAME_LEN) return undefined;
    const names = this.names;
    let i = NameIndex.hash(b) & this.mask;
    for (;;) {
      const name = names[i];
      if (name === undefined) return undefined;
      if (name.length === n) {
        let k = 0;
        for (; k < n; k++) {
          let c = b[k]!;
          if (c >= 65 && c <= 90) c += 32;
          if (c !== name[k]) break;
        }
        if (k === n) return this.values[i];
      }
      i = (i + 1) & this.mask;
    }
  }
}

const tables = new WeakMap<CommandTable, NameIndex<CommandEntry>>();

/** The byte-keyed index of a table's top-level commands, built once per table (redis.call, CLIENT PAUSE). */
export function commandIndex(table: CommandTable): NameIndex<CommandEntry> {
  let idx = tables.get(table);
  if (idx === undefined) tables.set(table, (idx = new NameIndex(table.all().map((e) => [e.name, e] as const))));
  return idx;
}
