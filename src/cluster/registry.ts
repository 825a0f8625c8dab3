// Which WorkerCluster a server context belongs to (CLUSTER commands and INFO read it). A server
// without one is a standalone instance.

import type { ServerContext } from "../commands/types.ts";
import type { WorkerCluster } from "./worker-cluster.ts";

const clusters = new WeakMap<ServerContext, WorkerCluster>();

export function attachCluster(server: ServerContext, cw: WorkerCluster): void {
  clusters.set(server, cw);
}

export function clusterOf(server: ServerContext): WorkerCluster | undefined {
  return clusters.get(server);
}

/** A stable 40-hex node id for host:port (CLUSTER MYID / NODES / SLOTS). */
export function nodeId(host: string, port: number): string {
  return new Bun.CryptoHasher("sha1").update(`fast-cache ${host}:${port}`).digest("hex");
}
