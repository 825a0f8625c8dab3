// The CLI as a user meets it: `bun src/cli.ts` and the compiled binary from `bun run build`.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json";
import { BUN, RawClient, REPO_ROOT, runToExit, spawnServer } from "../support/server-process.ts";

const BINARY = join(REPO_ROOT, "dist", "fast-cache-server");

/** Runs the CLI through bun (`source`) or the compiled binary. */
const variants = [
  { name: "bun src/cli.ts", cmd: (): string[] => [BUN, "src/cli.ts"], binary: (): string | undefined => undefined },
  { name: "compiled binary", cmd: (): string[] => [BINARY], binary: (): string | undefined => BINARY },
];

beforeAll(async () => {
  const r = await runToExit([BUN, "run", "build"], 120_000);
  if (r.code !== 0) throw new Error(`bun run build failed (${r.code}): ${r.stderr}`);
  expect(existsSync(BINARY)).toBe(true);
}, 130_000);

describe.each(variants)("$name", (v) => {
  test("--version prints the package version", async () => {
    const r = await runToExit([...v.cmd(), "--version"]);
    expect(r).toEqual({ code: 0, stdout: `fast-cache-server ${pkg.version}\n`, stderr: "" });
  });

  test("--help lists the flags", async () => {
    const r = await runToExit([...v.cmd(), "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--port", "--bind", "--requirepass", "--maxmemory", "--maxmemory-policy", "--maxclients", "--config", "--version"]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test("an unknown flag exits non-zero with one line naming it", async () => {
    const r = await runToExit([...v.cmd(), "--no-such-flag"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("fast-cache-server: unknown flag --no-such-flag (see --help)\n");
    expect(r.stdout).toBe("");
  });

  test("a bad value exits non-zero naming the flag", async () => {
    const r = await runToExit([...v.cmd(), "--maxmemory", "lots"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("fast-cache-server: invalid value for --maxmemory: 'lots' (argument must be a memory value)\n");
  });

  test("a port in use is one clear line and exit code 1", async () => {
    using blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const r = await runToExit([...v.cmd(), "--port", String(blocker.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`fast-cache-server: cannot listen on 127.0.0.1:${blocker.port}: address already in use\n`);
    expect(r.stdout).toBe("");
  });

  test("prints one ready line, serves clients, and exits 0 on SIGTERM", async () => {
    const srv = await spawnServer(["--requirepass", "secret"], { binary: v.binary() });
    try {
      // One ready line, in Redis's log format (pid:role date time level message).
      expect(srv.stdout().match(/Ready to accept connections/g)).toHaveLength(1);
      expect(srv.stdout()).toMatch(new RegExp(String.raw`^\d+:M \d\d \w{3} \d{4} [\d:.]{12} \* Ready to accept connections on 127\.0\.0\.1:${srv.port}$`, "m"));
      using c = await RawClient.connect(srv.port);
      expect(await c.command("PING")).toEqual({ error: "NOAUTH Authentication required." });
      expect(await c.command("AUTH", "secret")).toBe("OK");
      expect(await c.command("SET", "k", "v")).toBe("OK");
      expect(await c.command("GET", "k")).toBe("v");
    } finally {
      expect(await srv.stop()).toBe(0);
    }
    // The banner names the version, the worker count, the port and the data directory; stderr stays empty.
    expect(srv.stdout()).toMatch(/\* fast-cache version=\d+\.\d+\.\d+, bun=/);
    expect(srv.stdout()).toMatch(new RegExp(String.raw`\* Running mode=workers, port=${srv.port}, tls-port=0, workers=2\n`));
    expect(srv.stdout()).toMatch(/\* Data directory \S+: WAL (on|off)/);
    expect(srv.stderr()).toBe("");
  });

  test("exits 0 on SIGINT", async () => {
    const srv = await spawnServer([], { binary: v.binary() });
    srv.proc.kill("SIGINT");
    expect(await srv.stop()).toBe(0);
  });
});

describe("SHUTDOWN", () => {
  test("SHUTDOWN NOSAVE stops the process with exit code 0", async () => {
    const srv = await spawnServer();
    using c = await RawClient.connect(srv.port);
    c.sendCommand("SHUTDOWN", "NOSAVE");
    expect(await c.waitClosed()).toBe(true);
    const code = await Promise.race([srv.proc.exited, Bun.sleep(5000).then(() => "still running")]);
    expect(code).toBe(0);
    await srv.stop();
  });
});

describe("config file", () => {
  test("--config loads TOML and flags override it; CONFIG REWRITE writes it back", async () => {
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "fc-cli-"));
    const file = join(dir, "server.toml");
    await Bun.write(file, 'maxmemory = "10mb"\nmaxmemory-policy = "allkeys-lru"\nmaxclients = 50\n');
    const srv = await spawnServer(["--config", file, "--maxclients", "60"]);
    try {
      using c = await RawClient.connect(srv.port);
      expect(await c.command("CONFIG", "GET", "maxmemory")).toEqual(["maxmemory", String(10 * 1024 * 1024)]);
      expect(await c.command("CONFIG", "GET", "maxclients")).toEqual(["maxclients", "60"]);
      expect(await c.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")).toBe("OK");
      expect(await c.command("CONFIG", "REWRITE")).toBe("OK");
      const text = await Bun.file(file).text();
      expect(text).toContain('maxmemory-policy = "allkeys-lfu"');
      expect(text).toContain("maxclients = 60");
    } finally {
      await srv.stop();
      (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bad config file is one line naming the file and the entry", async () => {
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "fc-cli-"));
    const file = join(dir, "bad.toml");
    await Bun.write(file, "maxclients = 0\n");
    try {
      const r = await runToExit([BUN, "src/cli.ts", "--config", file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toBe(`fast-cache-server: invalid value for maxclients in ${file}: '0' (argument must be between 1 and 1000000 inclusive)\n`);
    } finally {
      (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
    }
  });
});
