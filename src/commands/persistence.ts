// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE. They reach the server's Persistence
// through the registry (src/persistence/registry.ts); a server without one refuses SAVE/BGSAVE.
import { ERR_BGSAVE_IN_PROGRESS } from "../persistence/index.ts";
import { persistenceOf } from "../persistence/registry.ts";
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { isKeyword } from "./args.ts";
import { defineCommand } from "./define.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { ADMIN, NOSCRIPT, LOADING, STALE, FAST, NO_MULTI } = CmdFlag;

export const ERR_NO_PERSISTENCE = "ERR persistence is disabled on this server (start it with --appendonly yes or a snapshot schedule)";
export const BGSAVE_STARTED = "Background saving started";
export const BGSAVE_SCHEDULED = "Background saving scheduled";

const reason = (e: unknown): string => {
  const m = e instanceof Error ? e.message : String(e);
  return m.startsWith("ERR ") ? m : `ERR ${m}`;
};

// SAVE: a snapshot now, blocking the server until it is on disk.
function cmdSave(c: Client): void {
  const p = persistenceOf(c.server);
  if (p === undefined) return c.reply.error(ERR_NO_PERSISTENCE);
  if (p.bgsaveInProgress) return c.reply.error(ERR_BGSAVE_IN_PROGRESS);
  try {
    p.save();
  } catch (e) {
    return c.reply.error(reason(e));
  }
  c.reply.ok();
}

/** Servers with a BGSAVE waiting for the running one (BGSAVE SCHEDULE). */
const scheduled = new WeakSet<object>();

// BGSAVE [SCHEDULE]: a snapshot written in slices between other work.
function cmdBgsave(c: Client, argv: Args): void {
  let schedule = false;
  if (argv.length > 2) return c.reply.error(ERR_SYNTAX);
  if (argv.length === 2) {
    if (!isKeyword(argv[1]!, "schedule")) return c.reply.error(ERR_SYNTAX);
    schedule = true;
  }
  const p = persistenceOf(c.server);
  if (p === undefined) return c.reply.error(ERR_NO_PERSISTENCE);
  if (p.bgsaveInProgress) {
    if (!schedule) return c.reply.error(ERR_BGSAVE_IN_PROGRESS);
    if (!scheduled.has(p)) {
      scheduled.add(p);
      void p.whenSnapshotIdle().then(() => {
        scheduled.delete(p);
        if (p.bgsaveInProgress || p.loading) return;
        try {
          p.bgsave().catch(() => {});
        } catch {
          // closed meanwhile: nothing to save
        }
      });
    }
    return c.reply.simple(BGSAVE_SCHEDULED);
  }
  try {
    p.bgsave().catch(() => {}); // failures are logged and shown by INFO persistence / LASTSAVE
  } catch (e) {
    return c.reply.error(reason(e));
  }
  c.reply.simple(BGSAVE_STARTED);
}

// LASTSAVE: Unix time of the last successful snapshot (of start-up before the first one).
function cmdLastsave(c: Client): void {
  const p = persistenceOf(c.server);
  if (p !== undefined) return c.reply.integer(p.lastSave);
  const text = c.server.infoProviders.get("persistence")?.() ?? "";
  const m = /(?:^|\n)rdb_last_save_time:(\d+)/.exec(text);
  c.reply.integer(m ? Number(m[1]) : 0);
}

export const persistenceCommands: CommandEntry[] = [
  defineCommand({ name: "save", arity: 1, flags: ADMIN | NOSCRIPT | NO_MULTI, categories: ["admin", "slow", "dangerous"], summary: "Synchronously saves the database(s) to disk.", since: "1.0.0", handler: cmdSave }),
  defineCommand({ name: "bgsave", arity: -1, flags: ADMIN | NOSCRIPT, categories: ["admin", "slow", "dangerous"], summary: "Asynchronously saves the database(s) to disk.", since: "1.0.0", handler: cmdBgsave }),
  defineCommand({ name: "lastsave", arity: 1, flags: LOADING | STALE | FAST, categories: ["admin", "fast", "dangerous"], summary: "Returns the Unix timestamp of the last successful save to disk.", since: "1.0.0", handler: cmdLastsave }),
];
