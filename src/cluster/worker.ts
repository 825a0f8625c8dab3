// A worker process's side of the cluster: read who we are from the supervisor's environment,
// listen for peers on our Unix socket, link to every other worker, and build the router the
// dispatcher consults. Also the INFO "cores" section and the supervisor's IPC messages.

import { attachNotifyRemote } from "./notify-remote.ts";
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import type { WorkerAttachDeps, WorkerIdentity, WorkerSide } from "../server/worker-plug.ts";
import { RemoteWaits } from "./blocking-remote.ts";
import { PeerLink } from "./peer-link.ts";
import { listenPeers, type Executor } from "./peer-session.ts";
import { KeyInterest } from "./key-interest.ts";
import type { HoldingClient } from "./worker-cluster.ts";
import { remoteKeys } from "../commands/key-changes.ts";
import { attachCluster, nodeId } from "./registry.ts";
import { ClusterRouter } from "./router.ts";
import { machineSlotMap, parsePeers, parseRanges } from "./slots.ts";
import { ENV, type SupervisorMessage, type WorkerMessage } from "./supervisor.ts";
import { WorkerCluster, type ClusterNode } from "./worker-cluster.ts";
import { WorkerLimits } from "./worker-limits.ts";

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

export type { WorkerIdentity } from "../server/worker-plug.ts";

/** The internal request that carries a WAL group to worker 0 (peer-session.ts runs it). */
const FRAMES = new TextEncoder().encode("__frames");

export const peerSocketPath = (dir: string, index: number): string => join(dir, `w${index}.sock`);

export type AttachDeps = WorkerAttachDeps;

export interface WorkerAttachment extends WorkerSide {
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
  const remoteWaits = new RemoteWaits(cw, deps.blocking);
  deps.blocking.remote = remoteWaits;
  deps.blocking.gate = cw.gate;
  links.forEach((l, i) => {
    if (l !== undefined) l.onReconnect = () => remoteWaits.ownerRestarted(i);
  });
  const keyInterest = new KeyInterest(cw);
  remoteKeys.ask = (db, key) => keyInterest.ask(db, key);
  remoteKeys.watch = (c, db, keys) => keyInterest.watch(c as HoldingClient, db, keys);
  for (const l of links) if (l !== undefined) l.onPush = (push) => keyInterest.onPush(push);
  const listener = listenPeers({
    path, server: deps.server, keyspace: deps.keyspace, exec: deps.exec, gate: cw.gate, durability: deps.durability, onFrames: deps.onPeerFrames, blocking: remoteWaits, keyInterest,
  });
  attachCluster(deps.server, cw);
  attachNotifyRemote(cw);
  deps.server.infoProviders.set("cores", () => `${coresInfo(cw)}\r\n${remoteWaits.info()}\r\n${keyInterest.info()}`);
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
  const toWorker0 = links[0];
  return {
    cluster: cw,
    router: new ClusterRouter(cw, deps.commands),
    gate: cw.gate,
    clusterPort: cw.clusterPort,
    sendToWorker0: toWorker0 === undefined ? undefined : (g) => toWorker0.send([FRAMES, g], 2, () => {}),
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
