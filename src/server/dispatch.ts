// Runs one parsed command the way Redis's processCommand + call() do: lookup (subcommands of
// containers as `container|sub`), arity, auth, loading, out-of-memory for DENYOOM, then the
// handler; then counters (entry calls/µs/failed/rejected, totals, errorstats), the slow log,
// the latency monitor and CLIENT REPLY OFF/SKIP. No command name appears here: only flags.
//
// Timing. A clock read costs ~36 ns here (Bun.nanoseconds), as much as parsing a small command,
// so commands are not each timed between two reads. Inside a batch (one received chunk, see
// beginBatch/endBatch), consecutive calls of the SAME command share one measured span: the clock
// is read when the span opens and when it closes (at the next different command or at the end of
// the batch), and the span's time is added to that command's `usec`. So INFO commandstats
// `calls` and `usec` stay exact per command (usec also counts the parsing between the calls of
// a span, a few ns each); a 16-deep pipeline of one command costs 2 clock reads instead of 32.
// What is approximated is the per-call duration seen by the slow log: each call of a span is
// taken to last the span's average, and logged when that average reaches
// slowlog-log-slower-than. With the latency monitor on (latency-monitor-threshold > 0), or
// outside a batch, every command is timed on its own, as before.

import { latencyRecord } from "../commands/server-state.ts";
import { latencyAdd } from "../commands/latency-histogram.ts";
import { subscribedModeError, type PubSubClient } from "../commands/pubsub.ts";
import { execAbortError, queueInMulti, type MultiClient } from "../commands/transactions.ts";
import { CmdFlag, type Args, type Client, type CommandEntry, type CommandTable, type ServerContext } from "../commands/types.ts";
import type { ServerConfig } from "../config/params.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { NameIndex } from "../commands/name-index.ts";
import { FEED_BEFORE, feedMonitors, monitoring } from "../commands/monitor.ts";
import { trackingBegin, trackingEnd, trackingInUse } from "../commands/tracking.ts";

export { NameIndex };
import {
  ERR_ARITY,
  ERR_LOADING,
  ERR_NOAUTH,
  ERR_OOM,
  ERR_READONLY_REPLICA,
  ERR_UNKNOWN_COMMAND,
  ERR_UNKNOWN_SUBCOMMAND,
} from "../protocol/errors.ts";

const dec = new TextDecoder();
const MINUS = 45;


/** Redis's `'a' 'b' ` argument preview of unknown-command errors: at most 128 bytes of arguments. */
export function argsPreview(argv: Args): string {
  let out = "";
  let used = 0;
  for (let i = 1; i < argv.length && used < 128; i++) {
    const a = argv[i]!;
    const take = Math.min(a.length, 128 - used);
    out += `'${dec.decode(a.subarray(0, take))}' `;
    used += take + 3;
  }
  return out;
}

/** True when `argc` satisfies `arity` (positive: exactly; negative: at least). */
export const arityOk = (arity: number, argc: number): boolean => (arity >= 0 ? argc === arity : argc >= -arity);

/** What dispatch needs from persistence: write commands are refused while the disk fails. */
export interface WriteGate {
  readonly writable: boolean;
  /** The MISCONF error reply while not writable. */
  misconfError(): string | undefined;
}

export interface DispatcherDeps {
  commands: CommandTable;
  config: ServerConfig;
  keyspace: Keyspace;
  server: ServerContext;
  /** Show the commands to MONITOR clients (not for what other workers send). @default true */
  feedMonitors?: boolean;
  /**
   * Refuse clients' writes on a read-only replica and under min-replicas-to-write (not for what
   * other workers send: the worker the client is on checked it). @default true
   */
  guardsWrites?: boolean;
  /** Persistence; absent = every write is allowed. */
  persistence?: WriteGate;
  /**
   * Slot routing of a multi-worker server (src/cluster/router.ts); absent for a single worker,
   * which then pays nothing for it.
   */
  router?: Router;
}

/** Sends a command to the worker that owns its keys; true when it took the command. */
export interface Router {
  route(c: Client, entry: CommandEntry, argv: Args): boolean;
  /** Inside MULTI: true when the command was refused (-MOVED/-CROSSSLOT on a cluster port). */
  refusesQueued(c: Client, entry: CommandEntry, argv: Args): boolean;
}

export class Dispatcher {
  private readonly commands: NameIndex<CommandEntry>;
  private readonly subcommands = new Map<CommandEntry, NameIndex<CommandEntry>>();
  private readonly config: ServerConfig;
  private readonly keyspace: Keyspace;
  private readonly server: ServerContext;
  private readonly gate: WriteGate | undefined;
  private readonly router: Router | undefined;
  /** True between beginBatch and endBatch: same-command runs are timed as one span. */
  private batching = false;
  /** The open span: its command (undefined when none), client, start (ns), calls and argv (for the slow log). */
  private readonly feedMonitors: boolean;
  private readonly guardsWrites: boolean;
  private spanEntry: CommandEntry | undefined = undefined;
  private spanClient: Client | undefined = undefined;
  private spanStart = 0;
  private spanCount = 0;
  private spanArgs: Args[] = [];

  constructor(deps: DispatcherDeps) {
    this.gate = deps.persistence;
    this.router = deps.router;
    this.commands = new NameIndex(deps.commands.all().map((e) => [e.name, e] as const));
    this.config = deps.config;
    this.keyspace = deps.keyspace;
    this.server = deps.server;
    this.feedMonitors = deps.feedMonitors ?? true;
    this.guardsWrites = deps.guardsWrites ?? true;
    for (const e of deps.commands.all()) {
      if (e.subcommands === undefined) continue;
      const subs = e.subcommands.map((s) => [s.name.slice(s.name.indexOf("|") + 1), s] as const);
      this.subcommands.set(e, new NameIndex(subs));
    }
  }

  /** Finds the entry to run, or replies the lookup/arity error and returns undefined. */
  resolve(c: Client, argv: Args): CommandEntry | undefined {
    const entry = this.commands.get(argv[0]!);
    if (entry === undefined) {
      this.reject(c, undefined, ERR_UNKNOWN_COMMAND(dec.decode(argv[0]!.subarray(0, 128)), argsPreview(argv)));
      return undefined;
    }
    if (entry.subcommands === undefined || argv.length === 1) {
      if (!arityOk(entry.arity, argv.length) || entry.handler === undefined) {
        this.reject(c, entry, ERR_ARITY(entry.name));
        return undefined;
      }
      return entry;
    }
    const sub = this.subcommands.get(entry)?.get(argv[1]!);
    if (sub === undefined) {
      this.reject(c, undefined, ERR_UNKNOWN_SUBCOMMAND(dec.decode(argv[1]!.subarray(0, 128)), entry.name));
      return undefined;
    }
    if (!arityOk(sub.arity, argv.length) || sub.handler === undefined) {
      this.reject(c, sub, ERR_ARITY(sub.name));
      return undefined;
    }
    return sub;
  }

  /**
   * Starts a batch: the commands of one received chunk, run back to back. Until endBatch, runs of
   * the same command are timed together (see the header). Batches must not nest or interleave.
   */
  beginBatch(): void {
    this.batching = true;
  }

  /** Ends the batch: closes the open span (one clock read) and accounts it. */
  endBatch(): void {
    this.batching = false;
    if (this.spanEntry !== undefined) this.closeSpan(Bun.nanoseconds());
  }

  /** Adds the open span's time to its command and applies the slow log to its calls. */
  private closeSpan(now: number): void {
    const entry = this.spanEntry!;
    const us = (now - this.spanStart) / 1000;
    const count = this.spanCount;
    entry.usec += us;
    if (this.config["latency-tracking"]) latencyAdd(entry, (now - this.spanStart) / count, count);
    const c = this.spanClient!;
    const args = this.spanArgs;
    this.spanEntry = undefined;
    this.spanClient = undefined;
    this.spanCount = 0;
    const slower = this.config["slowlog-log-slower-than"];
    const share = us / count;
    if (slower >= 0 && share >= slower) {
      for (let i = 0; i < args.length; i++) this.slowlog(c, args[i]!, share);
    }
    args.length = 0;
  }

  /** Runs one command for `c`; its reply (if any) is appended to `c.reply`. */
  run(c: Client, argv: Args): void {
    // Client tracking (src/commands/tracking.ts): one test while nobody tracks.
    if (trackingInUse.clients === 0) {
      this.runCommand(c, argv);
      return;
    }
    trackingBegin(c, argv);
    const entry = this.runCommand(c, argv);
    trackingEnd(c, entry, argv);
  }

  private runCommand(c: Client, argv: Args): CommandEntry | undefined {
    const reply = c.reply;
    const mark = reply.len;
    const modeBefore = c.replyMode;
    const entry = this.resolve(c, argv);
    if (entry === undefined) {
      const tx = (c as MultiClient).multi;
      if (tx !== undefined) tx.dirty = true; // EXEC will answer EXECABORT
    }
    // MONITOR: EVAL/FCALL/EXEC are shown before they run, everything else once it ran (below).
    const monitored = this.feedMonitors && entry !== undefined && monitoring(this.server);
    if (monitored && FEED_BEFORE.has(entry.name)) feedMonitors(c, entry, argv);
    // A routed command's reply comes later, in its place (the router handles CLIENT REPLY).
    if (entry !== undefined && this.call(c, entry, argv, mark)) {
      if (monitored && !FEED_BEFORE.has(entry.name)) feedMonitors(c, entry, argv);
      return entry;
    }
    if (monitored && !FEED_BEFORE.has(entry.name)) feedMonitors(c, entry, argv);
    // CLIENT REPLY: a command that leaves replies OFF or SKIP (including the CLIENT REPLY
    // OFF/SKIP itself) sends nothing; SKIP lasts for exactly one more command.
    const mode = c.replyMode;
    if (mode !== "on") {
      reply.len = mark;
      if (modeBefore === "skip" && mode === "skip") c.replyMode = "on";
    }
    // Blocked clients: a write marks its keys ready; they are served once the command is done.
    const blocking = this.server.blocking;
    if (blocking !== undefined) {
      if (blocking.waiting > 0 && entry !== undefined && (entry.flags & CmdFlag.WRITE) !== 0) blocking.wrote(c.db, entry, argv);
      if (blocking.pending) blocking.serveReady();
    }
    return entry;
  }

  /** Runs `entry`; true when the router took it (forwarded, split or aggregated). */
  private call(c: Client, entry: CommandEntry, argv: Args, mark: number): boolean {
    const flags = entry.flags;
    const cfg = this.config;
    if (cfg.requirepass !== "" && !c.authenticated && (flags & CmdFlag.NO_AUTH) === 0) {
      this.reject(c, entry, ERR_NOAUTH);
      return false;
    }
    if (this.server.loading && (flags & CmdFlag.LOADING) === 0) {
      this.reject(c, entry, ERR_LOADING);
      return false;
    }
    // A RESP2 client in subscribed mode may only (un)subscribe, PING, QUIT or RESET.
    if ((c as PubSubClient).subscriptions! > 0 && c.reply.resp === 2) {
      const err = subscribedModeError(c, entry);
      if (err !== undefined) {
        this.reject(c, entry, err);
        return false;
      }
    }
    // Inside MULTI: queued (+QUEUED), not run.
    const tx = (c as MultiClient).multi;
    if (tx !== undefined) {
      if (this.router !== undefined && this.router.refusesQueued(c, entry, argv)) {
        tx.dirty = true;
        return false;
      }
      if (queueInMulti(c, tx, entry, argv)) return false;
    }
    // A read-only replica takes writes only from its primary; min-replicas-to-write may refuse them.
    if ((flags & CmdFlag.WRITE) !== 0 && this.guardsWrites && c.isMaster !== true) {
      const server = this.server;
      if (server.replicaReadOnly) {
        this.reject(c, entry, ERR_READONLY_REPLICA);
        return false;
      }
      const refusal = this.config["min-replicas-to-write"] > 0 ? server.replication?.writeRefusal() : undefined;
      if (refusal !== undefined) {
        this.reject(c, entry, refusal);
        return false;
      }
    }
    if (this.router !== undefined && ((c.lastCommand = entry.name), this.router.route(c, entry, argv))) {
      if (c.replyMode === "skip") c.replyMode = "on";
      return true;
    }
    // Disk full or I/O errors: write commands get MISCONF until a write succeeds again; reads go on.
    const gate = this.gate;
    if (gate !== undefined && (flags & CmdFlag.WRITE) !== 0 && !gate.writable) {
      this.reject(c, entry, gate.misconfError() ?? "MISCONF persistence error");
      return false;
    }
    if ((flags & CmdFlag.DENYOOM) !== 0 && this.overMemoryWithoutEviction()) {
      this.reject(c, entry, ERR_OOM);
      return false;
    }

    c.lastCommand = entry.name;
    const stats = this.server.stats;
    const latencyMs = cfg["latency-monitor-threshold"];
    if (this.batching && latencyMs <= 0) {
      // Shared timing (see the header): a different command or client closes the open span.
      if (this.spanEntry !== entry || this.spanClient !== c) {
        const now = Bun.nanoseconds();
        if (this.spanEntry !== undefined) this.closeSpan(now);
        this.spanEntry = entry;
        this.spanClient = c;
        this.spanStart = now;
      }
      try {
        entry.handler!(c, argv);
      } catch (e) {
        c.reply.len = mark;
        c.reply.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
      }
      entry.calls++;
      this.spanCount++;
      if (cfg["slowlog-log-slower-than"] >= 0) this.spanArgs.push(argv);
      stats.totalCommandsProcessed++;
      const reply = c.reply;
      if (reply.len > mark && reply.buf[mark] === MINUS) {
        entry.failedCalls++;
        this.countError(reply.buf, mark, reply.len);
      }
      return false;
    }
    if (this.spanEntry !== undefined) this.closeSpan(Bun.nanoseconds());
    const t0 = Bun.nanoseconds();
    try {
      entry.handler!(c, argv);
    } catch (e) {
      c.reply.len = mark;
      c.reply.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
    }
    const us = (Bun.nanoseconds() - t0) / 1000;
    entry.calls++;
    entry.usec += us;
    if (cfg["latency-tracking"]) latencyAdd(entry, us * 1000, 1);
    stats.totalCommandsProcessed++;
    const reply = c.reply;
    if (reply.len > mark && reply.buf[mark] === MINUS) {
      entry.failedCalls++;
      this.countError(reply.buf, mark, reply.len);
    }
    const slower = cfg["slowlog-log-slower-than"];
    if (slower >= 0 && us >= slower) this.slowlog(c, argv, us);
    if (latencyMs > 0 && us >= latencyMs * 1000) {
      const event = (flags & CmdFlag.FAST) !== 0 ? "fast-command" : "command";
      latencyRecord(this.server.latency, event, Math.floor(Date.now() / 1000), Math.round(us / 1000));
    }
    return false;
  }

  private overMemoryWithoutEviction(): boolean {
    const ks = this.keyspace;
    const max = ks.maxMemory;
    return max > 0 && ks.policy === "noeviction" && ks.stats().usedBytes >= max;
  }

  private reject(c: Client, entry: CommandEntry | undefined, msg: string): void {
    if (entry !== undefined) entry.rejectedCalls++;
    const m = c as MultiClient;
    if (m.multi !== undefined) m.multi.dirty = true;
    if (entry !== undefined && entry.name === "exec") {
      m.multi = undefined;
      msg = execAbortError(msg);
    }
    const r = c.reply;
    const at = r.len;
    r.error(msg);
    this.countError(r.buf, at, r.len);
  }

  /** INFO errorstats: counts an error reply by its first word (ERR, WRONGTYPE, NOAUTH...). */
  private countError(buf: Uint8Array, from: number, to: number): void {
    let end = from + 1;
    const limit = Math.min(to, from + 33);
    while (end < limit && buf[end] !== 32 && buf[end] !== 13) end++;
    const code = dec.decode(buf.subarray(from + 1, end));
    const stats = this.server.stats;
    stats.errorReplies++;
    stats.errorCounts.set(code, (stats.errorCounts.get(code) ?? 0) + 1);
  }

  /** Slow log entry like Redis's slowlogCreateEntry: 32 arguments at most, 128 bytes each. */
  private slowlog(c: Client, argv: Args, us: number): void {
    const log = this.server.slowlog;
    const max = this.config["slowlog-max-len"];
    const argc = argv.length;
    const shown = argc > 32 ? 31 : argc;
    const args: string[] = [];
    for (let i = 0; i < shown; i++) {
      const a = argv[i]!;
      args.push(a.length > 128 ? `${dec.decode(a.subarray(0, 128))}... (${a.length - 128} more bytes)` : dec.decode(a));
    }
    if (shown < argc) args.push(`... (${argc - shown} more arguments)`);
    log.entries.unshift({
      id: log.nextId++,
      time: Math.floor(Date.now() / 1000),
      durationUs: Math.round(us),
      args,
      peer: `${c.remoteAddress}:${c.remotePort}`,
      clientName: c.name,
    });
    if (log.entries.length > max) log.entries.length = max;
  }
}
