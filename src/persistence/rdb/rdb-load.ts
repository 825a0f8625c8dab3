// loadRdb: an RDB file into a KeyspaceSet, never half-loaded: the whole file is parsed and checked
// (structure, CRC64 when not 0) into a list of entries first, then stored. Keys already expired are
// skipped, as Redis does when it loads as a primary; `owns` keeps only this worker's keys.
import { restoreValue } from "../../engine/compound/codecs.ts";
import { Status } from "../../engine/types.ts";
import type { KeyspaceSet } from "../keyspace-set.ts";
import { parseRdb } from "./rdb-reader.ts";
import type { RdbEntry, RdbSummary } from "./rdb-types.ts";

export interface RdbLoadOptions {
  /** The clock for expiry. @default Date.now() */
  now?: number;
  /** Keeps a key when true (this worker's shards); every key when absent. */
  owns?: (key: Uint8Array) => boolean;
}

export interface RdbLoadResult extends RdbSummary {
  /** Keys stored. */
  loaded: number;
  /** Keys skipped because they had expired. */
  expired: number;
  /** Keys skipped because another worker owns them. */
  notOwned: number;
}

export function loadRdb(set: KeyspaceSet, bytes: Uint8Array, opts: RdbLoadOptions = {}): RdbLoadResult {
  const now = opts.now ?? Date.now();
  const keep: RdbEntry[] = [];
  let expired = 0;
  let notOwned = 0;
  const summary = parseRdb(bytes, (e) => {
    if (e.expireAt !== 0 && e.expireAt <= now) expired++;
    else if (opts.owns !== undefined && !opts.owns(e.key)) notOwned++;
    else keep.push(e);
  });
  let loaded = 0;
  for (const e of keep) {
    const ks = set.at(e.db);
    if (ks.peek(e.key) >= 0) ks.delete(e.key);
    const st = restoreValue(ks, e.key, e.type, e.packed, e.expireAt);
    if (st !== Status.Ok) throw new Error(`RDB: key could not be stored (status ${st}; maxmemory too small for the file?)`);
    loaded++;
  }
  return { ...summary, loaded, expired, notOwned };
}
