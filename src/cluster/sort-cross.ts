// SORT and SORT_RO when the server runs as several workers.
//
// The choice: BY and GET patterns read keys named by the sorted elements, and those keys may live
// on any worker; STORE's destination may live on another worker than the source. When a call
// has such patterns (BY with a `*` unless nosort, GET other than `#`) or a destination on another
// worker, it runs atomically on a scratch copy (runAtomicOnScratch, as SINTERSTORE over several
// workers): under the gates of every worker, the source and destination are fetched, then every
// key the patterns name for the source's elements, then the real handler runs on the copy and the
// destination is written back to its owner. Any other call goes the usual way (run here or
// forwarded whole to the source's owner). Keys owned by another machine read as missing.
//
// On a Redis Cluster port (--cluster-ports) the node answers as Redis Cluster 7.0 does: BY with a
// pattern and any GET are refused ("ERR BY option of SORT denied in Cluster mode.", "ERR GET
// option of SORT denied in Cluster mode."), once the keys are known to be served here.
import { keyPatterns, parseSortOptions } from "../commands/sort/index.ts";
import { CmdFlag } from "../commands/types.ts";
import { runAtomicOnScratch } from "./multi-key.ts";
import type { CrossHandler } from "./router.ts";
import { keyHashSlot } from "./slots.ts";

/** Runs before the key routing; false lets the router go on as for any command. */
export const sortCross: CrossHandler = (cw, c, entry, argv) => {
  const readonly = (entry.flags & CmdFlag.WRITE) === 0;
  const keys = entry.movableKeys?.(argv) ?? [1];
  const onClusterPort = cw.clusterPort !== 0 && c.localPort === cw.clusterPort;
  if (onClusterPort) {
    const slot = keyHashSlot(argv[1]!);
    if (keys.some((i) => keyHashSlot(argv[i]!) !== slot) || cw.slots.ownerOfSlot(slot) !== cw.index) return false;
    const o = parseSortOptions(argv, readonly, true);
    if (typeof o !== "string") return false;
    c.reply.error(o);
    return true;
  }
  const o = parseSortOptions(argv, readonly, false);
  if (typeof o === "string") return false;
  const owner = cw.slots.ownerOfKey(argv[1]!);
  const split = keys.some((i) => cw.slots.ownerOfKey(argv[i]!) !== owner);
  if (keyPatterns(o).length === 0 && !split) return false;
  if (keys.some((i) => !cw.isWorker(cw.slots.ownerOfKey(argv[i]!)))) return false; // MOVED / CROSSSLOT as usual
  cw.counters.split++;
  runAtomicOnScratch(cw, c, [argv], entry, false);
  return true;
};

export const sortHandlers: Record<string, CrossHandler> = { sort: sortCross, sort_ro: sortCross };
