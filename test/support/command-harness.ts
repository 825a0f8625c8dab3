// Runs commands through the real command table on a fake client and server over a real Keyspace
// with a fake clock, and returns decoded replies. Family tests use it like Dragonfly's
// `Run({"set", "k", "v"})`:
//
//   const h = createHarness();
//   expect(h.run(["set", "k", "v"])).toBe("OK");
//   h.clock.advance(1000);
//
// The local dispatcher mirrors Redis's processCommand order for what a table-only test needs:
// lookup (and subcommand lookup), arity, auth, then the handler; it keeps the per-entry counters
// (calls, failed, rejected), totalCommandsProcessed and errorstats, and applies CLIENT REPLY.
import { Keyspace, type KeyspaceOptions } from "../../src/engine/keyspace.ts";
import { globMatch } from "../../src/engine/glob.ts";
import { buildCommandTable } from "../../src/commands/index.ts";
import { createLatencyMonitor, createServerStats, createSlowLog } from "../../src/commands/server-state.ts";
import { CmdFlag, type Args, type Client, type CommandEntry, type CommandTable, type ConfigStore, type ServerContext } from "../../src/commands/types.ts";
import { ERR_ARITY, ERR_NOAUTH, ERR_UNKNOWN_COMMAND, ERR_UNKNOWN_SUBCOMMAND } from "../../src/protocol/errors.ts";
import { ReplyWriter, type Resp } from "../../src/protocol/reply-writer.ts";
import { decodeAll, type DecodeOptions, type RespValue } from "./resp-decode.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

/** Redis's defaults for the parameters our commands read; anything can be added with `config`. */
export const DEFAULT_CONFIG: Readonly<Record<string, string>> = {
  requirepass: "",
  maxmemory: "0",
  "maxmemory-policy": "noeviction",
  maxclients: "10000",
  port: "6379",
  bind: "127.0.0.1",
  timeout: "0",
  appendonly: "no",
  appendfsync: "everysec",
  save: "",
  dir: "/tmp",
  dbfilename: "dump.rdb",
  databases: "1",
  "slowlog-log-slower-than": "10000",
  "slowlog-max-len": "128",
  "latency-monitor-threshold": "0",
  loglevel: "notice",
};

/** An in-memory ConfigStore for tests: any known name is settable; `validate` may refuse values. */
export class MemoryConfigStore implements ConfigStore {
  readonly values = new Map<string, string>();
  rewrites = 0;
  constructor(
    initial: Readonly<Record<string, string>> = {},
    private readonly validate?: (name: string, value: string) => string | undefined,
  ) {
    for (const [k, v] of Object.entries({ ...DEFAULT_CONFIG, ...initial })) this.values.set(k, v);
  }
  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }
  match(pattern: string): string[] {
    const p = enc.encode(pattern);
    return [...this.values.keys()].filter((k) => globMatch(p, enc.encode(k), true));
  }
  set(name: string, value: string): string | undefined {
    const key = name.toLowerCase();
    if (!this.values.has(key)) return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
    const problem = this.validate?.(key, value);
    if (problem) return problem;
    this.values.set(key, value);
    return undefined;
  }
  rewrite(): string | undefined {
    this.rewrites++;
    return undefined;
  }
}

export interface FakeClient extends Client {
  /** Set by closeAfterReply() (QUIT). */
  closing: boolean;
  /** Set by kill() (CLIENT KILL). */
  killed: boolean;
}

export interface FakeServer extends ServerContext {
  /** Every shutdown(save) call, in order. */
  shutdownCalls: (boolean | undefined)[];
}

export interface HarnessOptions {
  keyspace?: KeyspaceOptions;
  /** Initial config values on top of DEFAULT_CONFIG. */
  config?: Readonly<Record<string, string>>;
  /** A ConfigStore to use instead of MemoryConfigStore. */
  configStore?: ConfigStore;
  /** Fake clock start (unix ms). */
  now?: number;
  /** Protocol of the first client. @default 2 */
  resp?: Resp;
  commands?: CommandTable;
  decode?: DecodeOptions;
}

export interface Harness {
  /** Runs one command as the default client; returns the decoded reply (undefined when suppressed). */
  run(argv: readonly (string | Uint8Array)[]): RespValue | undefined;
  /** Runs one command as `client`. */
  runAs(client: FakeClient, argv: readonly (string | Uint8Array)[]): RespValue | undefined;
  /** Runs one command and returns the raw reply bytes (copy). */
  runRaw(argv: readonly (string | Uint8Array)[], client?: FakeClient): Uint8Array;
  /** Adds another connected client. */
  newClient(opts?: { resp?: Resp; remotePort?: number; remoteAddress?: string }): FakeClient;
  client: FakeClient;
  server: FakeServer;
  keyspace: Keyspace;
  clock: FakeClock;
  config: ConfigStore;
}

export function createHarness(opts: HarnessOptions = {}): Harness {
  const clock = fakeClock(opts.now);
  const keyspace = new Keyspace({ now: clock.now, ...opts.keyspace });
  const config = opts.configStore ?? new MemoryConfigStore(opts.config);
  const commands = opts.commands ?? buildCommandTable();
  const clients = new Map<number, Client>();
  const server: FakeServer = {
    keyspace,
    config,
    commands,
    stats: createServerStats(),
    clients,
    startedAt: clock.now(),
    runId: "0123456789abcdef0123456789abcdef01234567",
    version: "0.2.0",
    tcpPort: 6379,
    pid: process.pid,
    configFile: "",
    executable: "/usr/local/bin/fast-cache-server",
    loading: false,
    infoProviders: new Map(),
    slowlog: createSlowLog(),
    latency: createLatencyMonitor(),
    shutdownCalls: [],
    async shutdown(save) {
      server.shutdownCalls.push(save);
    },
  };
  let nextId = 1;
  let nextPort = 50_000;
  const newClient = (o: { resp?: Resp; remotePort?: number; remoteAddress?: string } = {}): FakeClient => {
    const reply = new ReplyWriter(1024);
    reply.resp = o.resp ?? 2;
    const c: FakeClient = {
      id: nextId++,
      reply,
      server,
      db: keyspace,
      name: "",
      libName: "",
      libVersion: "",
      authenticated: !config.get("requirepass"),
      createdAt: clock.now(),
      lastInteraction: clock.now(),
      remoteAddress: o.remoteAddress ?? "127.0.0.1",
      remotePort: o.remotePort ?? nextPort++,
      localPort: 6379,
      lastCommand: "NULL",
      replyMode: "on",
      noEvict: false,
      closing: false,
      killed: false,
      queryBufferBytes: () => 0,
      outputBufferBytes: () => 0,
      closeAfterReply() {
        c.closing = true;
      },
      kill() {
        c.killed = true;
        clients.delete(c.id);
      },
    };
    clients.set(c.id, c);
    server.stats.totalConnectionsReceived++;
    return c;
  };
  const client = newClient({ resp: opts.resp ?? 2 });

  const runRaw = (argv: readonly (string | Uint8Array)[], c: FakeClient = client): Uint8Array => {
    const args: Args = argv.map((a) => (typeof a === "string" ? enc.encode(a) : a));
    c.reply.reset();
    dispatchLocal(c, args, clock.now);
    return c.reply.bytes().slice();
  };
  const runAs = (c: FakeClient, argv: readonly (string | Uint8Array)[]): RespValue | undefined => {
    const values = decodeAll(runRaw(argv, c), opts.decode);
    if (values.length > 1) throw new Error(`command produced ${values.length} replies`);
    return values[0];
  };
  return { run: (argv) => runAs(client, argv), runAs, runRaw, newClient, client, server, keyspace, clock, config };
}

/** Finds the entry to run: the command, or its subcommand for containers. Replies on failure. */
export function resolveCommand(c: Client, argv: Args): CommandEntry | undefined {
  const name = dec.decode(argv[0]!).toLowerCase();
  const entry = c.server.commands.get(name);
  if (!entry) {
    // Redis: each argument quoted, at most 128 characters of arguments in all.
    let preview = "";
    for (let i = 1; i < argv.length && preview.length < 128; i++) {
      preview += `'${dec.decode(argv[i]!).slice(0, 128 - preview.length)}' `;
    }
    c.reply.error(ERR_UNKNOWN_COMMAND(dec.decode(argv[0]!).slice(0, 128), preview));
    return undefined;
  }
  if (!arityOk(entry.arity, argv.length)) {
    entry.rejectedCalls++;
    c.reply.error(ERR_ARITY(entry.name));
    return undefined;
  }
  // A container called alone runs its own handler when it has one (COMMAND); Redis does the same.
  if (!entry.subcommands || argv.length === 1) return entry;
  const subName = dec.decode(argv[1]!).toLowerCase();
  const sub = entry.subcommands.find((s) => s.name === `${entry.name}|${subName}`);
  if (!sub) {
    c.reply.error(ERR_UNKNOWN_SUBCOMMAND(dec.decode(argv[1]!), entry.name));
    return undefined;
  }
  if (!arityOk(sub.arity, argv.length)) {
    sub.rejectedCalls++;
    c.reply.error(ERR_ARITY(sub.name));
    return undefined;
  }
  return sub;
}

function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

/** The harness's stand-in for src/server/dispatch.ts. */
export function dispatchLocal(c: Client, argv: Args, now: () => number = Date.now): void {
  const before = c.reply.len;
  const modeBefore = c.replyMode;
  const entry = resolveCommand(c, argv);
  if (entry && !entry.handler) {
    entry.rejectedCalls++;
    c.reply.error(ERR_ARITY(entry.name));
  } else if (entry) {
    if (!c.authenticated && c.server.config.get("requirepass") && !(entry.flags & CmdFlag.NO_AUTH)) {
      entry.rejectedCalls++;
      c.reply.error(ERR_NOAUTH);
    } else {
      c.lastCommand = entry.name;
      const t0 = performance.now();
      entry.handler!(c, argv);
      entry.usec += Math.round((performance.now() - t0) * 1000);
      entry.calls++;
      c.server.stats.totalCommandsProcessed++;
      if (c.reply.len > before && c.reply.buf[before] === 45 /* - */) entry.failedCalls++;
    }
  }
  c.lastInteraction = now();
  if (c.reply.len > before && c.reply.buf[before] === 45) {
    const text = dec.decode(c.reply.buf.subarray(before + 1, Math.min(c.reply.len, before + 64)));
    const code = text.split(/[ \r]/, 1)[0]!;
    c.server.stats.errorReplies++;
    c.server.stats.errorCounts.set(code, (c.server.stats.errorCounts.get(code) ?? 0) + 1);
  }
  // CLIENT REPLY: OFF drops every reply; SKIP drops the next command's reply, then turns back on.
  if (c.replyMode !== "on") c.reply.len = before;
  if (modeBefore === "skip" && c.replyMode === "skip") c.replyMode = "on";
}
