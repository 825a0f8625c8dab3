// The server's one logger. Every log line of the server goes through here, in Redis's format
//
//   pid:role dd Mon yyyy hh:mm:ss.mmm <level> message
//   4242:M 04 Dec 2026 13:13:14.123 * Ready to accept connections tcp
//
// or, with `log-format json`, one JSON object per line: {"ts","pid","role","level","msg"}.
//
// Role characters (Redis has M master, S replica, C RDB child, X sentinel):
//   M  a primary serving clients: the single process, or the supervisor of several workers
//   S  a replica (a process following a primary with REPLICAOF)
//   C  a worker process started by the supervisor (Redis's "child")
// Level characters are Redis's: `.` debug, `-` verbose, `*` notice, `#` warning.
//
// Destination: `logfile` "" is stdout (as redis-server with `logfile ""`); a path is opened once
// per process with O_APPEND and written one whole line per write(2), so several workers can
// share one file without interleaving inside lines. Secrets registered with `redactSecrets`
// (requirepass, masterauth...) are replaced by "(redacted)" before a line is written.

import { closeSync, openSync, writeSync } from "node:fs";

export const LOG_LEVELS = ["debug", "verbose", "notice", "warning", "nothing"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = "redis" | "json";
export type LogRole = "M" | "S" | "C";

/** Level rank (higher = more important) and Redis's character of each level. */
const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const CHAR: Record<Exclude<LogLevel, "nothing">, string> = { debug: ".", verbose: "-", notice: "*", warning: "#" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface LogSettings {
  /** Lines below this level are dropped; "nothing" drops all. @default "notice" */
  level: LogLevel;
  /** "" = stdout; otherwise a file appended to. @default "" */
  file: string;
  /** Redis's text lines or JSON lines. @default "redis" */
  format: LogFormat;
  /** The role character of this process, asked per line (a replica may be promoted). @default () => "M" */
  role: () => LogRole;
}

const settings: LogSettings = { level: "notice", file: "", format: "redis", role: () => "M" };
/** fd of `settings.file` (undefined for stdout). */
let fd: number | undefined;
let secrets: string[] = [];
/** A sink replacing the destination (tests). */
let sink: ((line: string) => void) | undefined;

/** Changes the settings given (opening a new log file at once, so a bad path fails here). */
export function configureLog(s: Partial<LogSettings>): void {
  if (s.file !== undefined && s.file !== settings.file) {
    const next = s.file === "" ? undefined : openSync(s.file, "a");
    if (fd !== undefined) closeSync(fd);
    fd = next;
    settings.file = s.file;
  }
  if (s.level !== undefined) settings.level = s.level;
  if (s.format !== undefined) settings.format = s.format;
  if (s.role !== undefined) settings.role = s.role;
}

/** The current settings (a copy). */
export function logSettings(): LogSettings {
  return { ...settings };
}

/** Values that must never appear in a log line (empty strings are ignored). */
export function redactSecrets(values: readonly string[]): void {
  secrets = values.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/** @internal Tests: send lines to `f` instead of the destination (undefined restores it). */
export function captureLog(f: ((line: string) => void) | undefined): void {
  sink = f;
}

/** True when a line at `level` would be written (to skip building costly messages). */
export function logEnabled(level: Exclude<LogLevel, "nothing">): boolean {
  return RANK[level] >= RANK[settings.level];
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Redis's time stamp, local time: `04 Dec 2026 13:13:14.123`. */
export function redisTimestamp(d: Date): string {
  const ms = d.getMilliseconds();
  return `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

/** One line (with its newline) as it is written. */
export function formatLogLine(level: Exclude<LogLevel, "nothing">, msg: string, d: Date, pid: number, role: LogRole, format: LogFormat): string {
  if (format === "json") return `${JSON.stringify({ ts: d.toISOString(), pid, role, level, msg })}\n`;
  return `${pid}:${role} ${redisTimestamp(d)} ${CHAR[level]} ${msg}\n`;
}

function redact(msg: string): string {
  for (const s of secrets) if (msg.includes(s)) msg = msg.split(s).join("(redacted)");
  return msg;
}

function write(line: string): void {
  if (sink !== undefined) return sink(line);
  try {
    writeSync(fd ?? 1, line);
  } catch {
    // stdout is a non-blocking pipe that is full (EAGAIN): let the runtime queue it.
    if (fd === undefined) process.stdout.write(line);
  }
}

function emit(level: Exclude<LogLevel, "nothing">, msg: string): void {
  if (RANK[level] < RANK[settings.level]) return;
  // A message of several lines stays several log lines, each with its prefix.
  for (const part of redact(msg).split("\n")) {
    write(formatLogLine(level, part, new Date(), process.pid, settings.role(), settings.format));
  }
}

export const log = {
  debug: (msg: string): void => emit("debug", msg),
  verbose: (msg: string): void => emit("verbose", msg),
  notice: (msg: string): void => emit("notice", msg),
  warning: (msg: string): void => emit("warning", msg),
};

/** A `(line) => void` sink at one level, for modules that take a log callback. */
export function logAt(level: Exclude<LogLevel, "nothing">): (line: string) => void {
  return (line) => emit(level, line);
}
