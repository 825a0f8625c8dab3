// The server's share of used_memory: bytes waiting in client query and output buffers and in the
// WAL writer's buffers. The keyspace compares maxmemory against its allocated bytes plus this
// figure on every write, so the sum over clients is taken once per cron tick (hz, 10 times a second
// by default) and read as a number in between. The same tick lets the garbage pacer collect when RSS
// grew well past its last post-collection figure under maxmemory. `workerUsedMemory` is this worker's used_memory, the
// figure the cluster adds up for a server-wide limit.
import { garbagePacer } from "../engine/garbage-pacer.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import type { Persistence } from "../persistence/index.ts";
import type { ServerState } from "./context.ts";

export class ServerBuffers {
  private bytes = 0;

  constructor(
    private readonly state: ServerState,
    private readonly persistence: Persistence | undefined,
  ) {}

  /** Sums the buffers now (cron tick); collects garbage when RSS ran ahead of maxmemory (garbage-pacer.ts). */
  refresh(): void {
    let n = this.persistence?.bufferBytes() ?? 0;
    for (const c of this.state.clients.values()) n += c.queryBufferBytes() + c.outputBufferBytes();
    this.bytes = n;
    garbagePacer.checkRss(this.state.keyspace.maxMemory);
  }

  /** The figure of the last refresh (O(1): the keyspace reads it on every limit check). */
  readonly current = (): number => this.bytes;
}

/**
 * Makes `keyspace` limit maxmemory by what this worker allocates: its own bytes plus `external`
 * (the server's buffers and the other databases).
 */
export function countServerMemory(keyspace: Keyspace, external: () => number, buffers: ServerBuffers): void {
  buffers.refresh();
  keyspace.countAllocatedMemory(external);
}

/** This worker's used_memory: engine allocations plus client and WAL buffers (what maxmemory compares). */
export function workerUsedMemory(keyspace: Keyspace): number {
  return keyspace.usedMemory();
}
