// A worker process's side of the cluster: read who we are from the supervisor's environment,
// listen for peers on our Unix socket, link to every other worker, and build the router the
// dispatcher consults. Also the INFO "cores" section and the supervisor's IPC messages.

import { unlinkSync } from "node:fs";
import { join } from "node:path";
import type { CommandTable, ServerContext } from "../commands/types.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import type { DurabilityGate } from "../server/connection.ts";
import { PeerLink } from "./peer-link.ts";
import { listenPeers, type Executor } from "./peer-session.ts";
import { attachCluster, nodeId } from "./registry.ts";
import { ClusterRouter } from "./router.ts";
import { machineSlotMap, parsePeers, parseRanges } from "./slots.ts";
import { ENV, type SupervisorMessage, type WorkerMessage } from "./supervisor.ts";
import { WorkerCluster, type ClusterNode } from "./worker-cluster.ts";
import { WorkerLimits } from "./worker-limits.ts";

export interface WorkerIdentity {
  index: number;
  count: number;
  /** The shared port. */
  port: number;
  /** Directory of the workers' Unix sockets. */
  dir: string;
  /** Per-worker cluster ports (empty when off). */
  clusterPorts: number[];
}

/** This process's identity when the supervisor started it, else undefined. */
export function workerIdentity(env: Record<string, string | undefined> = process.env): WorkerIdentity | undefined {
  const index = env[ENV.index];
  if (index === undefined) return undefined;
  const ports = env[ENV.clusterPorts] ?? "";
  return {
    index: Number(index),
    count: Number(env[ENV.count] ?? "1"),
    port: Number(env[ENV.port] ?? "0"),
    dir: env[ENV.dir] ?? "",
    clusterPorts: ports === "" ? [] : ports.split(",").map(Number),
  };
}

export const peerSocketPath = (dir: string, index: number): string => join(dir, `w${index}.sock`);

export interface AttachDeps {
  server: ServerContext;
  keyspace: Keyspace;
  commands: CommandTable;
  /** The router-less dispatcher's run(). */
  exec: Executor;
  /** Host advertised to cluster clients. */
  host: string;
  /** Group commit: replies to peers wait for it like replies to clients. */
  durability?: DurabilityGate | undefined;
  /** Static multi-machine map: this machine's slots ("start-end,...") and the other machines. */
  clusterSlots?: string;
  clusterPeers?: string;
  /** The configured server-wide limits (this worker enforces its share of them). */
  maxclients: number;
  maxmemory: number;
  /** The memory this worker's share of maxmemory is compared with. */
  usedMemory: () => number;
  /** Sets this worker's memory limit (its share; 0 = none). */
  setMemoryLimit: (bytes: number) => void;
  /** Worker 0 with the WAL export: WAL groups the other workers send. */
  onPeerFrames?: ((group: Uint8Array) => void) | undefined;
}

export interface WorkerAttachment {
  cluster: WorkerCluster;
  router: ClusterRouter;
  /** This worker's share of maxclients and maxmemory. */
  limits: WorkerLimits;
  /** Closes the peer listener and links. */
  close(): void;
}

export function attachWorker(id: WorkerIdentity, deps: AttachDeps): WorkerAttachment {
  const host = deps.host === "0.0.0.0" || deps.host === "::" || deps.host === "" ? "127.0.0.1" : deps.host;
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < id.count; i++) {
    const port = id.clusterPorts[i] ?? id.port;
    nodes.push({ id: nodeId(host, port), host, port, worker: i });
  }
  const peers = parsePeers(deps.clusterPeers ?? "");
  for (const p of peers) nodes.push({ id: nodeId(p.host, p.port), host: p.host, port: p.port, worker: -1 });
  const links: (PeerLink | undefined)[] = [];
  for (let i = 0; i < id.count; i++) links.push(i === id.index ? undefined : new PeerLink(i, peerSocketPath(id.dir, i)));
  const cw = new WorkerCluster({
    index: id.index,
    count: id.count,
    slots: machineSlotMap(id.count, parseRanges(deps.clusterSlots ?? "0-16383"), peers),
    links,
    server: deps.server,
    keyspace: deps.keyspace,
    exec: deps.exec,
    nodes,
    clusterPort: id.clusterPorts[id.index] ?? 0,
  });
  const path = peerSocketPath(id.dir, id.index);
  try {
    unlinkSync(path); // left by a worker this one replaces
  } catch {}
  const listener = listenPeers({ path, server: deps.server, keyspace: deps.keyspace, exec: deps.exec, gate: cw.gate, durability: deps.durability, onFrames: deps.onPeerFrames });
  attachCluster(deps.server, cw);
  deps.server.infoProviders.set("cores", () => coresInfo(cw));
  const limits = new WorkerLimits({
    maxclients: deps.maxclients,
    maxmemory: deps.maxmemory,
    clients: () => deps.server.clients.size,
    usedMemory: deps.usedMemory,
    setMemoryLimit: deps.setMemoryLimit,
    send: tellSupervisor,
  });
  const onMessage = (m: SupervisorMessage): void => {
    if (m.t === "restarts") cw.counters.restarts = m.n;
    else limits.onOrder(m);
  };
  process.on("message", onMessage);
  return {
    cluster: cw,
    router: new ClusterRouter(cw, deps.commands),
    limits,
    close() {
      process.off("message", onMessage);
      limits.close();
      listener.stop(true);
      for (const l of links) l?.close();
    },
  };
}

/** Tells the supervisor (if any) something about this worker. */
export function tellSupervisor(m: WorkerMessage): void {
  process.send?.(m);
}

function coresInfo(cw: WorkerCluster): string {
  let requests = 0;
  let writes = 0;
  for (const l of cw.links) {
    requests += l?.requests ?? 0;
    writes += l?.writes ?? 0;
  }
  const k = cw.counters;
  return [
    `workers:${cw.count}`,
    `worker_index:${cw.index}`,
    `worker_pid:${process.pid}`,
    `worker_slots:${cw.slots.rangesOf(cw.index).map((r) => `${r.start}-${r.end}`).join(",")}`,
    `cluster_port:${cw.clusterPort}`,
    `forwarded_commands:${k.forwarded}`,
    `split_commands:${k.split}`,
    `aggregated_commands:${k.aggregated}`,
    `atomic_operations:${k.atomic}`,
    `moved_replies:${k.moved}`,
    `peer_requests_sent:${requests}`,
    `peer_writes:${writes}`,
    `gate_acquisitions:${cw.gate.acquisitions}`,
    `worker_restarts:${k.restarts}`,
  ].join("\r\n");
}
