// ROLE's reply and INFO replication's lines, from a snapshot of the replication state, with
// Redis 7.0's fields (Sentinel reads them: role, master_link_status, slaveN, offsets).
import type { ServerConfig } from "../config/params.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import type { MasterLink } from "./master-link.ts";
import type { ReplBacklog } from "./repl-backlog.ts";

/** One online replica as reported. */
export interface ReplicaRow {
  conn: { readonly remoteAddress: string };
  port: number;
  ackOffset: number;
  ackAt: number;
}

export interface ReplReport {
  masterHost: string | undefined;
  masterPort: number;
  link: MasterLink | undefined;
  replicas: ReadonlySet<ReplicaRow>;
  offset: number;
  replid: string;
  replid2: string;
  secondOffset: number;
  backlog: ReplBacklog | undefined;
  config: ServerConfig;
  failoverState: string;
}

export function writeRole(r: ReplyWriter, s: ReplReport): void {
  if (s.masterHost !== undefined) {
    r.arrayHeader(5);
    r.bulkString("slave");
    r.bulkString(s.masterHost);
    r.integer(s.masterPort);
    r.bulkString(s.link?.roleState ?? "connected");
    r.integer(s.link?.offset ?? -1);
    return;
  }
  r.arrayHeader(3);
  r.bulkString("master");
  r.integer(s.offset);
  r.arrayHeader(s.replicas.size);
  for (const rep of s.replicas) {
    r.arrayHeader(3);
    r.bulkString(rep.conn.remoteAddress);
    r.bulkString(String(rep.port));
    r.bulkString(String(rep.ackOffset));
  }
}

export function infoText(s: ReplReport): string {
  const lines: string[] = [];
  const put = (k: string, v: string | number): void => void lines.push(`${k}:${v}`);
  const off = s.offset;
  if (s.masterHost !== undefined) {
    const link = s.link;
    put("role", "slave");
    put("master_host", s.masterHost);
    put("master_port", s.masterPort);
    put("master_link_status", link?.state === "connected" ? "up" : "down");
    put("master_last_io_seconds_ago", link !== undefined && link.state === "connected" ? Math.floor((Date.now() - link.lastIo) / 1000) : -1);
    put("master_sync_in_progress", link?.state === "sync" ? 1 : 0);
    put("slave_read_repl_offset", off);
    put("slave_repl_offset", off);
    if (link?.state !== "connected") put("master_link_down_since_seconds", link !== undefined ? Math.floor((Date.now() - link.downSince) / 1000) : -1);
    put("slave_priority", 100);
    put("slave_read_only", s.config["replica-read-only"] ? 1 : 0);
    put("replica_announced", 1);
  } else {
    put("role", "master");
  }
  put("connected_slaves", s.replicas.size);
  let i = 0;
  const now = Date.now();
  for (const r of s.replicas) {
    const lag = Math.floor((now - r.ackAt) / 1000);
    put(`slave${i++}`, `ip=${r.conn.remoteAddress},port=${r.port},state=online,offset=${r.ackOffset},lag=${lag}`);
  }
  if (s.masterHost === undefined && s.config["min-replicas-to-write"] > 0) {
    const lagMs = s.config["min-replicas-max-lag"] * 1000;
    let good = 0;
    for (const r of s.replicas) if (now - r.ackAt <= lagMs) good++;
    put("min_slaves_good_slaves", good);
  }
  put("master_failover_state", s.failoverState);
  put("master_replid", s.replid);
  put("master_replid2", s.replid2);
  put("master_repl_offset", off);
  put("second_repl_offset", s.secondOffset);
  const b = s.backlog;
  put("repl_backlog_active", b !== undefined ? 1 : 0);
  put("repl_backlog_size", s.config["repl-backlog-size"]);
  put("repl_backlog_first_byte_offset", b !== undefined ? b.firstByteOffset : 0);
  put("repl_backlog_histlen", b?.historyBytes ?? 0);
  return lines.join("\r\n") + "\r\n";
}
