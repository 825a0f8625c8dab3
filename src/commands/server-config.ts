// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the server's ConfigStore.
import { bytesToString } from "./args.ts";
import { defineCommand } from "./define.ts";
import { resetInfoState } from "./info.ts";
import { resetServerStats } from "./server-state.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { ADMIN, NOSCRIPT, LOADING, STALE } = CmdFlag;

export const ERR_CONFIG_UNKNOWN = (name: string): string => `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
export const ERR_CONFIG_FAILED = (name: string, why: string): string =>
  `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`;

function withErr(msg: string): string {
  return /^[A-Z]+ /.test(msg) ? msg : `ERR ${msg}`;
}

// CONFIG GET parameter [parameter ...]
function cmdGet(c: Client, argv: Args): void {
  const names = new Set<string>();
  for (let i = 2; i < argv.length; i++) {
    const p = bytesToString(argv[i]!);
    // An exact name (also for names a glob would not list, such as aliases) or a pattern.
    if (!/[*?[\\]/.test(p) && c.server.config.get(p) !== undefined) names.add(p.toLowerCase());
    else for (const n of c.server.config.match(p)) names.add(n);
  }
  c.reply.mapHeader(names.size);
  for (const n of names) {
    c.reply.bulkString(n);
    c.reply.bulkString(c.server.config.get(n) ?? "");
  }
}

// CONFIG SET parameter value [parameter value ...]: all or nothing, like Redis 7.
function cmdSet(c: Client, argv: Args): void {
  if (argv.length % 2 !== 0) return c.reply.error("ERR wrong number of arguments for 'config|set' command");
  const cfg = c.server.config;
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 2; i < argv.length; i += 2) {
    const name = bytesToString(argv[i]!);
    const lower = name.toLowerCase();
    if (cfg.get(lower) === undefined) return c.reply.error(ERR_CONFIG_UNKNOWN(name));
    if (seen.has(lower)) return c.reply.error(ERR_CONFIG_FAILED(name, "duplicate parameter"));
    seen.add(lower);
    pairs.push([lower, bytesToString(argv[i + 1]!)]);
  }
  const applied: [string, string][] = [];
  for (const [name, value] of pairs) {
    const old = cfg.get(name)!;
    const problem = cfg.set(name, value);
    if (problem !== undefined) {
      for (const [n, v] of applied.reverse()) cfg.set(n, v);
      return c.reply.error(problem.startsWith("ERR ") ? problem : ERR_CONFIG_FAILED(name, problem));
    }
    applied.push([name, old]);
  }
  c.reply.ok();
}

function zeroCounters(e: CommandEntry): void {
  e.calls = e.usec = e.rejectedCalls = e.failedCalls = 0;
  e.latency = undefined; // latency histograms (latency-histogram.ts)
  for (const s of e.subcommands ?? []) zeroCounters(s);
}

/**
 * CONFIG RESETSTAT: server counters, per-command stats, error stats, engine hit/miss/expiry/eviction
 * counters, latency histograms and the memory peak. As in Redis, the slow log and latency samples are kept.
 */
function cmdResetStat(c: Client): void {
  const s = c.server;
  // Engine first: the server's keyspaceHits/Misses may be views over the engine's counters.
  s.databases.each((_db, ks) => ks.resetStats());
  resetServerStats(s.stats);
  for (const e of s.commands.all()) zeroCounters(e);
  resetInfoState(s);
  c.reply.ok();
}

// CONFIG REWRITE
function cmdRewrite(c: Client): void {
  const problem = c.server.config.rewrite();
  if (problem !== undefined) c.reply.error(withErr(problem));
  else c.reply.ok();
}

const HELP_LINES = [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
];

const CATS = ["admin", "slow", "dangerous"] as const;
const SUB = ADMIN | NOSCRIPT | LOADING | STALE;

export const configCommand: CommandEntry = defineCommand({
  name: "config",
  arity: -2,
  flags: 0,
  categories: ["slow"],
  summary: "A container for server configuration commands.",
  since: "2.0.0",
  subcommands: [
    defineCommand({ name: "config|get", arity: -3, flags: SUB, categories: CATS, summary: "Returns the effective values of configuration parameters.", since: "2.0.0", handler: cmdGet }),
    defineCommand({ name: "config|set", arity: -4, flags: SUB, categories: CATS, summary: "Sets configuration parameters in-flight.", since: "2.0.0", handler: cmdSet }),
    defineCommand({ name: "config|resetstat", arity: 2, flags: SUB, categories: CATS, summary: "Resets the server's statistics.", since: "2.0.0", handler: cmdResetStat }),
    defineCommand({ name: "config|rewrite", arity: 2, flags: SUB, categories: CATS, summary: "Persists the effective configuration to file.", since: "2.8.0", handler: cmdRewrite }),
    defineCommand({
      name: "config|help",
      arity: 2,
      flags: LOADING | STALE,
      categories: ["slow"],
      summary: "Returns helpful text about the different subcommands.",
      since: "5.0.0",
      handler: (c, argv) => replyHelp(c, argv, HELP_LINES),
    }),
  ],
});
