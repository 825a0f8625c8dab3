// MONITOR: a client in monitor mode receives a line for every command the server runs, in
// Redis's format: `+<unix seconds>.<micros> [<db> <addr>] "cmd" "arg" ...` (sdscatrepr quoting),
// `lua` as the address of a script's redis.call, AUTH and HELLO's passwords `(redacted)`, and
// admin commands (CONFIG, CLIENT, DEBUG...) never shown. As in Redis 7.0, EVAL/FCALL and EXEC are
// shown before they run (their inner commands follow them), everything else once it ran.
//
// Several workers: each worker shows the commands of its own clients (a forwarded command once,
// where it was received); a MONITOR client sees the commands of the clients on its worker.
import { CmdFlag, type Args, type Client, type CommandEntry, type ServerContext } from "./types.ts";
import { defineCommand } from "./define.ts";
import type { PubSubClient } from "./pubsub.ts";

const monitors = new WeakMap<ServerContext, Set<Client>>();
/** MONITOR clients of every server in this process: while 0, a command costs one test. */
let count = 0;

/** True when someone monitors this server. */
export function monitoring(s: ServerContext): boolean {
  if (count === 0) return false;
  const set = monitors.get(s);
  return set !== undefined && set.size > 0;
}

function repr(b: Uint8Array): string {
  let s = '"';
  for (const x of b) {
    if (x === 92) s += "\\\\";
    else if (x === 34) s += '\\"';
    else if (x === 10) s += "\\n";
    else if (x === 13) s += "\\r";
    else if (x === 9) s += "\\t";
    else if (x === 7) s += "\\a";
    else if (x === 8) s += "\\b";
    else if (x >= 32 && x < 127) s += String.fromCharCode(x);
    else s += `\\x${x.toString(16).padStart(2, "0")}`;
  }
  return `${s}"`;
}

const dec = new TextDecoder();
const lower = (b: Uint8Array): string => dec.decode(b).toLowerCase();

/** The arguments as shown: passwords of AUTH and HELLO ... AUTH user pass redacted. */
function shown(argv: Args): string[] {
  const name = lower(argv[0]!);
  const out = argv.map(repr);
  if (name === "auth") for (let i = 1; i < out.length; i++) out[i] = '"(redacted)"';
  if (name === "hello") {
    for (let i = 1; i < argv.length; i++) {
      if (lower(argv[i]!) === "auth") {
        for (let j = i + 1; j <= i + 2 && j < out.length; j++) out[j] = '"(redacted)"';
        break;
      }
    }
  }
  return out;
}

/** Shows a command to every monitor (`addr` overrides the client's address: `lua`). */
export function feedMonitors(c: Client, entry: CommandEntry, argv: Args, addr?: string): void {
  const set = monitors.get(c.server);
  if (set === undefined || set.size === 0 || (entry.flags & CmdFlag.ADMIN) !== 0) return;
  const t = performance.timeOrigin + performance.now(); // ms, to the microsecond
  const secs = Math.floor(t / 1000);
  const micros = Math.floor((t - secs * 1000) * 1000);
  const where = addr ?? (c.remoteAddress.includes(":") ? `[${c.remoteAddress}]:${c.remotePort}` : `${c.remoteAddress}:${c.remotePort}`);
  const line = `${secs}.${String(micros).padStart(6, "0")} [${c.dbIndex} ${where}] ${shown(argv).join(" ")}`;
  for (const m of set) {
    m.reply.simple(line);
    (m as PubSubClient).flush?.();
  }
}

/** A monitor that disconnected or was RESET. */
export function forgetMonitor(c: Client): void {
  if (count > 0 && monitors.get(c.server)?.delete(c) === true) count--;
}

/** Commands shown before they run, so that what they run follows them. */
export const FEED_BEFORE: ReadonlySet<string> = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "exec"]);

// MONITOR
function cmdMonitor(c: Client): void {
  let set = monitors.get(c.server);
  if (set === undefined) monitors.set(c.server, (set = new Set()));
  if (!set.has(c)) {
    set.add(c);
    count++;
  }
  c.reply.ok();
}

export const monitorCommands: CommandEntry[] = [
  defineCommand({ name: "monitor", arity: 1, flags: CmdFlag.ADMIN | CmdFlag.NOSCRIPT | CmdFlag.LOADING | CmdFlag.STALE, categories: ["admin", "slow", "dangerous"],
    summary: "Listen for all requests received by the server in real time", since: "1.0.0", handler: cmdMonitor }),
];
