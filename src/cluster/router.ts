// Routing, called by the dispatcher for every command once lookup, arity and auth passed (only
// when the server runs as one of several workers; a single worker has no router at all).
//
//   keys all on this worker        → run here (return false)
//   keys all on one other worker   → forwarded whole, reply spliced in place (hold)
//   keys on several workers        → split and merged (MGET, DEL...), or run atomically under
//                                    the gates of every worker involved (MSET, RENAME, COPY...)
//   keyless whole-keyspace command → asked of every worker and merged (DBSIZE, KEYS, SCAN...)
//   on a cluster port              → Redis Cluster rules: -MOVED / -CROSSSLOT, nothing forwarded

import { CmdFlag, type Args, type Client, type CommandEntry, type CommandTable } from "../commands/types.ts";
import { aggregateHandlers } from "./aggregate.ts";
import { splitHandlers, runAtomicOnScratch } from "./multi-key.ts";
import { keyHashSlot } from "./slots.ts";
import { sortHandlers } from "./sort-cross.ts";
import type { HoldingClient, WorkerCluster } from "./worker-cluster.ts";

export const ERR_CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
export const ERR_MOVED = (slot: number, host: string, port: number): string => `MOVED ${slot} ${host}:${port}`;
export const ERR_CLUSTERDOWN = "CLUSTERDOWN Hash slot not served";

/** A cross-worker strategy: replies through the client's hold; false = let the owner run it. */
export type CrossHandler = (cw: WorkerCluster, c: HoldingClient, entry: CommandEntry, argv: Args) => boolean;

export interface Router {
  /** True when the command was taken care of (forwarded, split, aggregated or refused). */
  route(c: Client, entry: CommandEntry, argv: Args): boolean;
}

export class ClusterRouter implements Router {
  private readonly split = new Map<CommandEntry, CrossHandler>();
  private readonly aggregate = new Map<CommandEntry, CrossHandler>();
  /** Commands that decide from their arguments before the key routing (SORT's patterns). */
  private readonly before = new Map<CommandEntry, CrossHandler>();

  constructor(
    private readonly cw: WorkerCluster,
    table: CommandTable,
  ) {
    for (const [name, fn] of Object.entries(splitHandlers)) {
      const e = table.get(name);
      if (e !== undefined) this.split.set(e, fn);
    }
    for (const [name, fn] of Object.entries(sortHandlers)) {
      const e = table.get(name);
      if (e !== undefined) this.before.set(e, fn);
    }
    for (const [name, fn] of Object.entries(aggregateHandlers)) {
      const [top, sub] = name.split("|");
      const e = table.get(top!);
      if (e === undefined) continue;
      const target = sub === undefined ? e : e.subcommands?.find((s) => s.name === name);
      if (target !== undefined) this.aggregate.set(target, fn);
    }
  }

  /**
   * Inside MULTI on a cluster port, a command is checked when it is queued, as Redis Cluster
   * does: true when it got -MOVED or -CROSSSLOT (the transaction will abort).
   */
  refusesQueued(c: Client, entry: CommandEntry, argv: Args): boolean {
    const cw = this.cw;
    if (cw.clusterPort === 0 || c.localPort !== cw.clusterPort || ((entry.firstKey === 0 || entry.firstKey >= argv.length) && entry.movableKeys === undefined)) return false;
    return this.route(c, entry, argv, true);
  }

  route(c: Client, entry: CommandEntry, argv: Args, queued = false): boolean {
    const cw = this.cw;
    // Keys found by parsing (EVAL's numkeys): none means a keyless call, run here.
    const moved = entry.movableKeys?.(argv);
    const first = moved !== undefined ? (moved.length > 0 ? moved[0]! : 0) : entry.firstKey;
    const onClusterPort = cw.clusterPort !== 0 && c.localPort === cw.clusterPort;
    if (first === 0 || first >= argv.length) {
      if (onClusterPort) return false; // a cluster node answers for itself
      const agg = this.aggregate.get(entry);
      if (agg === undefined) return false;
      cw.counters.aggregated++;
      return agg(cw, c as HoldingClient, entry, argv);
    }
    const pre = this.before.get(entry);
    // (Not while queueing: SORT's option errors come at EXEC, they do not abort the transaction.)
    if (pre !== undefined && !queued && pre(cw, c as HoldingClient, entry, argv)) return true;
    const slots = cw.slots;
    const step = entry.step > 0 ? entry.step : 1;
    let last = entry.lastKey < 0 ? argv.length + entry.lastKey : entry.lastKey;
    if (last >= argv.length) last = argv.length - 1;
    const slot = keyHashSlot(argv[first]!);
    const owner = slots.ownerOfSlot(slot);
    let mixed = false;
    let sameSlot = true;
    let external = !cw.isWorker(owner);
    for (let n = 1, i = first + step; moved !== undefined ? n < moved.length : i <= last; n++, i += step) {
      const s = keyHashSlot(argv[moved !== undefined ? moved[n]! : i]!);
      if (s !== slot) {
        sameSlot = false;
        const o = slots.ownerOfSlot(s);
        if (o !== owner) mixed = true;
        if (!cw.isWorker(o)) external = true;
      }
    }
    // Cluster ports answer like a Redis Cluster node; keys of another machine go there.
    if (onClusterPort || external) {
      if (!sameSlot) {
        c.reply.error(ERR_CROSSSLOT);
        return true;
      }
      if (owner === cw.index) return false;
      const node = cw.nodes[owner];
      cw.counters.moved++;
      c.reply.error(node === undefined ? ERR_CLUSTERDOWN : ERR_MOVED(slot, node.host, node.port));
      return true;
    }
    // A blocking command waits here, on its client's worker, whatever owns its keys (the blocked-
    // clients service asks the owners through src/cluster/blocking-remote.ts): a request that
    // waits must never hold up a peer link.
    if ((entry.flags & CmdFlag.BLOCKING) !== 0 && (entry.mayBlock?.(argv) ?? true)) return false;
    if (!mixed) {
      if (owner === cw.index) return false;
      cw.counters.forwarded++;
      const hold = (c as HoldingClient).hold(c.replyMode !== "on");
      cw.links[owner]!.send(argv, c.reply.resp, hold, c.dbIndex);
      return true;
    }
    cw.counters.split++;
    const fn = this.split.get(entry);
    if (fn !== undefined) return fn(cw, c as HoldingClient, entry, argv);
    // Any other command over several workers runs atomically on a scratch copy of its keys.
    runAtomicOnScratch(cw, c as HoldingClient, [argv], entry, false);
    return true;
  }
}
