// Runs commands through the real command table on a fake client and server over a real Keyspace
// with a fake clock, and returns decoded replies. Family tests use it like Dragonfly's
// `Run({"set", "k", "v"})`:
//
//   const h = createHarness();
//   expect(h.run(["set", "k", "v"])).toBe("OK");
//   h.clock.advance(1000);
//
// Commands go through the server's real Dispatcher (src/server/dispatch.ts: lookup, subcommands,
// arity, auth, loading, OOM, counters, errorstats, slow log, CLIENT REPLY) and the real
// ServerConfigStore over typed defaults; only the connection and the clock are fakes.
import { Keyspace, type KeyspaceOptions } from "../../src/engine/keyspace.ts";
import { globMatch } from "../../src/engine/glob.ts";
import { buildCommandTable } from "../../src/commands/index.ts";
import { createLatencyMonitor, createSlowLog } from "../../src/commands/server-state.ts";
import type { Args, Client, CommandTable, ConfigStore, ServerContext } from "../../src/commands/types.ts";
import { defaultConfig, type ServerConfig } from "../../src/config/params.ts";
import { ServerConfigStore } from "../../src/config/store.ts";
import { Dispatcher } from "../../src/server/dispatch.ts";
import { Databases } from "../../src/engine/databases.ts";
import { createStatsFor } from "../../src/server/context.ts";
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

/** Defaults of MemoryConfigStore (a stand-in store for CONFIG tests). */
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
  databases: "16",
  "slowlog-log-slower-than": "10000",
  "slowlog-max-len": "128",
  "latency-monitor-threshold": "0",
  loglevel: "notice",
};

/** An in-memory ConfigStore for CONFIG tests: any known name is settable; `validate` may refuse values. */
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
  /** Config values set through the real store before the first command (Redis names and syntax). */
  config?: Readonly<Record<string, string>>;
  /**
   * A ConfigStore that CONFIG commands see instead of the real one (e.g. MemoryConfigStore).
   * The dispatcher keeps reading the typed values (`harness.values`).
   */
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
  /** The typed config the dispatcher reads (requirepass, slowlog thresholds...). */
  values: ServerConfig;
  dispatcher: Dispatcher;
}

export function createHarness(opts: HarnessOptions = {}): Harness {
  const clock = fakeClock(opts.now);
  const keyspace = new Keyspace({ now: clock.now, ...opts.keyspace });
  const values = defaultConfig();
  const realStore = new ServerConfigStore(values);
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    const problem = realStore.set(k, v);
    if (problem !== undefined) throw new Error(`harness config ${k}=${v}: ${problem}`);
  }
  const config = opts.configStore ?? realStore;
  const commands = opts.commands ?? buildCommandTable();
  const clients = new Map<number, Client>();
  const databases = new Databases(keyspace, Number(config.get("databases") ?? 16), (index) => new Keyspace({ now: clock.now, ...opts.keyspace, db: index }));
  const server: FakeServer = {
    keyspace,
    databases,
    config,
    commands,
    stats: createStatsFor(databases),
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
    cluster: undefined,
    replicaReadOnly: false,
    shutdownCalls: [],
    shutdown(save) {
      server.shutdownCalls.push(save);
      return undefined;
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
      dbIndex: 0,
      get db() {
        return databases.at(this.dbIndex);
      },
      name: "",
      libName: "",
      libVersion: "",
      authenticated: values.requirepass === "",
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
  const dispatcher = new Dispatcher({ commands, config: values, keyspace, server });

  const runRaw = (argv: readonly (string | Uint8Array)[], c: FakeClient = client): Uint8Array => {
    const args: Args = argv.map((a) => (typeof a === "string" ? enc.encode(a) : a));
    c.reply.reset();
    dispatcher.run(c, args);
    c.lastInteraction = clock.now();
    return c.reply.bytes().slice();
  };
  const runAs = (c: FakeClient, argv: readonly (string | Uint8Array)[]): RespValue | undefined => {
    const values = decodeAll(runRaw(argv, c), opts.decode);
    if (values.length > 1) throw new Error(`command produced ${values.length} replies`);
    return values[0];
  };
  return { run: (argv) => runAs(client, argv), runAs, runRaw, newClient, client, server, keyspace, clock, config, values, dispatcher };
}
