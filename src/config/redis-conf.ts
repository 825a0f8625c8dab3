// redis.conf, read as redis-server 7.0 reads it: one directive per line, arguments split the way
// sdssplitargs splits them ("double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes'
// with \'), `#` comments, `include` (glob patterns too), units through each parameter's parser,
// and repeated `save` / `client-output-buffer-limit` lines adding up. Parameters fast-cache
// implements are honoured; the other names of Redis 7.0 (redis-param-names.ts) and file-only
// directives (rename-command, user, loadmodule) are accepted and listed in one warning; an unknown
// name or a bad value stops start-up naming the file, the line and the parameter.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { PARAM_BY_NAME, PARAMS, type ParamDef, type ParamName } from "./params.ts";
import { REDIS_7_PARAMS } from "./redis-param-names.ts";

/** Directives a redis.conf may hold that are not CONFIG parameters. */
const FILE_ONLY = new Set(["rename-command", "user", "loadmodule", "sentinel"]);
/** Parameters whose repeated lines add up instead of replacing each other. */
const CUMULATIVE = new Set<string>(["save", "client-output-buffer-limit"]);
const MAX_INCLUDE_DEPTH = 16;

export interface RedisConf {
  /** Parameter → its text, as the parameter's parser reads it. */
  values: Map<ParamName, string>;
  /** Where each value came from (`file:line`), for error messages. */
  origin: Map<ParamName, string>;
  /** Accepted but not implemented here (names, once each), for one warning line. */
  ignored: string[];
}

export class RedisConfError extends Error {
  override name = "RedisConfError";
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07", "\\": "\\", '"': '"' };

/** Splits one line as Redis's sdssplitargs does; undefined for unbalanced quotes. */
export function splitArgs(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) return out;
    let cur = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) return undefined;
        const ch = line[i]!;
        if (ch === "\\" && i + 3 < n && line[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (ch === "\\" && i + 1 < n) {
          const e = line[i + 1]!;
          cur += ESCAPES[e] ?? e;
          i += 2;
        } else if (ch === '"') {
          i++;
          if (i < n && !/\s/.test(line[i]!)) return undefined; // a closing quote must end the argument
          break;
        } else {
          cur += ch;
          i++;
        }
      }
    } else if (line[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) return undefined;
        const ch = line[i]!;
        if (ch === "\\" && line[i + 1] === "'") {
          cur += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          if (i < n && !/\s/.test(line[i]!)) return undefined;
          break;
        } else {
          cur += ch;
          i++;
        }
      }
    } else {
      while (i < n && !/\s/.test(line[i]!)) cur += line[i++];
    }
    out.push(cur);
  }
}

/** Quotes a value for a redis.conf line when it needs it (empty, spaces, quotes). */
export function confQuote(v: string): string {
  if (v !== "" && !/[\s"'\\]/.test(v)) return v;
  return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** True when `text` looks like TOML (`name = value` lines) rather than redis.conf. */
export function looksLikeToml(text: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    return /^("[^"]*"|[A-Za-z0-9_-]+)\s*=/.test(line) || line.startsWith("[");
  }
  return false;
}

/** Reads a redis.conf file (and what it includes). */
export function readRedisConf(path: string): RedisConf {
  const conf: RedisConf = { values: new Map(), origin: new Map(), ignored: [] };
  readInto(conf, resolve(path), 0);
  return conf;
}

function readInto(conf: RedisConf, path: string, depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH) throw new RedisConfError(`config file ${path}: includes nested deeper than ${MAX_INCLUDE_DEPTH} (an include loop?)`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new RedisConfError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  const lines = text.split("\n");
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `${path}:${ln + 1}`;
    const args = splitArgs(line);
    if (args === undefined) throw new RedisConfError(`config file ${where}: unbalanced quotes in '${line}'`);
    const name = args[0]!.toLowerCase();
    const rest = args.slice(1);
    if (name === "include") {
      if (rest.length !== 1) throw new RedisConfError(`config file ${where}: include takes one path`);
      for (const file of includeTargets(rest[0]!, path)) readInto(conf, file, depth + 1);
      continue;
    }
    const def = PARAM_BY_NAME.get(name);
    if (def !== undefined) {
      if (rest.length === 0) throw new RedisConfError(`config file ${where}: '${name}' needs a value`);
      let value = rest.join(" ");
      if (name === "bind" && rest.length > 1) {
        conf.ignored.push(`bind ${rest.slice(1).join(" ")} (only the first address is served)`);
        value = rest[0]!.replace(/^-/, "");
      }
      if (CUMULATIVE.has(name) && conf.values.has(def.name) && !(rest.length === 1 && rest[0] === "")) {
        const before = conf.values.get(def.name)!;
        value = before === "" ? value : `${before} ${value}`;
      }
      conf.values.set(def.name, value);
      conf.origin.set(def.name, where);
      continue;
    }
    if (REDIS_7_PARAMS.has(name) || FILE_ONLY.has(name)) {
      if (!conf.ignored.includes(name)) conf.ignored.push(name);
      continue;
    }
    throw new RedisConfError(`config file ${where}: unknown parameter '${args[0]}' (not a Redis 7.0 or fast-cache parameter)`);
  }
}

/** The files an `include` names: a path, or a glob pattern as Redis 7.0 allows, in name order. */
function includeTargets(target: string, from: string): string[] {
  const abs = isAbsolute(target) ? target : resolve(process.cwd(), target);
  if (!/[*?[]/.test(abs)) return [abs];
  const dir = dirname(abs);
  const glob = new Bun.Glob(abs.slice(dir.length + 1));
  const files = [...glob.scanSync({ cwd: dir, absolute: true, onlyFiles: true })].sort();
  if (files.length === 0) throw new RedisConfError(`config file ${from}: include ${target} matches no file`);
  return files;
}

/** The redis.conf lines of one parameter's value (client-output-buffer-limit: one line per class). */
function confLines(name: string, value: string): string[] {
  if (name === "client-output-buffer-limit") {
    const parts = value.split(/\s+/);
    const out: string[] = [];
    for (let i = 0; i + 3 < parts.length; i += 4) out.push(`${name} ${parts.slice(i, i + 4).join(" ")}`);
    return out;
  }
  if (name === "save" && value !== "") return [`${name} ${value}`];
  return [`${name} ${confQuote(value)}`];
}

/**
 * CONFIG REWRITE of a redis.conf, as Redis 7.0 does it: every line stays (comments, includes,
 * directives fast-cache ignores); a parameter's first line is replaced by its current value and its
 * repeats dropped; parameters to write that the file lacks are appended after a marker line.
 * `include`d files are not rewritten (their parameters are written here, as Redis does).
 */
export function rewriteRedisConf(path: string, valueOf: (def: ParamDef) => string, wanted: (def: ParamDef) => boolean): void {
  const MARK = "# Generated by CONFIG REWRITE";
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out: string[] = [];
  const written = new Set<string>();
  for (const raw of lines) {
    if (raw.trim() === MARK) continue;
    const args = raw.trim().startsWith("#") ? undefined : splitArgs(raw);
    const def = args !== undefined && args.length > 0 ? PARAM_BY_NAME.get(args[0]!.toLowerCase()) : undefined;
    if (def === undefined) {
      out.push(raw);
      continue;
    }
    if (written.has(def.name)) continue;
    written.add(def.name);
    out.push(...confLines(def.name, valueOf(def)));
  }
  const extra: string[] = [];
  for (const def of PARAMS) if (!written.has(def.name) && wanted(def)) extra.push(...confLines(def.name, valueOf(def)));
  if (extra.length > 0) out.push(MARK, ...extra);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, out.join("\n") + "\n");
  renameSync(tmp, path);
}
