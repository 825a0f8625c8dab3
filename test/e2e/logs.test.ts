// The server's log as a process writes it: Redis's line format on stdout, the banner, one ready
// line for all workers, --log-format json, --logfile, --loglevel and CONFIG SET loglevel.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, RawClient, REPO_ROOT, spawnServer } from "../support/server-process.ts";

const REDIS_LINE = /^(\d+):([MSC]) \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2}\.\d{3} ([.\-*#]) (.*)$/;

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** A port that was free a moment ago (for servers whose ready line is not on stdout). */
function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** Waits (bounded) until `read()` matches `re`. */
async function until(read: () => string, re: RegExp, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(read())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; so far: ${read()}`);
    await Bun.sleep(20);
  }
}

test("every stdout line has Redis's format; the banner, then one ready line for two workers", async () => {
  const srv = await spawnServer(["--workers", "2", "--requirepass", "pw-never-logged"]);
  const code = await srv.stop();
  expect(code).toBe(0);
  const all = lines(srv.stdout());
  for (const l of all) expect(l).toMatch(REDIS_LINE);
  const parsed = all.map((l) => REDIS_LINE.exec(l)!);
  const supervisor = parsed[0]![1];
  // The supervisor is M; each worker logs as C with its own pid.
  expect(new Set(parsed.filter((m) => m[1] === supervisor).map((m) => m[2]))).toEqual(new Set(["M"]));
  const workerPids = new Set(parsed.filter((m) => m[2] === "C").map((m) => m[1]));
  expect(workerPids.size).toBe(2);
  expect(workerPids.has(supervisor!)).toBe(false);
  const msgs = parsed.map((m) => m[5]!);
  expect(msgs[0]).toBe("oO0OoO0OoO0Oo fast-cache is starting oO0OoO0OoO0Oo");
  expect(msgs).toContain(`Running mode=workers, port=${srv.port}, tls-port=0, workers=2`);
  expect(msgs.filter((m) => m.startsWith("DB loaded from disk: "))).toHaveLength(2);
  expect(msgs.filter((m) => m.startsWith("Ready to accept connections"))).toEqual([`Ready to accept connections on 127.0.0.1:${srv.port}`]);
  expect(msgs.findIndex((m) => m.startsWith("Data directory "))).toBeLessThan(msgs.findIndex((m) => m.startsWith("Ready")));
  expect(srv.stdout()).not.toContain("pw-never-logged");
  expect(srv.stderr()).toBe("");
});

test("--log-format json: one JSON object per line with ts, pid, role, level, msg", async () => {
  const srv = await spawnServer(["--workers", "1", "--log-format", "json"]);
  expect(await srv.stop()).toBe(0);
  const objs = lines(srv.stdout()).map((l) => JSON.parse(l) as { ts: string; pid: number; role: string; level: string; msg: string });
  expect(objs.length).toBeGreaterThan(5);
  for (const o of objs) {
    expect(Object.keys(o)).toEqual(["ts", "pid", "role", "level", "msg"]);
    expect(o.pid).toBe(srv.proc.pid);
    expect(o.role).toBe("M");
    expect(["notice", "warning"]).toContain(o.level);
  }
  expect(objs.find((o) => o.msg.startsWith("Ready to accept connections"))?.level).toBe("notice");
  expect(objs.find((o) => o.msg === "Received SIGTERM scheduling shutdown...")?.level).toBe("warning");
});

test("--logfile appends the log to a file (stdout stays empty); --loglevel warning keeps only # lines; CONFIG SET loglevel applies at once; SHUTDOWN SAVE", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-logs-"));
  const file = join(dir, "server.log");
  const port = freePort();
  const proc = Bun.spawn([BUN, "src/cli.ts", "--port", String(port), "--workers", "1", "--dir", dir, "--logfile", file, "--loglevel", "warning", "--snapshot-every-seconds", "0"], {
    cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 30000);
  try {
    const read = (): string => (existsSync(file) ? readFileSync(file, "utf8") : "");
    // Nothing at notice level is written: wait for the port to answer instead of the ready line.
    let c: RawClient | undefined;
    for (let i = 0; i < 300 && c === undefined; i++) {
      c = await RawClient.connect(port).catch(() => undefined);
      if (c === undefined) await Bun.sleep(20);
    }
    expect(c).toBeDefined();
    for (let i = 0; i < 300; i++) {
      const r = await c!.command("PING");
      if (r === "PONG") break;
      await Bun.sleep(20);
    }
    expect(read()).toBe("");
    expect(await c!.command("CONFIG", "SET", "loglevel", "bogus")).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing",
    });
    expect(await c!.command("CONFIG", "SET", "loglevel", "notice")).toBe("OK");
    expect(await c!.command("CONFIG", "GET", "loglevel")).toEqual(["loglevel", "notice"]);
    expect(await c!.command("SET", "k", "v")).toBe("OK");
    c!.sendCommand("SHUTDOWN", "SAVE");
    expect(await c!.waitClosed()).toBe(true);
    expect(await proc.exited).toBe(0);
    await until(read, /bye bye/, 5000);
    // Notice lines are there now (the save), each line in Redis's format.
    const logged = lines(read()).map((l) => REDIS_LINE.exec(l)!);
    const said = logged.map((m) => `${m[4]} ${m[5]}`);
    expect(said[0]).toBe("# User requested shutdown...");
    expect(said[1]).toBe("* Saving the final RDB snapshot before exiting.");
    expect(said).toContain("* DB saved on disk");
    expect(said[said.length - 1]).toBe("# fast-cache is now ready to exit, bye bye...");
    expect(await new Response(proc.stdout).text()).toBe("");
  } finally {
    clearTimeout(killer);
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a log file that cannot be opened stops the start with a message on stderr", async () => {
  const r = Bun.spawnSync([BUN, "src/cli.ts", "--port", "0", "--workers", "1", "--appendonly", "no", "--snapshot-every-seconds", "0", "--logfile", "/nonexistent-dir/x/server.log"], { cwd: REPO_ROOT, timeout: 15000 });
  expect(r.exitCode).toBe(1);
  expect(r.stderr.toString()).toMatch(/^fast-cache-server: can't open the log file \/nonexistent-dir\/x\/server\.log: /);
});
