// WAIT numreplicas timeout and min-replicas-to-write, from the replicas' acks. A WAIT that is not
// satisfied at once blocks on the blocked-clients service (timeouts, CLIENT UNBLOCK, disconnects
// come with it) and is woken when an ack makes it satisfied; its reply is the count acked then.
import { runBlocking } from "../commands/blocking.ts";
import type { Client, ServerContext } from "../commands/types.ts";
import type { ServerConfig } from "../config/params.ts";
import type { ReplicaRow } from "./repl-report.ts";

const ERR_NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

export class AckWaiters {
  private readonly waiters = new Map<Client, { target: number; n: number }>();

  constructor(
    private readonly replicas: ReadonlySet<ReplicaRow>,
    private readonly config: ServerConfig,
    private readonly server: ServerContext,
  ) {}

  /** Replicas whose ack reached `target`. */
  acked(target: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.ackOffset >= target) n++;
    return n;
  }

  /** Replies now when enough replicas acked `target`, else asks for acks and blocks `c`. */
  wait(c: Client, numreplicas: number, timeoutMs: number, target: number, askForAcks: () => void): void {
    const have = this.acked(target);
    if (have >= numreplicas || (this.replicas.size === 0 && numreplicas <= 0)) return c.reply.integer(have);
    if (this.replicas.size > 0) askForAcks();
    this.waiters.set(c, { target, n: numreplicas });
    const done = (cl: Client): void => {
      this.waiters.delete(cl);
      cl.reply.integer(this.acked(target));
    };
    runBlocking(c, {
      keys: [],
      timeoutMs,
      serve: () => false,
      timedOut: done,
      cannotBlock: done,
      remoteTry: () => [],
      remoteReply: () => undefined,
    });
  }

  /** An ack came: the waits it satisfies end (their reply is written by `timedOut`). */
  wake(): void {
    if (this.waiters.size === 0) return;
    const svc = this.server.blocking;
    for (const [c, w] of this.waiters) {
      if (this.acked(w.target) >= w.n) {
        this.waiters.delete(c);
        svc?.unblock(c.id, false);
      }
    }
  }

  /** min-replicas-to-write: -NOREPLICAS unless enough replicas acked within min-replicas-max-lag. */
  writeRefusal(): string | undefined {
    const need = this.config["min-replicas-to-write"];
    if (need <= 0) return undefined;
    const lagMs = this.config["min-replicas-max-lag"] * 1000;
    const now = Date.now();
    let good = 0;
    for (const r of this.replicas) if (now - r.ackAt <= lagMs) good++;
    return good >= need ? undefined : ERR_NOREPLICAS;
  }
}
