// The logger (src/log.ts): Redis's line format, level filtering, JSON lines, the log file, redaction.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLog, configureLog, formatLogLine, log, logEnabled, redactSecrets } from "../../src/log.ts";

/** Redis's line: `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`. */
const REDIS_LINE = /^(\d+):([MSC]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) (.*)\n$/;

afterEach(() => {
  captureLog(undefined);
  configureLog({ level: "notice", file: "", format: "redis", role: () => "M" });
  redactSecrets([]);
});

function captured(): string[] {
  const lines: string[] = [];
  captureLog((l) => lines.push(l));
  return lines;
}

test("a line has Redis's format: pid, role, day, month, year, time with ms, level char, message", () => {
  const line = formatLogLine("notice", "Ready to accept connections", new Date(2026, 11, 4, 9, 5, 7, 42), 4242, "M", "redis");
  expect(line).toBe("4242:M 04 Dec 2026 09:05:07.042 * Ready to accept connections\n");
  expect(REDIS_LINE.test(line)).toBe(true);
  const chars = (["debug", "verbose", "notice", "warning"] as const).map((l) => REDIS_LINE.exec(formatLogLine(l, "x", new Date(), 1, "C", "redis"))![10]);
  expect(chars).toEqual([".", "-", "*", "#"]);
});

test("lines below the level are dropped; nothing drops all", () => {
  const lines = captured();
  configureLog({ level: "warning" });
  log.debug("d");
  log.verbose("v");
  log.notice("n");
  log.warning("w");
  expect(lines.map((l) => REDIS_LINE.exec(l)![11])).toEqual(["w"]);
  configureLog({ level: "debug" });
  log.debug("d");
  log.verbose("v");
  expect(lines.map((l) => REDIS_LINE.exec(l)![11])).toEqual(["w", "d", "v"]);
  configureLog({ level: "nothing" });
  log.warning("w2");
  expect(lines).toHaveLength(3);
  expect(logEnabled("warning")).toBe(false);
});

test("each line carries this process's pid and the role the role source gives now", () => {
  const lines = captured();
  let role: "M" | "S" = "M";
  configureLog({ role: () => role });
  log.notice("primary");
  role = "S";
  log.notice("replica");
  expect(lines.map((l) => REDIS_LINE.exec(l)!.slice(1, 3))).toEqual([[String(process.pid), "M"], [String(process.pid), "S"]]);
});

test("json format: one object per line with ts, pid, role, level, msg", () => {
  const lines = captured();
  configureLog({ format: "json", role: () => "C" });
  log.warning("Received SIGTERM scheduling shutdown...");
  expect(lines).toHaveLength(1);
  expect(lines[0]!.endsWith("\n")).toBe(true);
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(Object.keys(o)).toEqual(["ts", "pid", "role", "level", "msg"]);
  expect(o).toMatchObject({ pid: process.pid, role: "C", level: "warning", msg: "Received SIGTERM scheduling shutdown..." });
  expect(Number.isNaN(Date.parse(String(o.ts)))).toBe(false);
});

test("a message of several lines is several log lines", () => {
  const lines = captured();
  log.notice("one\ntwo");
  expect(lines.map((l) => REDIS_LINE.exec(l)![11])).toEqual(["one", "two"]);
});

test("registered secrets never appear in a line", () => {
  const lines = captured();
  redactSecrets(["s3cret-pass", ""]);
  log.warning("Unable to AUTH to MASTER with s3cret-pass: -ERR invalid password");
  expect(lines[0]).not.toContain("s3cret-pass");
  expect(lines[0]).toContain("with (redacted):");
});

test("logfile: lines are appended to the file, after what it already held", () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-log-"));
  try {
    const file = join(dir, "server.log");
    Bun.spawnSync(["sh", "-c", `printf 'old line\\n' > ${file}`]);
    configureLog({ file });
    log.notice("first");
    log.warning("second");
    configureLog({ file: "" });
    const text = readFileSync(file, "utf8").split("\n");
    expect(text[0]).toBe("old line");
    expect(REDIS_LINE.exec(`${text[1]}\n`)![11]).toBe("first");
    expect(REDIS_LINE.exec(`${text[2]}\n`)![10]).toBe("#");
    expect(text).toHaveLength(4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a log file that cannot be opened fails at configuration", () => {
  expect(() => configureLog({ file: "/nonexistent-dir/x/server.log" })).toThrow();
});
