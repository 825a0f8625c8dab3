// SLOWLOG (GET LEN RESET HELP) and LATENCY (LATEST HISTORY RESET DOCTOR HELP), in Redis 7.0's
// reply shapes. Recording happens elsewhere (server-state.ts: slowlogRecord, latencyRecord).
import { bytesToString, parseInt64 } from "./args.ts";
import { defineCommand } from "./define.ts";
import { replyHelp } from "./server-help.ts";
import { cmdLatencyHistogram } from "./latency-histogram.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { ADMIN, NOSCRIPT, LOADING, STALE } = CmdFlag;
export const ERR_SLOWLOG_COUNT = "ERR count should be greater than or equal to -1";

// SLOWLOG GET [count]: newest first; default 10, -1 for all.
function cmdSlowlogGet(c: Client, argv: Args): void {
  let count = 10;
  if (argv.length === 3) {
    count = parseInt64(argv[2]!);
    if (Number.isNaN(count) || count < -1) return c.reply.error(ERR_SLOWLOG_COUNT);
  }
  const entries = c.server.slowlog.entries;
  const n = count === -1 ? entries.length : Math.min(count, entries.length);
  const r = c.reply;
  r.arrayHeader(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    r.arrayHeader(6);
    r.integer(e.id);
    r.integer(e.time);
    r.integer(e.durationUs);
    r.stringArray(e.args);
    r.bulkString(e.peer);
    r.bulkString(e.clientName);
  }
}

const SLOWLOG_HELP = [
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
];

const ADMIN_CATS = ["admin", "slow", "dangerous"] as const;
const SUB = ADMIN | LOADING | STALE;

export const slowlogCommand: CommandEntry = defineCommand({
  name: "slowlog",
  arity: -2,
  flags: 0,
  categories: ["slow"],
  summary: "A container for slow log commands.",
  since: "2.2.12",
  subcommands: [
    defineCommand({ name: "slowlog|get", arity: -2, flags: SUB, categories: ADMIN_CATS, summary: "Returns the slow log's entries.", since: "2.2.12", handler: cmdSlowlogGet }),
    defineCommand({
      name: "slowlog|len",
      arity: 2,
      flags: SUB,
      categories: ADMIN_CATS,
      summary: "Returns the number of entries in the slow log.",
      since: "2.2.12",
      handler: (c) => c.reply.integer(c.server.slowlog.entries.length),
    }),
    defineCommand({
      name: "slowlog|reset",
      arity: 2,
      flags: SUB,
      categories: ADMIN_CATS,
      summary: "Clears all entries from the slow log.",
      since: "2.2.12",
      handler: (c) => {
        c.server.slowlog.reset();
        c.reply.ok();
      },
    }),
    defineCommand({
      name: "slowlog|help",
      arity: 2,
      flags: LOADING | STALE,
      categories: ["slow"],
      summary: "Show helpful text about the different subcommands",
      since: "6.2.0",
      handler: (c, argv) => replyHelp(c, argv, SLOWLOG_HELP),
    }),
  ],
});

// LATENCY LATEST: [event, time of latest sample, latest ms, all-time max ms] per event.
function cmdLatencyLatest(c: Client): void {
  const r = c.reply;
  const events = [...c.server.latency.events].filter(([, e]) => e.samples.length > 0);
  r.arrayHeader(events.length);
  for (const [name, e] of events) {
    const last = e.samples[e.samples.length - 1]!;
    r.arrayHeader(4);
    r.bulkString(name);
    r.integer(last[0]);
    r.integer(last[1]);
    r.integer(e.max);
  }
}

// LATENCY HISTORY event: [time, ms] samples, oldest first.
function cmdLatencyHistory(c: Client, argv: Args): void {
  const e = c.server.latency.events.get(bytesToString(argv[2]!));
  const samples = e?.samples ?? [];
  c.reply.arrayHeader(samples.length);
  for (const [t, ms] of samples) {
    c.reply.arrayHeader(2);
    c.reply.integer(t);
    c.reply.integer(ms);
  }
}

// LATENCY RESET [event ...]: number of event series removed.
function cmdLatencyReset(c: Client, argv: Args): void {
  c.reply.integer(c.server.latency.reset(argv.slice(2).map(bytesToString)));
}

export const LATENCY_DISABLED_REPORT =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
export const LATENCY_NO_SPIKES_REPORT =
  "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";

// LATENCY DOCTOR: a human readable report (verbatim text in RESP3).
function cmdLatencyDoctor(c: Client): void {
  const threshold = Number(c.server.config.get("latency-monitor-threshold") ?? "0");
  const events = [...c.server.latency.events].filter(([, e]) => e.samples.length > 0);
  if (events.length === 0) {
    c.reply.verbatim(threshold > 0 ? LATENCY_NO_SPIKES_REPORT : LATENCY_DISABLED_REPORT);
    return;
  }
  let text = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  let i = 1;
  for (const [name, e] of events) {
    const sum = e.samples.reduce((a, [, ms]) => a + ms, 0);
    const avg = Math.round(sum / e.samples.length);
    const dev = Math.round(e.samples.reduce((a, [, ms]) => a + Math.abs(ms - avg), 0) / e.samples.length);
    const period = e.samples.length > 1 ? Math.round((e.samples[e.samples.length - 1]![0] - e.samples[0]![0]) / (e.samples.length - 1)) : 0;
    text += `${i++}. ${name}: ${e.samples.length} latency spikes (average ${avg}ms, mean deviation ${dev}ms, period ${period} sec). Worst all time event ${e.max}ms.\n`;
  }
  text += "\nI have no advice for you beyond the above, Dave.\n";
  c.reply.verbatim(text);
}

const LATENCY_HELP = [
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
];

const LSUB = ADMIN | NOSCRIPT | LOADING | STALE;
export const latencyCommand: CommandEntry = defineCommand({
  name: "latency",
  arity: -2,
  flags: 0,
  categories: ["slow"],
  summary: "A container for latency diagnostics commands.",
  since: "2.8.13",
  subcommands: [
    defineCommand({ name: "latency|latest", arity: 2, flags: LSUB, categories: ADMIN_CATS, summary: "Returns the latest latency samples for all events.", since: "2.8.13", handler: cmdLatencyLatest }),
    defineCommand({ name: "latency|history", arity: 3, flags: LSUB, categories: ADMIN_CATS, summary: "Returns timestamp-latency samples for an event.", since: "2.8.13", handler: cmdLatencyHistory }),
    defineCommand({ name: "latency|reset", arity: -2, flags: LSUB, categories: ADMIN_CATS, summary: "Resets the latency data for one or more events.", since: "2.8.13", handler: cmdLatencyReset }),
    defineCommand({ name: "latency|histogram", arity: -2, flags: LSUB, categories: ADMIN_CATS, summary: "Returns the cumulative distribution of latencies of a subset or all commands.", since: "7.0.0", handler: cmdLatencyHistogram }),
    defineCommand({ name: "latency|doctor", arity: 2, flags: LSUB, categories: ADMIN_CATS, summary: "Returns a human-readable latency analysis report.", since: "2.8.13", handler: cmdLatencyDoctor }),
    defineCommand({
      name: "latency|help",
      arity: 2,
      flags: LOADING | STALE,
      categories: ["slow"],
      summary: "Returns helpful text about the different subcommands.",
      since: "2.8.13",
      handler: (c, argv) => replyHelp(c, argv, LATENCY_HELP),
    }),
  ],
});
