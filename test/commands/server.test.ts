import { describe, expect, test } from "bun:test";
import { latencyRecord, slowlogRecord } from "../../src/commands/server-state.ts";
import { createHarness, MemoryConfigStore } from "../support/command-harness.ts";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);

/** INFO text → field map (section headers and blank lines skipped). */
function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

describe("COMMAND", () => {
  test("COMMAND lists every command in the 10-field shape of Redis 7", () => {
    const h = createHarness();
    const all = h.run(["command"]) as unknown[][];
    expect(all.length).toBe(h.run(["command", "count"]) as number);
    const ping = all.find((row) => row[0] === "ping")!;
    expect(ping).toEqual(["ping", -1, ["fast"], 0, 0, 0, ["@fast", "@connection"], [], [], []]);
    const config = all.find((row) => row[0] === "config")!;
    expect((config[9] as unknown[][]).map((s) => s[0])).toContain("config|get");
  });

  test("COMMAND INFO describes named commands (subcommands by container|sub), null for unknown", () => {
    const h = createHarness();
    const [dbsize, sub, missing] = h.run(["command", "info", "DBSIZE", "client|kill", "nosuch"]) as unknown[][];
    expect(dbsize).toEqual(["dbsize", 1, ["readonly", "fast"], 0, 0, 0, ["@keyspace", "@read", "@fast"], [], [], []]);
    expect(sub![0]).toBe("client|kill");
    expect(sub![2]).toEqual(["admin", "noscript", "loading", "stale"]);
    expect(missing).toBeNull();
  });

  test("COMMAND INFO uses sets for flags and categories in RESP3", () => {
    const h = createHarness({ resp: 3 });
    const [row] = h.run(["command", "info", "ping"]) as unknown[][];
    expect(row![2]).toEqual(new Set(["fast"]));
    expect(row![6]).toEqual(new Set(["@fast", "@connection"]));
  });

  test("COMMAND DOCS returns a map of summaries, with subcommands for containers", () => {
    const h = createHarness({ resp: 3 });
    const docs = h.run(["command", "docs", "echo", "config", "nosuch"]) as Map<string, Map<string, unknown>>;
    expect([...docs.keys()]).toEqual(["echo", "config"]);
    expect(docs.get("echo")!.get("summary")).toBe("Returns the given string.");
    expect(docs.get("echo")!.get("group")).toBe("connection");
    expect(docs.get("echo")!.get("since")).toBe("1.0.0");
    expect([...(docs.get("config")!.get("subcommands") as Map<string, unknown>).keys()]).toContain("config|set");
  });

  test("COMMAND LIST filters by pattern and ACL category, and knows no modules", () => {
    const h = createHarness();
    const all = h.run(["command", "list"]) as string[];
    expect(all).toContain("ping");
    expect(all).toContain("client|setname");
    expect(h.run(["command", "list", "filterby", "pattern", "con*"])).toEqual([
      "config",
      "config|get",
      "config|set",
      "config|resetstat",
      "config|rewrite",
      "config|help",
    ]);
    expect(h.run(["command", "list", "filterby", "aclcat", "connection"])).toContain("hello");
    expect(h.run(["command", "list", "filterby", "module", "x"])).toEqual([]);
    expect(h.run(["command", "list", "filterby", "foo", "x"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["command", "list", "foo"])).toEqual({ error: "ERR syntax error" });
  });

  test("COMMAND GETKEYS reads the key spec and reports Redis's errors", () => {
    const h = createHarness();
    expect(h.run(["command", "getkeys", "ping", "x"])).toEqual({ error: "ERR The command has no key arguments" });
    expect(h.run(["command", "getkeys", "nosuch", "x"])).toEqual({ error: "ERR Invalid command specified" });
    expect(h.run(["command", "getkeys", "get"])).toEqual({ error: "ERR wrong number of arguments for 'command|getkeys' command" });
    const get = h.server.commands.get("get");
    if (get) {
      expect(h.run(["command", "getkeys", "get", "k"])).toEqual(["k"]);
      expect(h.run(["command", "getkeys", "get", "a", "b"])).toEqual({ error: "ERR Invalid number of arguments specified for command" });
    }
    const mset = h.server.commands.get("mset");
    if (mset) expect(h.run(["command", "getkeys", "mset", "a", "1", "b", "2"])).toEqual(["a", "b"]);
  });

  test("COMMAND HELP and COUNT arity", () => {
    const h = createHarness();
    const help = h.run(["command", "help"]) as string[];
    expect(help[0]).toBe("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help).toContain("GETKEYS <full-command>");
    expect(h.run(["command", "count", "x"])).toEqual({ error: "ERR wrong number of arguments for 'command|count' command" });
  });
});

describe("CONFIG", () => {
  test("CONFIG GET matches patterns and returns pairs (a map in RESP3)", () => {
    const h = createHarness();
    expect(h.run(["config", "get", "maxmemory"])).toEqual(["maxmemory", "0"]);
    expect(h.run(["config", "get", "maxmemory", "maxmemory"])).toEqual(["maxmemory", "0"]);
    const many = h.run(["config", "get", "max*"]) as string[];
    expect(many).toContain("maxclients");
    expect(h.run(["config", "get", "nosuch"])).toEqual([]);
    h.run(["hello", "3"]);
    expect(h.run(["config", "get", "maxclients"])).toEqual(new Map([["maxclients", "10000"]]) as never);
  });

  test("CONFIG SET changes values and reports unknown, duplicate and invalid parameters", () => {
    const h = createHarness();
    expect(h.run(["config", "set", "maxmemory", "100", "timeout", "5"])).toBe("OK");
    expect(h.config.get("maxmemory")).toBe("100");
    expect(h.config.get("timeout")).toBe("5");
    expect(h.run(["config", "set", "foo", "1"])).toEqual({ error: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'" });
    expect(h.run(["config", "set", "maxmemory", "1", "maxmemory", "2"])).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
    });
    expect(h.run(["config", "set", "maxmemory"])).toEqual({ error: "ERR wrong number of arguments for 'config|set' command" });
    expect(h.run(["config", "set", "maxmemory", "1", "timeout"])).toEqual({ error: "ERR wrong number of arguments for 'config|set' command" });
  });

  test("CONFIG SET is all or nothing when the store refuses a value", () => {
    const store = new MemoryConfigStore({}, (name, value) => (name === "maxmemory" && !/^\d+$/.test(value) ? "argument must be a memory value" : undefined));
    const h = createHarness({ configStore: store });
    expect(h.run(["config", "set", "timeout", "9", "maxmemory", "lots"])).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    expect(store.get("timeout")).toBe("0");
  });

  test("CONFIG RESETSTAT zeroes server, command and engine counters", () => {
    const h = createHarness();
    h.run(["ping"]);
    h.run(["nosuch"]);
    h.keyspace.lookup(b("missing"));
    h.run(["config", "resetstat"]);
    const ping = h.server.commands.get("ping")!;
    expect(ping.calls).toBe(0);
    expect(h.server.stats.errorCounts.size).toBe(0);
    expect(h.keyspace.stats().misses).toBe(0);
    expect(h.server.stats.keyspaceMisses).toBe(0);
    const info = fields(h.run(["info", "stats"]) as string);
    expect(info.get("total_commands_processed")).toBe("1"); // the CONFIG RESETSTAT itself, counted after it ran
    expect(info.get("keyspace_misses")).toBe("0");
  });

  test("CONFIG REWRITE without a config file fails like Redis", () => {
    const h = createHarness();
    expect(h.run(["config", "rewrite"])).toEqual({ error: "ERR The server is running without a config file" });
  });

  test("CONFIG SET reports the store's parse errors and immutable parameters", () => {
    const h = createHarness();
    const bad = h.run(["config", "set", "maxmemory", "lots"]) as { error: string };
    expect(bad.error).toStartWith("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - ");
    expect(h.run(["config", "set", "maxmemory", "1mb"])).toBe("OK");
    expect(h.run(["config", "get", "maxmemory"])).toEqual(["maxmemory", "1048576"]);
  });

  test("CONFIG REWRITE calls the store; HELP lists the subcommands", () => {
    const store = new MemoryConfigStore();
    const h = createHarness({ configStore: store });
    expect(h.run(["config", "rewrite"])).toBe("OK");
    expect(store.rewrites).toBe(1);
    expect((h.run(["config", "help"]) as string[])[0]).toBe("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  });
});

describe("INFO", () => {
  test("INFO prints the default sections in Redis's order, without commandstats", () => {
    const h = createHarness();
    const text = h.run(["info"]) as string;
    const headers = text.split("\r\n").filter((l) => l.startsWith("# "));
    expect(headers).toEqual(["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU", "# Modules", "# Errorstats", "# Cluster", "# Keyspace"]);
    const f = fields(text);
    expect(f.get("redis_version")).toBe("7.0.15");
    expect(f.get("fast_cache_version")).toBe("0.2.0");
    expect(f.get("redis_mode")).toBe("standalone");
    expect(f.get("role")).toBe("master");
    expect(f.get("connected_clients")).toBe("1");
    expect(f.get("aof_enabled")).toBe("0");
    expect(f.get("loading")).toBe("0");
    expect(Number(f.get("used_memory"))).toBeGreaterThan(0);
    expect(Number(f.get("used_memory_rss"))).toBeGreaterThan(0);
    expect(f.get("maxmemory_policy")).toBe(h.config.get("maxmemory-policy")!);
    expect(f.get("process_id")).toBe(String(process.pid));
    expect(text.endsWith("\r\n")).toBe(true);
  });

  test("INFO keyspace is empty for an empty database and counts keys and expiries otherwise", () => {
    const h = createHarness();
    expect(h.run(["info", "keyspace"])).toBe("# Keyspace\r\n");
    h.keyspace.set(b("a"), b("1"));
    h.keyspace.set(b("b"), b("2"), h.clock.now() + 10_000);
    expect(h.run(["info", "keyspace"])).toBe("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");
    expect(h.run(["dbsize"])).toBe(2);
  });

  test("INFO commandstats and errorstats count calls, failures and rejections", () => {
    const h = createHarness();
    h.run(["ping"]);
    h.run(["ping"]);
    h.run(["select", "99"]);
    h.run(["echo"]);
    h.run(["client", "getname"]);
    const text = h.run(["info", "commandstats", "errorstats"]) as string;
    expect(text).toMatch(/cmdstat_ping:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/);
    expect(text).toMatch(/cmdstat_select:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1\r\n/);
    expect(text).toMatch(/cmdstat_echo:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n/);
    expect(text).toContain("cmdstat_client|getname:calls=1,");
    expect(text).toContain("errorstat_ERR:count=2\r\n");
  });

  test("INFO stats reports engine hits, misses, expiries and evictions", () => {
    const h = createHarness();
    h.keyspace.set(b("k"), b("v"), h.clock.now() + 10);
    h.keyspace.lookup(b("k"));
    h.keyspace.lookup(b("nope"));
    h.clock.advance(20);
    h.keyspace.lookup(b("k"));
    const f = fields(h.run(["info", "stats"]) as string);
    expect(f.get("keyspace_hits")).toBe("1");
    expect(f.get("keyspace_misses")).toBe("2");
    expect(f.get("expired_keys")).toBe("1");
    expect(f.get("evicted_keys")).toBe("0");
    expect(f.get("total_connections_received")).toBe("1");
  });

  test("INFO all and everything include commandstats; unknown sections print nothing", () => {
    const h = createHarness();
    expect(h.run(["info", "all"])).toContain("# Commandstats\r\n");
    expect(h.run(["info", "everything"])).toContain("# Commandstats\r\n");
    expect(h.run(["info", "nosuch"])).toBe("");
    expect(h.run(["info", "SERVER", "cpu"])).toMatch(/^# Server\r\n[^]*\r\n\r\n# CPU\r\nused_cpu_sys:\d+\.\d{6}\r\nused_cpu_user:/);
  });

  test("info providers add sections or replace a built-in one", () => {
    const h = createHarness();
    h.server.infoProviders.set("persistence", () => "loading:0\naof_enabled:1\nrdb_last_save_time:1234\n");
    h.server.infoProviders.set("wal", () => "wal_frames:7");
    expect(h.run(["info", "persistence"])).toBe("# Persistence\r\nloading:0\r\naof_enabled:1\r\nrdb_last_save_time:1234\r\n");
    expect(h.run(["info", "wal"])).toBe("# Wal\r\nwal_frames:7\r\n");
    expect(h.run(["info"])).toContain("# Wal\r\nwal_frames:7\r\n");
    expect(h.run(["lastsave"])).toBe(1234);
  });

  test("INFO is a bulk string in RESP2 and verbatim text in RESP3", () => {
    const h = createHarness();
    expect(new TextDecoder().decode(h.runRaw(["info", "keyspace"]))).toBe("$12\r\n# Keyspace\r\n\r\n");
    h.run(["hello", "3"]);
    expect(new TextDecoder().decode(h.runRaw(["info", "keyspace"]))).toBe("=16\r\ntxt:# Keyspace\r\n\r\n");
  });

  test("uptime follows the clock", () => {
    const h = createHarness();
    h.clock.advance(90_000);
    expect(fields(h.run(["info", "server"]) as string).get("uptime_in_seconds")).toBe("90");
  });
});

describe("TIME, DBSIZE, LASTSAVE, SHUTDOWN", () => {
  test("TIME returns seconds and microseconds as bulk strings", () => {
    const h = createHarness();
    const [secs, usec] = h.run(["time"]) as string[];
    expect(Math.abs(Number(secs) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(usec)).toBeGreaterThanOrEqual(0);
    expect(Number(usec)).toBeLessThan(1_000_000);
  });

  test("DBSIZE counts keys and LASTSAVE is 0 before persistence", () => {
    const h = createHarness();
    expect(h.run(["dbsize"])).toBe(0);
    h.keyspace.set(b("x"), b("y"));
    expect(h.run(["dbsize"])).toBe(1);
    expect(h.run(["dbsize", "x"])).toEqual({ error: "ERR wrong number of arguments for 'dbsize' command" });
    expect(h.run(["lastsave"])).toBe(0);
  });

  test("SHUTDOWN passes the save choice to the server and replies nothing", () => {
    const h = createHarness();
    expect(h.run(["shutdown"])).toBeUndefined();
    expect(h.run(["shutdown", "nosave", "now"])).toBeUndefined();
    expect(h.run(["shutdown", "SAVE", "force"])).toBeUndefined();
    expect(h.server.shutdownCalls).toEqual([undefined, false, true]);
    expect(h.run(["shutdown", "save", "nosave"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["shutdown", "foo"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["shutdown", "abort"])).toEqual({ error: "ERR No shutdown in progress." });
    expect(h.server.shutdownCalls).toHaveLength(3);
  });
});

describe("SLOWLOG", () => {
  test("GET returns the newest entries first in Redis's 6-field shape", () => {
    const h = createHarness();
    for (let i = 0; i < 12; i++) {
      slowlogRecord(h.server.slowlog, 0, 128, { durationUs: 100 + i, args: ["get", `k${i}`], peer: "127.0.0.1:5000", clientName: "", time: 1000 + i });
    }
    expect(h.run(["slowlog", "len"])).toBe(12);
    const ten = h.run(["slowlog", "get"]) as unknown[][];
    expect(ten).toHaveLength(10);
    expect(ten[0]).toEqual([11, 1011, 111, ["get", "k11"], "127.0.0.1:5000", ""]);
    expect(h.run(["slowlog", "get", "-1"])).toHaveLength(12);
    expect(h.run(["slowlog", "get", "2"])).toHaveLength(2);
    expect(h.run(["slowlog", "get", "-2"])).toEqual({ error: "ERR count should be greater than or equal to -1" });
    expect(h.run(["slowlog", "get", "x"])).toEqual({ error: "ERR count should be greater than or equal to -1" });
    expect(h.run(["slowlog", "reset"])).toBe("OK");
    expect(h.run(["slowlog", "len"])).toBe(0);
    expect((h.run(["slowlog", "help"]) as string[])[1]).toBe("GET [<count>]");
  });

  test("the recorder honours the threshold and the length limit and trims long arguments", () => {
    const h = createHarness();
    const log = h.server.slowlog;
    slowlogRecord(log, -1, 128, { durationUs: 1e6, args: ["x"], peer: "", clientName: "", time: 1 });
    slowlogRecord(log, 500, 128, { durationUs: 499, args: ["x"], peer: "", clientName: "", time: 1 });
    expect(log.entries).toHaveLength(0);
    for (let i = 0; i < 5; i++) slowlogRecord(log, 0, 3, { durationUs: 1, args: ["set", "k", "v".repeat(200)], peer: "", clientName: "", time: 1 });
    expect(log.entries).toHaveLength(3);
    expect(log.entries[0]!.args[2]).toBe(`${"v".repeat(128)}... (72 more bytes)`);
  });
});

describe("LATENCY", () => {
  test("LATEST, HISTORY and RESET follow Redis's shapes", () => {
    const h = createHarness();
    latencyRecord(h.server.latency, "command", 100, 250);
    latencyRecord(h.server.latency, "command", 100, 300);
    latencyRecord(h.server.latency, "command", 105, 120);
    latencyRecord(h.server.latency, "fork", 101, 50);
    expect(h.run(["latency", "latest"])).toEqual([
      ["command", 105, 120, 300],
      ["fork", 101, 50, 50],
    ]);
    expect(h.run(["latency", "history", "command"])).toEqual([
      [100, 300],
      [105, 120],
    ]);
    expect(h.run(["latency", "history", "nosuch"])).toEqual([]);
    expect(h.run(["latency", "doctor"])).toContain("1. command: 2 latency spikes");
    expect(h.run(["latency", "reset", "fork", "nosuch"])).toBe(1);
    expect(h.run(["latency", "reset"])).toBe(1);
    expect(h.run(["latency", "latest"])).toEqual([]);
  });

  test("DOCTOR explains a disabled or quiet monitor like Redis", () => {
    const h = createHarness();
    expect(h.run(["latency", "doctor"])).toStartWith("I'm sorry, Dave, I can't do that. Latency monitoring is disabled");
    h.run(["config", "set", "latency-monitor-threshold", "100"]);
    expect(h.run(["latency", "doctor"])).toStartWith("Dave, no latency spike was observed");
    expect(h.run(["latency", "history"])).toEqual({ error: "ERR wrong number of arguments for 'latency|history' command" });
    expect((h.run(["latency", "help"]) as string[])[0]).toBe("LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  });
});
