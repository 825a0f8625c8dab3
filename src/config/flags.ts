// Command-line flags: one `--<name> VALUE` per server parameter (Redis names), plus --config,
// --help and --version. Values are checked later by the parameters' own parsers.

import { parseArgs } from "node:util";
import { cliDefaultConfig, PARAMS, type ParamName } from "./params.ts";
import { ConfigError } from "./load.ts";

export type CliRequest =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; configFile: string | undefined; flags: Map<ParamName, string> };

/**
 * `--replicaof host port` as redis-server takes it (two words, or one quoted "host port");
 * `--slaveof` is its old name.
 */
function joinReplicaOf(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === "--replicaof" || a === "--slaveof") && i + 2 < argv.length && /^\d+$/.test(argv[i + 2] ?? "") && !argv[i + 1]!.startsWith("--")) {
      out.push("--replicaof", `${argv[i + 1]} ${argv[i + 2]}`);
      i += 2;
    } else {
      out.push(a === "--slaveof" ? "--replicaof" : a);
    }
  }
  return out;
}

export function parseCliArgs(argv: readonly string[]): CliRequest {
  argv = joinReplicaOf(argv);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    config: { type: "string", short: "c" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const p of PARAMS) options[p.name] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }));
  } catch (e) {
    throw new ConfigError(cliErrorMessage(e));
  }
  // `fast-cache-server /etc/redis/redis.conf`, as redis-server takes it: one file before or among the flags.
  if (positionals.length > 1 || (positionals.length === 1 && typeof values.config === "string")) {
    throw new ConfigError(`unexpected argument: ${positionals[positionals.length - 1]} (one config file, as the first argument or with --config; see --help)`);
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const flags = new Map<ParamName, string>();
  for (const p of PARAMS) {
    const v = values[p.name];
    if (typeof v === "string") flags.set(p.name, v);
  }
  const file = values.config ?? positionals[0];
  return { kind: "run", configFile: typeof file === "string" ? file : undefined, flags };
}

function cliErrorMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = (err.message ?? String(e)).split("\n")[0]!;
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const m = /'([^']+)'/.exec(msg);
    return `unknown flag ${m ? m[1] : msg} (see --help)`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const m = /'(--?[^' ]+)/.exec(msg);
    return `flag ${m ? m[1] : ""} needs a value (see --help)`.replace("  ", " ");
  }
  if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument: ${msg.replace(/^.*'([^']+)'.*$/, "$1")} (see --help)`;
  return msg;
}

/** The --help text: every flag with its meaning and default. */
export function helpText(program = "fast-cache-server"): string {
  const defaults = cliDefaultConfig();
  const rows: [string, string][] = [
    ["--config FILE", "read parameters from a redis.conf (or a TOML file, Redis names as keys); also `fast-cache-server FILE`; flags override it"],
    ["--help", "print this help and exit"],
    ["--version", "print the version and exit"],
  ];
  for (const p of PARAMS) {
    const d = p.format(defaults[p.name]);
    rows.push([`--${p.name} VALUE`, `${p.help} (default: ${d === "" ? '""' : d})`]);
  }
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    `Usage: ${program} [flags]`,
    `       ${program} wal-tail (--connect HOST:PORT | --file SEGMENT) [--token T] [--from SEQ]   (see wal-tail --help)`,
    "",
    "A Redis-compatible server (RESP2/RESP3) on the fast-cache engine.",
    "",
    "Flags:",
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`),
    "",
  ].join("\n");
}
