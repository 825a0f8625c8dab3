// A clean stop, as Redis 7.0 does it for SHUTDOWN, SIGTERM and SIGINT (`prepareForShutdown` and
// `finishShutdown` in server.c):
//   1. "User requested shutdown..."
//   2. the final snapshot when asked (SAVE), or by default when `save` points are configured;
//      "Saving the final RDB snapshot before exiting." A failed save stops the shutdown unless
//      FORCE ("Errors trying to shut down the server. Check the logs for more information.").
//   3. no more connections accepted; every client closes once the commands it already sent have
//      run and their replies (held for appendfsync always) are out; the WAL is written and
//      fsynced; replicas and WAL-export subscribers are closed.
//   4. "fast-cache is now ready to exit, bye bye..." and the process exits 0.
// Signals: `shutdown-on-sigterm` / `shutdown-on-sigint` give the flags ("default", or save|nosave,
// now, force). A shutdown that fails on a signal leaves the server running, as in Redis.

import type { ServerConfig } from "../config/params.ts";
import { log } from "../log.ts";
import type { Persistence } from "../persistence/index.ts";
import { Connection } from "./connection.ts";
import type { ServerState } from "./context.ts";

export const ERR_SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";

export interface ShutdownFlags {
  /** true SAVE, false NOSAVE, undefined as configured (a snapshot when `save` is set). */
  save?: boolean;
  /** Do not wait for lagging replicas (we never wait: accepted for Redis compatibility). */
  now?: boolean;
  /** Exit even when the final snapshot fails. */
  force?: boolean;
}

/** What a shutdown works on (filled by startServer). */
export interface ShutdownTarget {
  readonly state: ServerState;
  readonly config: ServerConfig;
  readonly persistence: Persistence | undefined;
  /** Closes the listeners (new connections are refused). */
  stopAccepting(): void;
  /** Stops everything left (connections, cron, replication, WAL closed and synced, export). */
  stop(o: { save?: boolean }): Promise<void>;
  /** Runs once everything is closed (the CLI exits the process here). */
  finished(save: boolean | undefined): void | Promise<void>;
}

/** `shutdown-on-sigterm` / `shutdown-on-sigint` text ("default", "nosave now"...) as flags. */
export function signalShutdownFlags(text: string): ShutdownFlags {
  const words = text.split(/\s+/);
  const f: ShutdownFlags = {};
  if (words.includes("save")) f.save = true;
  if (words.includes("nosave")) f.save = false;
  if (words.includes("now")) f.now = true;
  if (words.includes("force")) f.force = true;
  return f;
}

/** Longest wait for the replies of in-flight commands (their fsync) before connections close, ms. */
const DRAIN_MS = 2000;

export class ShutdownControl {
  private stopping: Promise<void> | undefined;

  constructor(private readonly t: ShutdownTarget) {}

  /** True once a shutdown is under way. */
  get inProgress(): boolean {
    return this.stopping !== undefined;
  }

  /** A stop signal: logs it and shuts down with the flags its parameter gives. */
  onSignal(signal: "SIGTERM" | "SIGINT"): void {
    log.warning(`Received ${signal} scheduling shutdown...`);
    const flags = signalShutdownFlags(this.t.config[signal === "SIGTERM" ? "shutdown-on-sigterm" : "shutdown-on-sigint"]);
    this.request(flags);
  }

  /**
   * Starts the shutdown; returns the error reply when it cannot (the final save failed without
   * FORCE). A second request while one runs is a no-op.
   */
  request(flags: ShutdownFlags): string | undefined {
    if (this.stopping !== undefined) return undefined;
    log.warning("User requested shutdown...");
    const p = this.t.persistence;
    const cfg = this.t.config;
    const open = p !== undefined && !this.t.state.loading;
    // Redis saves at shutdown when save points are configured (ours: snapshot-every-seconds),
    // SAVE forces it, NOSAVE forbids it. Nothing written since the last snapshot: nothing to save.
    const wanted = flags.save ?? (cfg["snapshot-every-seconds"] > 0 && p !== undefined && p.dirty > 0);
    let saveInStop: boolean | undefined = false;
    if (open && wanted) {
      log.notice("Saving the final RDB snapshot before exiting.");
      if (p.bgsaveInProgress) {
        // The background snapshot is aborted and a synchronous one written when persistence closes.
        saveInStop = true;
      } else {
        try {
          p.save();
          log.notice("DB saved on disk");
        } catch (e) {
          log.warning(`Error trying to save the DB, can't exit. (${e instanceof Error ? e.message : String(e)})`);
          if (!flags.force) {
            log.warning("Errors trying to shut down the server. Check the logs for more information.");
            return ERR_SHUTDOWN_FAILED;
          }
        }
      }
    }
    this.stopping = this.finish(saveInStop).then(
      () => this.t.finished(flags.save),
      (e: unknown) => {
        log.warning(`Error while shutting down: ${e instanceof Error ? e.message : String(e)}`);
        return this.t.finished(flags.save);
      },
    );
    return undefined;
  }

  /** Resolves when the shutdown has finished (at once when none was started). */
  done(): Promise<void> {
    return this.stopping ?? Promise.resolve();
  }

  private async finish(save: boolean | undefined): Promise<void> {
    const { state, persistence } = this.t;
    this.t.stopAccepting();
    // Clients send nothing more; what they already sent has run, its replies go once synced.
    for (const c of state.clients.values()) {
      if (!(c instanceof Connection)) continue;
      c.closeAfterReply();
      c.flush();
    }
    if (persistence !== undefined && !state.loading) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_MS).unref());
      await Promise.race([persistence.durable().catch(() => {}), timer]);
      // The released replies are written from the sync's callback; let the sockets take them.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await this.t.stop({ save });
    log.warning("fast-cache is now ready to exit, bye bye...");
  }
}
