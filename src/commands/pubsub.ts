// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH. Subscribers are this process's
// clients; with several workers PUBLISH is run by every worker (src/cluster/aggregate.ts) and the
// receiver counts add up, so a message reaches subscribers on all of them. Messages are pushes
// (`>` in RESP3, arrays in RESP2) written to the subscriber's connection at once.

import { globMatch } from "../engine/glob.ts";
import { defineCommand } from "./define.ts";
import { changeLocalInterest, mayReceiveKeyspaceEvents } from "./notify.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry, type ServerContext } from "./types.ts";

/** Subscription counts live on the client object (Connection declares `subscriptions`). */
export interface PubSubClient {
  subscriptions?: number;
  /** Writes the client's pending replies now (a Connection); absent on fakes. */
  flush?(): void;
}

interface ClientSubs {
  channels: Set<string>;
  patterns: Set<string>;
  /** Shard channels (SSUBSCRIBE): their own namespace and count. */
  shards: Set<string>;
}

interface PubSubState {
  channels: Map<string, Set<Client>>;
  patterns: Map<string, { pattern: Uint8Array; clients: Set<Client> }>;
  shards: Map<string, Set<Client>>;
  clients: Map<Client, ClientSubs>;
}

const states = new WeakMap<ServerContext, PubSubState>();
const stateOf = (s: ServerContext): PubSubState => {
  let st = states.get(s);
  if (st === undefined) {
    st = { channels: new Map(), patterns: new Map(), shards: new Map(), clients: new Map() };
    states.set(s, st);
  }
  return st;
};

const name = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
const bytes = (s: string): Uint8Array => Buffer.from(s, "latin1");

/** Commands a RESP2 client may send while subscribed. */
const ALLOWED_SUBSCRIBED = new Set(["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "ping", "quit", "reset"]);

/** The error for a command a subscribed RESP2 client may not run, or undefined. */
export function subscribedModeError(c: Client, entry: CommandEntry): string | undefined {
  const top = entry.name.includes("|") ? entry.name.slice(0, entry.name.indexOf("|")) : entry.name;
  if (ALLOWED_SUBSCRIBED.has(top)) return undefined;
  return `ERR Can't execute '${entry.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

function subsOf(st: PubSubState, c: Client): ClientSubs {
  let s = st.clients.get(c);
  if (s === undefined) {
    s = { channels: new Set(), patterns: new Set(), shards: new Set() };
    st.clients.set(c, s);
  }
  return s;
}

/** Channels + patterns of `c` (what (P)SUBSCRIBE replies count); every kind puts it in subscribed mode. */
function count(st: PubSubState, c: Client): number {
  const s = st.clients.get(c);
  const n = s === undefined ? 0 : s.channels.size + s.patterns.size;
  const all = s === undefined ? 0 : n + s.shards.size;
  (c as PubSubClient).subscriptions = all;
  if (all === 0) st.clients.delete(c);
  return n;
}

/** Shard channels of `c` (what SSUBSCRIBE replies count). */
function shardCount(st: PubSubState, c: Client): number {
  const n = st.clients.get(c)?.shards.size ?? 0;
  count(st, c);
  return n;
}

function confirm(c: Client, kind: string, target: Uint8Array | null, n: number): void {
  const r = c.reply;
  r.pushHeader(3);
  r.bulkString(kind);
  if (target === null) r.nullBulk();
  else r.bulk(target);
  r.integer(n);
}

// SUBSCRIBE channel [channel ...]
function cmdSubscribe(c: Client, argv: Args): void {
  const st = stateOf(c.server);
  const subs = subsOf(st, c);
  for (let i = 1; i < argv.length; i++) {
    const ch = name(argv[i]!);
    if (!subs.channels.has(ch)) {
      subs.channels.add(ch);
      let set = st.channels.get(ch);
      if (set === undefined) st.channels.set(ch, (set = new Set()));
      set.add(c);
      if (mayReceiveKeyspaceEvents(ch, false)) changeLocalInterest(c.server, 1);
    }
    confirm(c, "subscribe", argv[i]!, count(st, c));
  }
}

// PSUBSCRIBE pattern [pattern ...]
function cmdPsubscribe(c: Client, argv: Args): void {
  const st = stateOf(c.server);
  const subs = subsOf(st, c);
  for (let i = 1; i < argv.length; i++) {
    const p = name(argv[i]!);
    if (!subs.patterns.has(p)) {
      subs.patterns.add(p);
      let e = st.patterns.get(p);
      if (e === undefined) st.patterns.set(p, (e = { pattern: argv[i]!.slice(), clients: new Set() }));
      e.clients.add(c);
      changeLocalInterest(c.server, 1);
    }
    confirm(c, "psubscribe", argv[i]!, count(st, c));
  }
}

function unsubscribeGeneric(c: Client, argv: Args, patterns: boolean): void {
  const st = stateOf(c.server);
  const subs = st.clients.get(c);
  const mine = subs === undefined ? [] : [...(patterns ? subs.patterns : subs.channels)];
  const targets = argv.length > 1 ? argv.slice(1).map(name) : mine;
  const kind = patterns ? "punsubscribe" : "unsubscribe";
  if (targets.length === 0) return confirm(c, kind, null, count(st, c));
  for (const t of targets) {
    if (subs !== undefined && (patterns ? subs.patterns : subs.channels).delete(t)) {
      if (mayReceiveKeyspaceEvents(t, patterns)) changeLocalInterest(c.server, -1);
      if (patterns) {
        const e = st.patterns.get(t);
        e?.clients.delete(c);
        if (e !== undefined && e.clients.size === 0) st.patterns.delete(t);
      } else {
        const set = st.channels.get(t);
        set?.delete(c);
        if (set !== undefined && set.size === 0) st.channels.delete(t);
      }
    }
    confirm(c, kind, bytes(t), count(st, c));
  }
}

// UNSUBSCRIBE [channel ...]
const cmdUnsubscribe = (c: Client, argv: Args): void => unsubscribeGeneric(c, argv, false);
// PUNSUBSCRIBE [pattern ...]
const cmdPunsubscribe = (c: Client, argv: Args): void => unsubscribeGeneric(c, argv, true);

// SSUBSCRIBE shardchannel [shardchannel ...]
function cmdSsubscribe(c: Client, argv: Args): void {
  const st = stateOf(c.server);
  const subs = subsOf(st, c);
  for (let i = 1; i < argv.length; i++) {
    const ch = name(argv[i]!);
    if (!subs.shards.has(ch)) {
      subs.shards.add(ch);
      let set = st.shards.get(ch);
      if (set === undefined) st.shards.set(ch, (set = new Set()));
      set.add(c);
    }
    confirm(c, "ssubscribe", argv[i]!, shardCount(st, c));
  }
}

// SUNSUBSCRIBE [shardchannel ...]
function cmdSunsubscribe(c: Client, argv: Args): void {
  const st = stateOf(c.server);
  const subs = st.clients.get(c);
  const targets = argv.length > 1 ? argv.slice(1).map(name) : subs === undefined ? [] : [...subs.shards];
  if (targets.length === 0) return confirm(c, "sunsubscribe", null, shardCount(st, c));
  for (const t of targets) {
    if (subs !== undefined && subs.shards.delete(t)) {
      const set = st.shards.get(t);
      set?.delete(c);
      if (set !== undefined && set.size === 0) st.shards.delete(t);
    }
    confirm(c, "sunsubscribe", bytes(t), shardCount(st, c));
  }
}

// SPUBLISH shardchannel message: to this worker's shard subscribers (every worker runs it, cluster/aggregate.ts)
function cmdSpublish(c: Client, argv: Args): void {
  const st = states.get(c.server);
  const set = st?.shards.get(name(argv[1]!));
  let n = 0;
  for (const sub of set ?? []) {
    const r = sub.reply;
    r.pushHeader(3);
    r.bulkString("smessage");
    r.bulk(argv[1]!);
    r.bulk(argv[2]!);
    (sub as PubSubClient).flush?.();
    n++;
  }
  c.reply.integer(n);
}

/** Delivers a message to this process's subscribers; returns how many received it. */
export function publishLocal(server: ServerContext, channel: Uint8Array, message: Uint8Array): number {
  const st = states.get(server);
  if (st === undefined) return 0;
  let n = 0;
  const touched = new Set<Client>();
  const set = st.channels.get(name(channel));
  if (set !== undefined) {
    for (const c of set) {
      const r = c.reply;
      r.pushHeader(3);
      r.bulkString("message");
      r.bulk(channel);
      r.bulk(message);
      touched.add(c);
      n++;
    }
  }
  for (const [p, e] of st.patterns) {
    if (!globMatch(e.pattern, channel)) continue;
    for (const c of e.clients) {
      const r = c.reply;
      r.pushHeader(4);
      r.bulkString("pmessage");
      r.bulk(bytes(p));
      r.bulk(channel);
      r.bulk(message);
      touched.add(c);
      n++;
    }
  }
  for (const c of touched) (c as PubSubClient).flush?.();
  return n;
}

// PUBLISH channel message
function cmdPublish(c: Client, argv: Args): void {
  c.reply.integer(publishLocal(c.server, argv[1]!, argv[2]!));
}

/** Forgets a client that disconnected. */
export function forgetSubscriber(c: Client): void {
  const st = states.get(c.server);
  const subs = st?.clients.get(c);
  if (st === undefined || subs === undefined) return;
  for (const ch of subs.channels) {
    if (mayReceiveKeyspaceEvents(ch, false)) changeLocalInterest(c.server, -1);
    const set = st.channels.get(ch);
    set?.delete(c);
    if (set !== undefined && set.size === 0) st.channels.delete(ch);
  }
  for (const p of subs.patterns) {
    changeLocalInterest(c.server, -1);
    const e = st.patterns.get(p);
    e?.clients.delete(c);
    if (e !== undefined && e.clients.size === 0) st.patterns.delete(p);
  }
  for (const ch of subs.shards) {
    const set = st.shards.get(ch);
    set?.delete(c);
    if (set !== undefined && set.size === 0) st.shards.delete(ch);
  }
  st.clients.delete(c);
  (c as PubSubClient).subscriptions = 0;
}

// PUBSUB CHANNELS [pattern]: the channels with at least one subscriber here (several workers:
// the union, src/cluster/aggregate.ts).
function cmdPubsubChannels(c: Client, argv: Args): void {
  listChannels(c, argv, false);
}

function listChannels(c: Client, argv: Args, shards: boolean): void {
  if (argv.length > 3) return c.reply.error(PUBSUB_SYNTAX(argv));
  const st = states.get(c.server);
  const glob = argv.length === 3 ? argv[2]! : undefined;
  const out: string[] = [];
  for (const ch of (shards ? st?.shards : st?.channels)?.keys() ?? []) if (glob === undefined || globMatch(glob, bytes(ch))) out.push(ch);
  c.reply.arrayHeader(out.length);
  for (const ch of out) c.reply.bulk(bytes(ch));
}

// PUBSUB NUMSUB [channel ...]: channel, count pairs (a flat array, in RESP3 too, as Redis 7.0).
function cmdPubsubNumsub(c: Client, argv: Args): void {
  countSubscribers(c, argv, false);
}

function countSubscribers(c: Client, argv: Args, shards: boolean): void {
  const st = states.get(c.server);
  c.reply.arrayHeader(2 * (argv.length - 2));
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]!);
    c.reply.integer((shards ? st?.shards : st?.channels)?.get(name(argv[i]!))?.size ?? 0);
  }
}

// PUBSUB NUMPAT: patterns with at least one subscriber.
function cmdPubsubNumpat(c: Client): void {
  c.reply.integer(states.get(c.server)?.patterns.size ?? 0);
}

/** Redis's addReplySubcommandSyntaxError for PUBSUB. */
const PUBSUB_SYNTAX = (argv: Args): string => `ERR unknown subcommand or wrong number of arguments for '${name(argv[1]!)}'. Try PUBSUB HELP.`;

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
];

const { PUBSUB, NOSCRIPT, LOADING, STALE, FAST, MAY_REPLICATE } = CmdFlag;
const psub = (n: string, arity: number, summary: string, since: string, handler: (c: Client, argv: Args) => void): CommandEntry =>
  defineCommand({ name: `pubsub|${n}`, arity, flags: PUBSUB | LOADING | STALE, categories: ["pubsub", "slow"], summary, since, handler });
const SUB_FLAGS = PUBSUB | NOSCRIPT | LOADING | STALE;

export const pubsubCommands: CommandEntry[] = [
  defineCommand({ name: "subscribe", arity: -2, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Listens for messages published to channels.", since: "2.0.0", handler: cmdSubscribe }),
  defineCommand({ name: "unsubscribe", arity: -1, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Stops listening to messages posted to channels.", since: "2.0.0", handler: cmdUnsubscribe }),
  defineCommand({ name: "psubscribe", arity: -2, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Listens for messages published to channels that match one or more patterns.", since: "2.0.0", handler: cmdPsubscribe }),
  defineCommand({ name: "punsubscribe", arity: -1, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Stops listening to messages published to channels that match one or more patterns.", since: "2.0.0", handler: cmdPunsubscribe }),
  defineCommand({ name: "publish", arity: 3, flags: PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, categories: ["pubsub", "fast"],
    summary: "Posts a message to a channel.", since: "2.0.0", handler: cmdPublish }),
  // Shard channels have no key spec here: subscribers sit on any worker, so SPUBLISH runs on all.
  defineCommand({ name: "ssubscribe", arity: -2, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Listens for messages published to shard channels.", since: "7.0.0", handler: cmdSsubscribe }),
  defineCommand({ name: "sunsubscribe", arity: -1, flags: SUB_FLAGS, categories: ["pubsub", "slow"],
    summary: "Stops listening to messages posted to shard channels.", since: "7.0.0", handler: cmdSunsubscribe }),
  defineCommand({ name: "spublish", arity: 3, flags: PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, categories: ["pubsub", "fast"],
    summary: "Post a message to a shard channel", since: "7.0.0", handler: cmdSpublish }),
  defineCommand({ name: "pubsub", arity: -2, flags: 0, categories: ["slow"], summary: "A container for Pub/Sub commands.", since: "2.8.0",
    subcommands: [
      psub("channels", -2, "Returns the active channels.", "2.8.0", cmdPubsubChannels),
      psub("numsub", -2, "Returns a count of subscribers to channels.", "2.8.0", cmdPubsubNumsub),
      psub("numpat", 2, "Returns a count of unique pattern subscriptions.", "2.8.0", cmdPubsubNumpat),
      psub("shardchannels", -2, "Returns the active shard channels.", "7.0.0", (c, argv) => listChannels(c, argv, true)),
      psub("shardnumsub", -2, "Returns the count of subscribers of shard channels.", "7.0.0", (c, argv) => countSubscribers(c, argv, true)),
      psub("help", 2, "Returns helpful text about the different subcommands.", "6.2.0", (c, argv) => replyHelp(c, argv, PUBSUB_HELP)),
    ] }),
];
