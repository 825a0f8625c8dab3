// Plugs a worker's cluster into its server context as the `ClusterView` commands see (CLUSTER,
// EXEC over keys of several workers). A server without one is a standalone instance.

import type { Args, Client, ClusterView, CommandEntry, ServerContext } from "../commands/types.ts";
import { runAtomicOnScratch } from "./multi-key.ts";
import type { HoldingClient, WorkerCluster } from "./worker-cluster.ts";

class WorkerClusterView implements ClusterView {
  constructor(private readonly cw: WorkerCluster) {}
  get index(): number {
    return this.cw.index;
  }
  get clusterPort(): number {
    return this.cw.clusterPort;
  }
  get nodes(): ClusterView["nodes"] {
    return this.cw.nodes;
  }
  get slots(): ClusterView["slots"] {
    return this.cw.slots;
  }
  get count(): number {
    return this.cw.count;
  }
  askWorker(owner: number, argv: Args, cb: (reply: Uint8Array) => void, db = 0): void {
    this.cw.ask(owner, argv, 2, cb, db);
  }
  withAllGates(body: (release: () => void) => void): void {
    const all: number[] = [];
    for (let w = 0; w < this.cw.count; w++) all.push(w);
    this.cw.withGates(all, body);
  }
  runAtomic(c: Client, argvs: Args[], entries: CommandEntry[], transaction: boolean): void {
    // Every client the dispatcher hands a command is a Connection, which can hold replies.
    runAtomicOnScratch(this.cw, c as HoldingClient, argvs, entries, transaction);
  }
}

export function attachCluster(server: ServerContext, cw: WorkerCluster): void {
  server.cluster = new WorkerClusterView(cw);
}

/** A stable 40-hex node id for host:port (CLUSTER MYID / NODES / SLOTS). */
export function nodeId(host: string, port: number): string {
  return new Bun.CryptoHasher("sha1").update(`fast-cache ${host}:${port}`).digest("hex");
}
