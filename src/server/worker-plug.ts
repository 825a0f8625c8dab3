// How a server becomes one worker of several (DESIGN.md: the arrows run cluster/ → server/). The
// server knows only these interfaces; src/cluster/worker.ts fills them, and the CLI passes its
// `attachWorker` in through `StartOptions.worker`, as the dispatcher takes a `Router`.
import type { Args, Client, CommandTable, ServerContext } from "../commands/types.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import type { DurabilityGate, ExecutionGate } from "./connection.ts";
import type { BlockedClients } from "./blocking/blocked-clients.ts";
import type { Router } from "./dispatch.ts";

/** Which worker this process is (the supervisor passes it in the environment). */
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

/** What the server hands the cluster side when it attaches. */
export interface WorkerAttachDeps {
  server: ServerContext;
  keyspace: Keyspace;
  commands: CommandTable;
  /** The router-less dispatcher's run() (what other workers send runs here). */
  exec: (c: Client, argv: Args) => void;
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
  /** Blocked clients: the cluster plugs in how waits over other workers' keys run. */
  blocking: BlockedClients;
}

/** This worker's share of maxclients (admission) and maxmemory, kept with the other workers. */
export interface WorkerAdmission {
  start(): void;
  /** Decides whether one more connection fits (maybe after asking the supervisor). */
  admit(decide: (admitted: boolean) => void): void;
  configChanged(maxclients: number, maxmemory: number): void;
}

/** What the server uses of its cluster side once attached. */
export interface WorkerSide {
  readonly router: Router;
  readonly gate: ExecutionGate;
  /** This worker's Redis Cluster port, 0 when off. */
  readonly clusterPort: number;
  readonly limits: WorkerAdmission;
  /** How this worker's WAL groups reach worker 0 (undefined on worker 0). */
  readonly sendToWorker0: ((group: Uint8Array) => void) | undefined;
  /** Closes the peer listener and links. */
  close(): void;
}

/** `StartOptions.worker`: who this worker is and how to attach its cluster side. */
export interface WorkerPlug {
  identity: WorkerIdentity;
  attach(id: WorkerIdentity, deps: WorkerAttachDeps): WorkerSide;
}
