// CLUSTER SLOTS | SHARDS | NODES | KEYSLOT | COUNTKEYSINSLOT | GETKEYSINSLOT | INFO | MYID | HELP:
// the slot map of the workers (each on its own cluster port) described the way Redis Cluster
// does, so cluster-aware clients can talk to each owner directly. Without cluster ports the
// instance answers like a Redis with cluster support disabled.

import { keyHashSlot, SLOT_COUNT } from "../protocol/key-slot.ts";
import { ERR_NOT_INTEGER } from "../protocol/errors.ts";
import { parseInt64 } from "./args.ts";
import { defineCommand } from "./define.ts";
import { CmdFlag, type Args, type Client, type ClusterView } from "./types.ts";

export const ERR_CLUSTER_DISABLED = "ERR This instance has cluster support disabled";
export const ERR_INVALID_SLOT = "ERR Invalid slot";
export const ERR_INVALID_COUNT = "ERR Invalid number of keys";

const { LOADING, STALE, NOSCRIPT } = CmdFlag;

/** The cluster when cluster ports are on, else replies the disabled error. */
function clusterOrReply(c: Client): ClusterView | undefined {
  const cw = c.server.cluster;
  if (cw === undefined || cw.clusterPort === 0) {
    c.reply.error(ERR_CLUSTER_DISABLED);
    return undefined;
  }
  return cw;
}

function slotArgOrReply(c: Client, a: Uint8Array): number | undefined {
  const n = parseInt64(a);
  if (!Number.isInteger(n)) {
    c.reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  if (n < 0 || n >= SLOT_COUNT) {
    c.reply.error(ERR_INVALID_SLOT);
    return undefined;
  }
  return n;
}

/** Owners in slot order, with their ranges. */
function ownersWithRanges(cw: ClusterView): { owner: number; ranges: readonly { start: number; end: number }[] }[] {
  return cw.nodes.map((_n, owner) => ({ owner, ranges: cw.slots.rangesOf(owner) }));
}

// CLUSTER SLOTS: [start, end, [host, port, id, []]] per range, in slot order.
function cmdSlots(c: Client): void {
  const cw = clusterOrReply(c);
  if (cw === undefined) return;
  const rows: { start: number; end: number; owner: number }[] = [];
  for (const { owner, ranges } of ownersWithRanges(cw)) for (const r of ranges) rows.push({ ...r, owner });
  rows.sort((a, b) => a.start - b.start);
  const r = c.reply;
  r.arrayHeader(rows.length);
  for (const row of rows) {
    const node = cw.nodes[row.owner]!;
    r.arrayHeader(3);
    r.integer(row.start);
    r.integer(row.end);
    r.arrayHeader(4);
    r.bulkString(node.host);
    r.integer(node.port);
    r.bulkString(node.id);
    r.arrayHeader(0);
  }
}

// CLUSTER SHARDS: one map per node: slots (flat start/end pairs) and nodes (one master each).
function cmdShards(c: Client): void {
  const cw = clusterOrReply(c);
  if (cw === undefined) return;
  const r = c.reply;
  const owners = ownersWithRanges(cw);
  r.arrayHeader(owners.length);
  for (const { owner, ranges } of owners) {
    const node = cw.nodes[owner]!;
    r.mapHeader(2);
    r.bulkString("slots");
    r.arrayHeader(ranges.length * 2);
    for (const s of ranges) {
      r.integer(s.start);
      r.integer(s.end);
    }
    r.bulkString("nodes");
    r.arrayHeader(1);
    r.mapHeader(7);
    r.bulkString("id");
    r.bulkString(node.id);
    r.bulkString("port");
    r.integer(node.port);
    r.bulkString("ip");
    r.bulkString(node.host);
    r.bulkString("endpoint");
    r.bulkString(node.host);
    r.bulkString("role");
    r.bulkString("master");
    r.bulkString("replication-offset");
    r.integer(0);
    r.bulkString("health");
    r.bulkString("online");
  }
}

/** The CLUSTER NODES text (one line per node, Redis's format). */
export function clusterNodesText(cw: ClusterView): string {
  let out = "";
  cw.nodes.forEach((node, owner) => {
    const flags = owner === cw.index ? "myself,master" : "master";
    const slots = cw.slots
      .rangesOf(owner)
      .map((s) => (s.start === s.end ? `${s.start}` : `${s.start}-${s.end}`))
      .join(" ");
    out += `${node.id} ${node.host}:${node.port}@${node.port + 10000} ${flags} - 0 0 ${owner + 1} connected${slots ? ` ${slots}` : ""}\n`;
  });
  return out;
}

// CLUSTER NODES
function cmdNodes(c: Client): void {
  const cw = clusterOrReply(c);
  if (cw !== undefined) c.reply.verbatim(clusterNodesText(cw));
}

// CLUSTER KEYSLOT key
function cmdKeyslot(c: Client, argv: Args): void {
  if (clusterOrReply(c) !== undefined) c.reply.integer(keyHashSlot(argv[2]!));
}

/** Local keys in `slot`, at most `limit`. */
function keysInSlot(c: Client, slot: number, limit: number): Uint8Array[] {
  const db = c.db;
  const out: Uint8Array[] = [];
  let cursor = 0;
  do {
    cursor = db.scan(cursor, 1024, (s) => {
      if (out.length >= limit) return;
      const k = db.keyView(s);
      if (keyHashSlot(k) === slot) out.push(k.slice());
    });
  } while (cursor !== 0 && out.length < limit);
  return out;
}

// CLUSTER COUNTKEYSINSLOT slot
function cmdCountKeys(c: Client, argv: Args): void {
  if (clusterOrReply(c) === undefined) return;
  const slot = slotArgOrReply(c, argv[2]!);
  if (slot !== undefined) c.reply.integer(keysInSlot(c, slot, Number.MAX_SAFE_INTEGER).length);
}

// CLUSTER GETKEYSINSLOT slot count
function cmdGetKeys(c: Client, argv: Args): void {
  if (clusterOrReply(c) === undefined) return;
  const slot = slotArgOrReply(c, argv[2]!);
  if (slot === undefined) return;
  const count = parseInt64(argv[3]!);
  if (!Number.isInteger(count) || count < 0) return c.reply.error(ERR_INVALID_COUNT);
  const keys = keysInSlot(c, slot, count);
  c.reply.arrayHeader(keys.length);
  for (const k of keys) c.reply.bulk(k);
}

// CLUSTER INFO
function cmdInfo(c: Client): void {
  const cw = clusterOrReply(c);
  if (cw === undefined) return;
  const assigned = cw.slots.assigned();
  const n = cw.nodes.length;
  const fields: [string, string | number][] = [
    ["cluster_state", assigned === SLOT_COUNT ? "ok" : "fail"],
    ["cluster_slots_assigned", assigned],
    ["cluster_slots_ok", assigned],
    ["cluster_slots_pfail", 0],
    ["cluster_slots_fail", 0],
    ["cluster_known_nodes", n],
    ["cluster_size", n],
    ["cluster_current_epoch", n],
    ["cluster_my_epoch", cw.index + 1],
    ["cluster_stats_messages_sent", 0],
    ["cluster_stats_messages_received", 0],
    ["total_cluster_links_buffer_limit_exceeded", 0],
  ];
  c.reply.verbatim(fields.map(([k, v]) => `${k}:${v}\r\n`).join(""));
}

// CLUSTER MYID
function cmdMyid(c: Client): void {
  const cw = clusterOrReply(c);
  if (cw !== undefined) c.reply.bulkString(cw.nodes[cw.index]!.id);
}

const HELP = [
  "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "COUNTKEYSINSLOT <slot>",
  "    Return the number of keys in <slot>.",
  "GETKEYSINSLOT <slot> <count>",
  "    Return key names stored by current node in a slot.",
  "INFO",
  "    Return information about the cluster.",
  "KEYSLOT <key>",
  "    Return the hash slot for <key>.",
  "MYID",
  "    Return the node id.",
  "NODES",
  "    Return cluster configuration seen by node. Output format:",
  "    <id> <ip:port@bus-port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
  "SHARDS",
  "    Return information about slot range mappings and the nodes associated with them.",
  "SLOTS",
  "    Return information about slots range mappings. Each range is made of:",
  "    start, end, master and replicas IP addresses, ports and ids",
  "HELP",
  "    Print this help.",
];

const CLUSTER_CAT = ["slow"] as const;
const sub = (name: string, arity: number, handler: (c: Client, argv: Args) => void, summary: string) =>
  defineCommand({ name: `cluster|${name}`, arity, flags: LOADING | STALE, categories: CLUSTER_CAT, summary, since: "3.0.0", handler });

export const clusterCommands = [
  defineCommand({
    name: "cluster",
    arity: -2,
    flags: 0,
    categories: CLUSTER_CAT,
    summary: "A container for Redis Cluster commands.",
    since: "3.0.0",
    subcommands: [
      sub("slots", 2, cmdSlots, "Returns the mapping of cluster slots to nodes."),
      sub("shards", 2, cmdShards, "Returns the mapping of cluster slots to shards."),
      sub("nodes", 2, cmdNodes, "Returns the cluster configuration for a node."),
      sub("keyslot", 3, cmdKeyslot, "Returns the hash slot for a key."),
      sub("countkeysinslot", 3, cmdCountKeys, "Returns the number of keys in a hash slot."),
      sub("getkeysinslot", 4, cmdGetKeys, "Returns the key names in a hash slot."),
      sub("info", 2, cmdInfo, "Returns information about the state of a node."),
      sub("myid", 2, cmdMyid, "Returns the ID of a node."),
      defineCommand({ name: "cluster|help", arity: 2, flags: LOADING | STALE | NOSCRIPT, categories: CLUSTER_CAT,
        summary: "Returns helpful text about the different subcommands.", since: "5.0.0",
        handler: (c) => c.reply.stringArray(HELP) }),
    ],
  }),
];
