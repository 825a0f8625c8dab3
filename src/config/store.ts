// CONFIG GET / SET / REWRITE over the typed ServerConfig (the `ConfigStore` of src/commands/types.ts).
// Listeners registered with `onChange` apply a new value (keyspace limits, parser limits...).

import { renameSync, writeFileSync } from "node:fs";
import type { ConfigStore } from "../commands/types.ts";
import { globMatch } from "../engine/glob.ts";
import { rewriteRedisConf } from "./redis-conf.ts";
import { isParamError, PARAM_BY_NAME, PARAMS, defaultConfig, type ParamName, type ServerConfig } from "./params.ts";

export const ERR_CONFIG_UNKNOWN = (name: string): string =>
  `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
export const ERR_CONFIG_SET_FAILED = (name: string, reason: string): string =>
  `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
export const ERR_CONFIG_NO_FILE = "ERR The server is running without a config file";
export const ERR_CONFIG_REWRITE = (reason: string): string => `ERR Rewriting config file: ${reason}`;

const enc = new TextEncoder();
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export class ServerConfigStore implements ConfigStore {
  private readonly listeners: ((name: ParamName) => void)[] = [];

  constructor(
    /** The live values; the server reads them directly on hot paths. */
    readonly values: ServerConfig,
    /** Absolute path of the config file, "" when started without one. */
    readonly file = "",
    private readonly fileKeys: Set<ParamName> = new Set(),
    /** The file's syntax: REWRITE keeps it (a redis.conf keeps its comments and order). */
    private readonly format: "toml" | "redis" = "toml",
  ) {}

  /** Calls `fn(name)` after every successful set. */
  onChange(fn: (name: ParamName) => void): void {
    this.listeners.push(fn);
  }

  get(name: string): string | undefined {
    const def = PARAM_BY_NAME.get(name.toLowerCase());
    return def === undefined ? undefined : def.format(this.values[def.name]);
  }

  match(pattern: string): string[] {
    const p = enc.encode(pattern);
    return PARAMS.filter((d) => globMatch(p, enc.encode(d.name), true)).map((d) => d.name);
  }

  /** Returns the complete error reply text (starting with `ERR`) or undefined. */
  set(name: string, value: string): string | undefined {
    const def = PARAM_BY_NAME.get(name.toLowerCase());
    if (def === undefined) return ERR_CONFIG_UNKNOWN(name);
    if (def.immutable) return ERR_CONFIG_SET_FAILED(name, "can't set immutable config");
    const v = def.parse(value);
    if (isParamError(v)) return ERR_CONFIG_SET_FAILED(name, v.reason);
    (this.values as unknown as Record<string, unknown>)[def.name] = v;
    for (const fn of this.listeners) fn(def.name);
    return undefined;
  }

  /** Writes the file's parameters and every non-default value back as TOML. */
  rewrite(): string | undefined {
    if (this.file === "") return ERR_CONFIG_NO_FILE;
    const defaults = defaultConfig();
    if (this.format === "redis") {
      try {
        rewriteRedisConf(this.file, (def) => def.format(this.values[def.name]), (def) => this.fileKeys.has(def.name) || def.format(this.values[def.name]) !== def.format(defaults[def.name]));
      } catch (e) {
        return ERR_CONFIG_REWRITE((e as Error).message);
      }
      return undefined;
    }
    const lines = ["# Written by CONFIG REWRITE (fast-cache-server). Names are Redis parameter names."];
    for (const def of PARAMS) {
      const cur = def.format(this.values[def.name]);
      if (!this.fileKeys.has(def.name) && cur === def.format(defaults[def.name])) continue;
      const key = BARE_KEY.test(def.name) ? def.name : JSON.stringify(def.name);
      let v: string;
      if (def.toml === "number") v = cur;
      else if (def.toml === "boolean") v = this.values[def.name] ? "true" : "false";
      else v = JSON.stringify(cur);
      lines.push(`${key} = ${v}`);
    }
    try {
      const tmp = `${this.file}.tmp-${process.pid}`;
      writeFileSync(tmp, lines.join("\n") + "\n");
      renameSync(tmp, this.file);
    } catch (e) {
      return ERR_CONFIG_REWRITE((e as Error).message);
    }
    return undefined;
  }
}
