// After a restart with a different number of workers, keys sit in the wrong shard's files:
// worker i recovered shard i, which may hold keys of slots now owned by others, and shards
// numbered ≥ N have no worker at all. Before a worker reports ready it (1) waits until every
// peer finished loading, (2) sends each foreign key to its owner (stored only if the owner has no
// newer value) and deletes it here once the owners made the copies durable, and (3) if it is the
// heir of an orphan shard (shard j goes to worker j mod N), loads that shard into a scratch
// keyspace, hands every key to its owner the same way, and removes the orphan's files.

import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Databases } from "../engine/databases.ts";
import { Keyspace } from "../engine/keyspace.ts";
import { restoreValue } from "../engine/compound/codecs.ts";
import { Persistence } from "../persistence/index.ts";
import { fsyncDir } from "../persistence/io.ts";
import { ERR_PEER_DOWN } from "./peer-link.ts";
import { firstError, isError } from "./reply-reader.ts";
import type { WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const DBSIZE = [enc.encode("dbsize")];
const RESTORE = enc.encode("__restore");
const NX = enc.encode("nx");
const SYNC = [enc.encode("__sync")];
const LOADING = enc.encode("-LOADING");
const LINK_LOST = enc.encode(ERR_PEER_DOWN.slice(0, 20));

export interface RebalanceOptions {
  /** The data directory (shared by all workers' shards). */
  dir: string;
  /** This worker's own durability (its copy of moved keys counts only once synced). */
  durable: () => Promise<void>;
  log: (line: string) => void;
  /** Longest wait for peers to finish loading. @default 120000 */
  timeoutMs?: number;
}

export interface RebalanceResult {
  /** Keys of this worker's shard sent to their owners. */
  moved: number;
  /** Orphan shards taken over, and the keys they held. */
  orphans: number[];
  orphanKeys: number;
}

const ask = (cw: WorkerCluster, owner: number, argv: Uint8Array[], db = 0): Promise<Uint8Array> =>
  new Promise((resolve) => cw.ask(owner, argv, 2, (r) => resolve(r.slice()), db));

const startsWith = (b: Uint8Array, p: Uint8Array): boolean => p.every((x, i) => b[i] === x);

async function waitPeersLoaded(cw: WorkerCluster, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (let w = 0; w < cw.count; w++) {
    if (w === cw.index) continue;
    for (;;) {
      const r = await ask(cw, w, DBSIZE);
      if (!isError(r, 0)) break;
      // -LOADING, or the link dropped (the peer restarted): ask again.
      if (!startsWith(r, LOADING) && !startsWith(r, LINK_LOST)) break;
      if (Date.now() > end) throw new Error(`worker ${w} did not finish loading within ${timeoutMs} ms`);
      await Bun.sleep(50);
    }
  }
}

/** Sends every key of database `db` (`ks`) for which `pick` holds to its owner; resolves with the keys sent. */
async function handOver(cw: WorkerCluster, ks: Keyspace, db: number, pick: (owner: number) => boolean): Promise<Uint8Array[]> {
  const sent: Promise<Uint8Array>[] = [];
  const keys: Uint8Array[] = [];
  const owners = new Set<number>();
  let cursor = 0;
  do {
    cursor = ks.scan(cursor, 1024, (slot) => {
      const key = ks.keyView(slot).slice();
      const owner = cw.slots.ownerOfKey(key);
      if (!pick(owner)) return;
      const argv = [RESTORE, key, enc.encode(String(ks.typeOf(slot))), ks.serializedValue(slot).slice(), enc.encode(String(ks.expireAt(slot))), NX];
      keys.push(key);
      owners.add(owner);
      sent.push(ask(cw, owner, argv, db));
    });
  } while (cursor !== 0);
  const replies = await Promise.all(sent);
  const failed = firstError(replies);
  if (failed !== undefined) throw new Error(`moving keys to their owners failed: ${new TextDecoder().decode(failed).trim()}`);
  // The owners' copies must be durable before the originals go.
  await Promise.all([...owners].map((o) => (o === cw.index ? Promise.resolve(enc.encode("+OK")) : ask(cw, o, SYNC))));
  return keys;
}

/** Loads shard `shard`'s files (read only: no WAL of its own) into scratch databases. */
async function readShard(dir: string, shard: number, databases: number, log: (l: string) => void): Promise<{ scratch: Databases; p: Persistence }> {
  const scratch = new Databases(new Keyspace(), databases, (db) => new Keyspace({ db }));
  const p = new Persistence({ dir, shard, appendonly: false, snapshotEverySeconds: 0, log });
  await p.open(scratch);
  return { scratch, p };
}

/** Deletes a shard's WAL segments, snapshots and lock file once its keys are safe elsewhere. */
function removeShardFiles(dir: string, shard: number): void {
  const id = String(shard).padStart(5, "0");
  for (const n of readdirSync(dir)) {
    if (new RegExp(`^(?:wal|snap)-s${id}-|^s${id}\\.lock$`).test(n)) rmSync(join(dir, n), { force: true });
  }
  fsyncDir(dir);
}

/**
 * One process (`--workers 1`) started on a directory that several workers wrote: every other
 * shard's keys are loaded into `into` (a key already there is kept: it is the newer one), made
 * durable, and the shard's files removed, so nothing a worker wrote is left behind unread.
 */
export async function absorbShards(into: Databases, o: Omit<RebalanceOptions, "timeoutMs">): Promise<{ shards: number[]; keys: number }> {
  const result = { shards: [] as number[], keys: 0 };
  for (const shard of shardsOnDisk(o.dir).filter((s) => s !== 0)) {
    const { scratch, p } = await readShard(o.dir, shard, into.count, o.log);
    let keys = 0;
    scratch.each((db, ks) => {
      const target = into.at(db);
      let cursor = 0;
      do {
        cursor = ks.scan(cursor, 1024, (slot) => {
          const key = ks.keyView(slot);
          if (target.peek(key) >= 0) return;
          restoreValue(target, key.slice(), ks.typeOf(slot), ks.serializedValue(slot).slice(), ks.expireAt(slot));
          keys++;
        });
      } while (cursor !== 0);
    });
    await o.durable();
    await p.close({ save: false });
    removeShardFiles(o.dir, shard);
    result.shards.push(shard);
    result.keys += keys;
    o.log(`took over shard ${shard} (written by a worker of an earlier run with more workers): ${keys} keys loaded`);
  }
  return result;
}

/** Shard numbers that have files in `dir`. */
function shardsOnDisk(dir: string): number[] {
  const out = new Set<number>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const n of names) {
    const m = /^(?:wal|snap)-s(\d{5})-/.exec(n);
    if (m) out.add(Number(m[1]));
  }
  return [...out].sort((a, b) => a - b);
}

export async function rebalance(cw: WorkerCluster, o: RebalanceOptions): Promise<RebalanceResult> {
  const result: RebalanceResult = { moved: 0, orphans: [], orphanKeys: 0 };
  const orphans = shardsOnDisk(o.dir).filter((s) => s >= cw.count && s % cw.count === cw.index);
  let foreign = false;
  const dbs: [number, Keyspace][] = [];
  cw.server.databases.each((db, ks) => void dbs.push([db, ks]));
  for (const [, ks] of dbs) {
    let cursor = 0;
    do {
      cursor = ks.scan(cursor, 4096, (slot) => {
        const owner = cw.slots.ownerOfKey(ks.keyView(slot));
        if (owner !== cw.index && cw.isWorker(owner)) foreign = true;
      });
    } while (cursor !== 0 && !foreign);
  }
  if (!foreign && orphans.length === 0) return result;

  await waitPeersLoaded(cw, o.timeoutMs ?? 120_000);
  if (foreign) {
    // Keys of another machine's slots stay where they are (nothing here can take them).
    for (const [db, ks] of dbs) {
      const moved = await handOver(cw, ks, db, (owner) => owner !== cw.index && cw.isWorker(owner));
      for (const k of moved) ks.delete(k);
      result.moved += moved.length;
    }
    await o.durable();
    o.log(`worker ${cw.index}: moved ${result.moved} keys to the workers that own their slots now`);
  }
  for (const shard of orphans) {
    const { scratch, p } = await readShard(o.dir, shard, cw.server.databases.count, o.log);
    const keys: Uint8Array[] = [];
    const held: [number, Keyspace][] = [];
    scratch.each((db, ks) => void held.push([db, ks]));
    for (const [db, ks] of held) keys.push(...(await handOver(cw, ks, db, (owner) => cw.isWorker(owner))));
    await o.durable();
    await p.close({ save: false });
    removeShardFiles(o.dir, shard);
    result.orphans.push(shard);
    result.orphanKeys += keys.length;
    o.log(`worker ${cw.index}: took over shard ${shard} (no worker for it now): ${keys.length} keys moved to their owners`);
  }
  return result;
}
