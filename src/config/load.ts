// Builds the server configuration: defaults, then the TOML file (`--config FILE`), then CLI flags.
// Every value goes through the parameter's own parser, so a bad value fails with a message that
// names where it came from (`--maxmemory`, or `maxmemory in /etc/fast-cache.toml`).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { looksLikeToml, readRedisConf } from "./redis-conf.ts";
import { cliDefaultConfig, defaultConfig, isParamError, PARAM_BY_NAME, savePoint, saveText, type ParamName, type ServerConfig } from "./params.ts";

/** A configuration mistake; the message is meant for the user as is. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Converts a TOML value to the Redis text form its parameter parses. */
function tomlValueText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(" ");
  return undefined;
}

/** A config file read: values by parameter, where each came from, and what was accepted but ignored. */
export interface ConfigFileContents {
  values: Map<ParamName, string>;
  /** `file:line` of a redis.conf value (error messages); absent for TOML. */
  origin: Map<ParamName, string>;
  /** redis.conf directives accepted but not implemented (one warning line lists them). */
  ignored: string[];
  format: "toml" | "redis";
}

/**
 * Reads a config file: TOML (a `.toml` name, or `name = value` lines) or redis.conf syntax
 * (src/config/redis-conf.ts). Unknown names and odd values are errors.
 */
export function readConfigFile(path: string): ConfigFileContents {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  if (!path.endsWith(".toml") && !looksLikeToml(text)) {
    try {
      return { ...readRedisConf(path), format: "redis" };
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  return { values: readTomlText(path, text), origin: new Map(), ignored: [], format: "toml" };
}

function readTomlText(path: string, text: string): Map<ParamName, string> {
  let doc: Record<string, unknown>;
  try {
    doc = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid TOML: ${(e as Error).message}`);
  }
  const out = new Map<ParamName, string>();
  for (const [key, value] of Object.entries(doc)) {
    const def = PARAM_BY_NAME.get(key.toLowerCase());
    if (def === undefined) throw new ConfigError(`config file ${path}: unknown parameter '${key}'`);
    const t = tomlValueText(value);
    if (t === undefined) throw new ConfigError(`config file ${path}: '${key}' must be a string, number or boolean`);
    out.set(def.name, t);
  }
  return out;
}

/** Parses `text` for parameter `name` and stores it; `where` names the source in errors. */
export function applyParam(cfg: ServerConfig, name: ParamName, text: string, where: string): void {
  const def = PARAM_BY_NAME.get(name);
  if (def === undefined) throw new ConfigError(`unknown parameter ${where}`);
  const v = def.parse(text);
  if (isParamError(v)) throw new ConfigError(`invalid value for ${where}: '${text}' (${v.reason})`);
  (cfg as unknown as Record<string, unknown>)[name] = v;
}

export interface LoadedConfig {
  config: ServerConfig;
  /** Absolute path of the config file, "" when none. */
  file: string;
  /** Its syntax (CONFIG REWRITE writes the same). */
  format: "toml" | "redis";
  /** One line for the log when a redis.conf held directives fast-cache does not implement. */
  warning: string | undefined;
  /** Parameters the file set (CONFIG REWRITE keeps them). */
  fileKeys: Set<ParamName>;
}

/**
 * Defaults ← config file ← flags (Redis names without the dashes, as text). `cli: true` starts
 * from the server command's defaults (WAL on) instead of the in-process ones.
 */
export function loadConfig(opts: { file?: string; flags?: ReadonlyMap<ParamName, string>; cli?: boolean } = {}): LoadedConfig {
  const config = opts.cli ? cliDefaultConfig() : defaultConfig();
  const given = new Set<ParamName>();
  const fileKeys = new Set<ParamName>();
  let file = "";
  let format: "toml" | "redis" = "toml";
  let warning: string | undefined;
  if (opts.file !== undefined && opts.file !== "") {
    file = resolve(opts.file);
    const read = readConfigFile(file);
    format = read.format;
    for (const [name, text] of read.values) {
      const at = read.origin.get(name);
      applyParam(config, name, text, at !== undefined ? `'${name}' at ${at}` : `${name} in ${file}`);
      fileKeys.add(name);
      given.add(name);
    }
    if (read.ignored.length > 0) {
      warning = `warning: ${file}: ${read.ignored.length} Redis directive(s) accepted but not implemented by fast-cache (ignored): ${read.ignored.join(", ")}`;
    }
  }
  for (const [name, text] of opts.flags ?? []) {
    applyParam(config, name, text, `--${name}`);
    given.add(name);
  }
  syncSave(config, given);
  return { config, file, fileKeys, format, warning };
}

/**
 * `save` and snapshot-every-seconds / snapshot-min-writes describe one schedule: an explicit
 * `save` (and no explicit snapshot-*) sets them from its first pair; then `save` is printed from them.
 */
function syncSave(config: ServerConfig, given: ReadonlySet<ParamName>): void {
  if (given.has("save") && !given.has("snapshot-every-seconds") && !given.has("snapshot-min-writes")) {
    const point = savePoint(config.save);
    config["snapshot-every-seconds"] = point?.seconds ?? 0;
    if (point !== undefined) config["snapshot-min-writes"] = point.changes;
  }
  if (given.has("save") || given.has("snapshot-every-seconds") || given.has("snapshot-min-writes") || config.save !== "") {
    config.save = saveText(config);
  }
}
