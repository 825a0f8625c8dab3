// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (Redis 6.2), the primary's side of a
// coordinated switch, as Redis's failoverCommand / updateFailoverStatus:
//   no-failover → waiting-for-sync: writes are held (as CLIENT PAUSE WRITE) until the target (or
//   the first replica) has acked our whole stream; then failover-in-progress: we become a replica
//   of the target and send it `PSYNC <replid> <offset> FAILOVER`, which makes it a primary that
//   continues our history; its +CONTINUE (or +FULLRESYNC) ends the failover and releases the
//   writes (they now get -READONLY). A refused PSYNC, TIMEOUT without FORCE, or FAILOVER ABORT
//   rolls back: we are a primary again, nothing was lost.
import { intRangeArgOrReply, isKeyword } from "../commands/args.ts";
import type { Args, Client } from "../commands/types.ts";

export type FailoverState = "no-failover" | "waiting-for-sync" | "failover-in-progress";

/** A replica as FAILOVER sees it. */
export interface FailoverReplica {
  readonly conn: { readonly remoteAddress: string };
  readonly port: number;
  readonly ackOffset: number;
}

export interface FailoverHost {
  replicas(): Iterable<FailoverReplica>;
  /** Our stream's offset (master_repl_offset). */
  offset(): number;
  isReplica(): boolean;
  /** Holds (true) or releases the writes of every client. */
  holdWrites(on: boolean): void;
  /** Follow `host:port` asking it to take over; `done(false)` when it refuses. */
  handOver(host: string, port: number, done: (accepted: boolean) => void): void;
  /** Be a primary again (the hand-over was refused or aborted). */
  takeBack(): void;
  log(line: string): void;
}

const LONG = 9223372036854775807;

/** The address a replica connected from, as Redis prints it (no IPv4-mapped prefix). */
const addressOf = (r: FailoverReplica): string => r.conn.remoteAddress.replace(/^::ffff:/, "");

export class Failover {
  state: FailoverState = "no-failover";
  private target: { host: string; port: number } | undefined;
  private force = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: FailoverHost) {}

  command(c: Client, argv: Args): void {
    if (argv.length === 2 && isKeyword(argv[1]!, "abort")) {
      if (this.state === "no-failover") return c.reply.error("ERR No failover in progress.");
      this.abort("Failover manually aborted");
      return c.reply.ok();
    }
    let timeout = 0;
    let force = false;
    let to: { host: string; port: number } | undefined;
    for (let j = 1; j < argv.length; j++) {
      if (isKeyword(argv[j]!, "timeout") && j + 1 < argv.length && timeout === 0) {
        const ms = intRangeArgOrReply(c, argv, j + 1, -LONG, LONG);
        if (ms === undefined) return;
        if (ms <= 0) return c.reply.error("ERR FAILOVER timeout must be greater than 0");
        timeout = ms;
        j++;
      } else if (isKeyword(argv[j]!, "to") && j + 2 < argv.length && to === undefined) {
        const port = intRangeArgOrReply(c, argv, j + 2, -LONG, LONG);
        if (port === undefined) return;
        to = { host: new TextDecoder().decode(argv[j + 1]!), port };
        j += 2;
      } else if (isKeyword(argv[j]!, "force") && !force) {
        force = true;
      } else {
        return c.reply.error("ERR syntax error");
      }
    }
    if (this.state !== "no-failover") return c.reply.error("ERR FAILOVER already in progress.");
    if (this.host.isReplica()) return c.reply.error("ERR FAILOVER is not valid when server is a replica.");
    if ([...this.host.replicas()].length === 0) return c.reply.error("ERR FAILOVER requires connected replicas.");
    if (force && (timeout === 0 || to === undefined)) {
      return c.reply.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    }
    if (to !== undefined) {
      if (this.find(to.host, to.port) === undefined) return c.reply.error("ERR FAILOVER target HOST and PORT is not a replica.");
      this.host.log(`FAILOVER requested to ${to.host}:${to.port}.`);
    } else {
      this.host.log("FAILOVER requested to any replica.");
    }
    this.target = to;
    this.force = force;
    this.state = "waiting-for-sync";
    this.host.holdWrites(true);
    if (timeout > 0) {
      this.timer = setTimeout(() => this.timedOut(), timeout);
      this.timer.unref?.();
    }
    c.reply.ok();
    // A replica may have acked everything already (the next ack checks again otherwise).
    queueMicrotask(() => this.check());
  }

  private find(host: string, port: number): FailoverReplica | undefined {
    for (const r of this.host.replicas()) if (r.port === port && addressOf(r).toLowerCase() === host.toLowerCase()) return r;
    return undefined;
  }

  /** A replica acked (or the failover began): hand over once the target has all of our stream. */
  check(): void {
    if (this.state !== "waiting-for-sync") return;
    const offset = this.host.offset();
    let target = this.target;
    let replica: FailoverReplica | undefined;
    if (target !== undefined) replica = this.find(target.host, target.port);
    else {
      for (const r of this.host.replicas()) {
        if (r.ackOffset === offset) {
          replica = r;
          target = { host: addressOf(r), port: r.port };
          break;
        }
      }
    }
    if (replica === undefined || target === undefined || replica.ackOffset !== offset) return;
    this.target = target;
    this.host.log(`Failover target ${target.host}:${target.port} is synced, failing over.`);
    this.handOver(target);
  }

  private timedOut(): void {
    this.timer = undefined;
    if (this.state !== "waiting-for-sync") return;
    if (this.force && this.target !== undefined) {
      this.host.log(`FAILOVER to ${this.target.host}:${this.target.port} time out exceeded, failing over.`);
      return this.handOver(this.target);
    }
    this.abort("Replica never caught up before timeout");
  }

  private handOver(target: { host: string; port: number }): void {
    this.state = "failover-in-progress";
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.host.handOver(target.host, target.port, (accepted) => {
      if (this.state !== "failover-in-progress") return;
      if (accepted) this.clear();
      else this.abort("Failover target rejected psync request");
    });
  }

  private abort(why: string): void {
    if (this.state === "no-failover") return;
    const t = this.target;
    this.host.log(t !== undefined ? `FAILOVER to ${t.host}:${t.port} aborted: ${why}` : `FAILOVER to any replica aborted: ${why}`);
    if (this.state === "failover-in-progress") this.host.takeBack();
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.target = undefined;
    this.force = false;
    this.state = "no-failover";
    this.host.holdWrites(false);
  }
}
