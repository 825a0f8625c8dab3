// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (Redis 7.0): while paused, the server
// processes no command of any client (ALL), or no command that writes or may replicate (WRITE:
// EVAL, PUBLISH... too); a client whose command is held waits with its later commands behind it,
// in order, and all of them run when the pause ends (its timeout, or CLIENT UNPAUSE from a client
// that is not held). One check per command while nothing is paused.
import { commandIndex } from "./name-index.ts";
import { intRangeArgOrReply, isKeyword } from "./args.ts";
import { CmdFlag, type Args, type Client, type ServerContext } from "./types.ts";

interface Pause {
  /** Unix ms when it ends (0 = not paused). */
  until: number;
  writesOnly: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Writes held by the server itself until released (FAILOVER), beside any CLIENT PAUSE. */
  writesHeld: boolean;
}

const engaged = (p: Pause): boolean => p.until !== 0 || p.writesHeld;

function pauseOf(s: ServerContext): Pause {
  let p = pauses.get(s);
  if (p === undefined) pauses.set(s, (p = { until: 0, writesOnly: false, timer: undefined, writesHeld: false }));
  return p;
}

/** Holds (or releases) every client's writes, as CLIENT PAUSE WRITE with no end (FAILOVER). */
export function holdWrites(s: ServerContext, on: boolean): void {
  const p = pauseOf(s);
  if (p.writesHeld === on) return;
  const was = engaged(p);
  p.writesHeld = on;
  active += (engaged(p) ? 1 : 0) - (was ? 1 : 0);
  if (!on) for (const c of s.clients.values()) (c as PausableClient).resumeAfterPause?.();
}

const pauses = new WeakMap<ServerContext, Pause>();
/** Servers with a pause in effect: every command tests this number first, and nothing else while it is 0. */
let active = 0;

/** A client the pause held: it resumes its commands when asked. */
export interface PausableClient {
  resumeAfterPause?(): void;
  /** True while a command of the client waits for the pause (CLIENT LIST flags=b, as Redis). */
  readonly heldByClientPause?: boolean;
}

/** True when `argv` of `c` must wait for the pause to end. */
export function heldByPause(c: Client, argv: Args): boolean {
  if (active === 0) return false;
  const p = pauses.get(c.server);
  if (p === undefined || c.isMaster) return false; // our primary's stream is never held (as Redis)
  if (p.until !== 0 && Date.now() >= p.until) end(c.server, p);
  if (p.until === 0 && !p.writesHeld) return false;
  if (p.until !== 0 && !p.writesOnly) return true;
  const entry = commandIndex(c.server.commands).get(argv[0]!);
  return entry !== undefined && (entry.flags & (CmdFlag.WRITE | CmdFlag.MAY_REPLICATE)) !== 0;
}

function end(s: ServerContext, p: Pause): void {
  const was = engaged(p);
  p.until = 0;
  active -= was && !engaged(p) ? 1 : 0;
  if (p.timer !== undefined) clearTimeout(p.timer);
  p.timer = undefined;
  for (const c of s.clients.values()) (c as PausableClient).resumeAfterPause?.();
}

// CLIENT PAUSE timeout [WRITE|ALL]
export function cmdClientPause(c: Client, argv: Args): void {
  const ms = intRangeArgOrReply(c, argv, 2, -9223372036854775807, 9223372036854775807, "ERR timeout is not an integer or out of range");
  if (ms === undefined) return;
  if (ms < 0) return c.reply.error("ERR timeout is negative");
  let writesOnly = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3]!, "write")) writesOnly = true;
    else if (!isKeyword(argv[3]!, "all")) return c.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  } else if (argv.length > 4) return c.reply.error("ERR syntax error");
  const p = pauseOf(c.server);
  // A later pause extends (never shortens) the current one; ALL wins over WRITE while both last.
  const running = p.until !== 0;
  if (!engaged(p)) active++;
  const until = Date.now() + ms;
  if (!running || until > p.until) p.until = until;
  p.writesOnly = running ? p.writesOnly && writesOnly : writesOnly;
  if (p.timer !== undefined) clearTimeout(p.timer);
  const pause = p;
  const server = c.server;
  p.timer = setTimeout(() => end(server, pause), Math.max(0, p.until - Date.now()));
  p.timer.unref?.();
  c.reply.ok();
}

// CLIENT UNPAUSE
export function cmdClientUnpause(c: Client): void {
  const p = pauses.get(c.server);
  if (p !== undefined && p.until !== 0) end(c.server, p);
  c.reply.ok();
}
