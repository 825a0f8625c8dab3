// Config: parameters, TOML file + flags, CONFIG GET/SET/REWRITE semantics (src/config/).
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCliArgs, helpText } from "../../src/config/flags.ts";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { defaultConfig, enginePolicy, PARAMS, parseMemory } from "../../src/config/params.ts";
import { ServerConfigStore } from "../../src/config/store.ts";

const dirs: string[] = [];
function tempFile(name: string, text: string): string {
  const d = mkdtempSync(join(tmpdir(), "fc-config-"));
  dirs.push(d);
  const p = join(d, name);
  writeFileSync(p, text);
  return p;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("parameters", () => {
  test.each([
    ["0", 0],
    ["100", 100],
    ["1k", 1000],
    ["1kb", 1024],
    ["100mb", 100 * 1024 * 1024],
    ["2M", 2_000_000],
    ["1gb", 1024 ** 3],
    ["1GB", 1024 ** 3],
    ["5b", 5],
  ])("memory %j is %d bytes", (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });
  test.each(["", "mb", "-1", "1.5gb", "1tb", "12x"])("memory %j is invalid", (text) => {
    expect(parseMemory(text)).toBeUndefined();
  });
  test("Redis policy names map to the engine's policies", () => {
    expect(enginePolicy("allkeys-lru")).toBe("lru");
    expect(enginePolicy("allkeys-lfu")).toBe("s3fifo");
    expect(enginePolicy("volatile-ttl")).toBe("volatile-ttl");
    expect(enginePolicy("noeviction")).toBe("noeviction");
    expect(enginePolicy("s3fifo")).toBe("s3fifo");
    expect(enginePolicy("allkeys-s3fifo")).toBe("s3fifo");
    expect(defaultConfig()["maxmemory-policy"]).toBe("noeviction"); // as Redis: BullMQ checks it at start
    expect(enginePolicy("volatile-lru")).toBe("lru");
    expect(enginePolicy("volatile-random")).toBe("volatile-ttl");
  });
  test("every default prints and parses back to itself", () => {
    const d = defaultConfig();
    for (const p of PARAMS) expect(p.format(p.parse(p.format(d[p.name])))).toBe(p.format(d[p.name]));
  });
});

describe("ConfigStore", () => {
  const store = (): ServerConfigStore => new ServerConfigStore(defaultConfig());

  test("GET prints Redis forms", () => {
    const s = store();
    expect(s.get("save")).toBe("");
    expect(s.get("appendonly")).toBe("no");
    expect(s.get("MAXMEMORY")).toBe("0");
    expect(s.get("protected-mode")).toBe("yes");
    expect(s.get("client-output-buffer-limit")).toBe("normal 268435456 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    expect(s.get("nope")).toBeUndefined();
  });

  test("match takes Redis globs, case-insensitively", () => {
    const s = store();
    expect(s.match("maxmemory*")).toEqual(["maxmemory", "maxmemory-policy"]);
    expect(s.match("SLOWLOG-*").sort()).toEqual(["slowlog-log-slower-than", "slowlog-max-len"]);
    expect(s.match("nothing*")).toEqual([]);
  });

  test("SET validates and prints the stored value", () => {
    const s = store();
    expect(s.set("maxmemory", "1gb")).toBeUndefined();
    expect(s.get("maxmemory")).toBe(String(1024 ** 3));
    expect(s.set("maxmemory-policy", "ALLKEYS-LRU")).toBeUndefined();
    expect(s.get("maxmemory-policy")).toBe("allkeys-lru");
    expect(s.set("client-output-buffer-limit", "normal 1mb 512kb 10")).toBeUndefined();
    expect(s.values["client-output-buffer-limit"].normal).toEqual({ hard: 1024 * 1024, soft: 512 * 1024, softSeconds: 10 });
  });

  test("SET errors use Redis's wording", () => {
    const s = store();
    expect(s.set("nope", "1")).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'nope'");
    expect(s.set("maxmemory", "lots")).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    expect(s.set("port", "1")).toBe("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config");
    expect(s.set("maxclients", "0")).toMatch(/^ERR CONFIG SET failed \(possibly related to argument 'maxclients'\) - argument must be between/);
    expect(s.set("maxmemory-policy", "random")).toMatch(/must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction, allkeys-s3fifo, s3fifo$/);
  });

  test("listeners hear about successful sets only", () => {
    const s = store();
    const heard: string[] = [];
    s.onChange((n) => heard.push(n));
    s.set("hz", "20");
    s.set("hz", "zero");
    expect(heard).toEqual(["hz"]);
  });

  test("REWRITE without a config file is refused", () => {
    expect(store().rewrite()).toBe("ERR The server is running without a config file");
  });

  test("REWRITE writes the file's keys and changed values back as TOML that loads again", () => {
    const file = tempFile("fc.toml", 'port = 7000\nmaxmemory = "10mb"\n');
    const loaded = loadConfig({ file });
    const s = new ServerConfigStore(loaded.config, loaded.file, loaded.fileKeys);
    s.set("maxmemory-policy", "allkeys-lfu");
    s.set("protected-mode", "no");
    expect(s.rewrite()).toBeUndefined();
    const text = readFileSync(file, "utf8");
    expect(text).toContain("port = 7000");
    expect(text).toContain('maxmemory = "10485760"');
    expect(text).toContain('maxmemory-policy = "allkeys-lfu"');
    expect(text).toContain("protected-mode = false");
    expect(text).not.toContain("hz");
    const again = loadConfig({ file }).config;
    expect(again.maxmemory).toBe(10 * 1024 * 1024);
    expect(again["maxmemory-policy"]).toBe("allkeys-lfu");
    expect(again["protected-mode"]).toBe(false);
  });
});

describe("loading", () => {
  test("flags override the file, which overrides defaults", () => {
    const file = tempFile("a.toml", 'port = 7001\nbind = "127.0.0.2"\nmaxclients = 5\nprotected-mode = false\n');
    const { config, fileKeys } = loadConfig({ file, flags: new Map([["maxclients", "9"]]) });
    expect(config.port).toBe(7001);
    expect(config.bind).toBe("127.0.0.2");
    expect(config.maxclients).toBe(9);
    expect(config["protected-mode"]).toBe(false);
    expect(config.hz).toBe(10);
    expect([...fileKeys].sort()).toEqual(["bind", "maxclients", "port", "protected-mode"]);
  });

  test("errors name the flag or the file entry", () => {
    expect(() => loadConfig({ flags: new Map([["maxmemory", "abc"]]) })).toThrow(
      "invalid value for --maxmemory: 'abc' (argument must be a memory value)",
    );
    const file = tempFile("b.toml", "maxclients = -3\n");
    expect(() => loadConfig({ file })).toThrow(`invalid value for maxclients in ${file}`);
    const unknown = tempFile("c.toml", "colour = 3\n");
    expect(() => loadConfig({ file: unknown })).toThrow(`config file ${unknown}: unknown parameter 'colour'`);
    const broken = tempFile("d.toml", "port = = 3\n");
    expect(() => loadConfig({ file: broken })).toThrow(ConfigError);
    expect(() => loadConfig({ file: "/nonexistent/x.toml" })).toThrow("cannot read config file /nonexistent/x.toml");
  });
});

describe("flags", () => {
  test("every parameter is a flag; --config, --help and --version exist", () => {
    const r = parseCliArgs(["--port", "0", "--maxmemory-policy", "allkeys-lru", "--config", "x.toml"]);
    expect(r).toEqual({
      kind: "run",
      configFile: "x.toml",
      flags: new Map([
        ["port", "0"],
        ["maxmemory-policy", "allkeys-lru"],
      ]),
    });
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["--version"])).toEqual({ kind: "version" });
  });

  test("a bad flag or a missing value names the flag", () => {
    expect(() => parseCliArgs(["--colour", "red"])).toThrow("unknown flag --colour");
    expect(() => parseCliArgs(["--port"])).toThrow("flag --port needs a value");
    expect(() => parseCliArgs(["a.conf", "stray"])).toThrow("unexpected argument: stray");
    expect(() => parseCliArgs(["a.conf", "--config", "b.conf"])).toThrow("unexpected argument: a.conf");
    expect(parseCliArgs(["/etc/redis/redis.conf", "--port", "1"])).toMatchObject({ kind: "run", configFile: "/etc/redis/redis.conf" });
  });

  test("help lists every flag with its default", () => {
    const h = helpText();
    for (const p of PARAMS) expect(h).toContain(`--${p.name} VALUE`);
    expect(h).toContain("--config FILE");
    expect(h).toContain("(default: 6379)");
  });
});
