// The embedded Cache's foundation: its keyspace and how keys and values given as strings or bytes
// become bytes (UTF-8 into reused scratch buffers; a key's hash computed in the same pass).
// src/cache-collections.ts adds the collection families on top, src/cache.ts the rest.
import { Utf8Scratch, hashBytes } from "./engine/bytes.ts";
import type { Keyspace } from "./engine/keyspace.ts";
import { Status } from "./engine/types.ts";

export type CacheKey = string | Uint8Array;
export type CacheValue = string | Uint8Array;

export abstract class CacheBase {
  protected readonly keyScratch = new Utf8Scratch();
  protected readonly valueScratch = new Utf8Scratch();

  constructor(protected readonly ks: Keyspace) {}

  /** `hashBytes` of the key `keyBytes` returned last. */
  protected keyHash = 0;

  /** The key as bytes; also sets `keyHash` (computed in the same pass for string keys). */
  protected keyBytes(key: CacheKey): Uint8Array {
    if (typeof key === "string") {
      const k = this.keyScratch.encodeHashed(key);
      this.keyHash = this.keyScratch.hash;
      return k;
    }
    if (key instanceof Uint8Array) {
      this.keyHash = hashBytes(key);
      return key;
    }
    throw new TypeError(`key must be a string or Uint8Array, got ${describe(key)}`);
  }

  protected valueBytes(value: CacheValue): Uint8Array {
    if (typeof value === "string") return this.valueScratch.encode(value);
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`value must be a string or Uint8Array, got ${describe(value)}`);
  }
}

export function outOfMemory(st: Status): RangeError {
  if (st === Status.TooLarge) return new RangeError("value is larger than maxMemory allows for one entry");
  return new RangeError("out of memory: the entry does not fit in maxMemory/maxEntries and eviction is 'noeviction'");
}

export const describe = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

