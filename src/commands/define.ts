// Builds table entries with their runtime counters zeroed, so family files list only what they declare.
import { CmdFlag, type Args, type CommandEntry, type Handler } from "./types.ts";

export interface CommandSpec {
  name: string;
  arity: number;
  flags: number;
  /** [firstKey, lastKey, step]; omit for commands without keys. */
  keys?: readonly [number, number, number];
  /** Key positions by parsing (sets the MOVABLEKEYS flag). */
  movableKeys?: (argv: Args) => number[];
  /** Keys read beyond the named ones, found from the data (see CommandEntry). */
  patternKeys?: CommandEntry["patternKeys"];
  mayBlock?: CommandEntry["mayBlock"];
  selectsDatabase?: CommandEntry["selectsDatabase"];
  categories: readonly string[];
  summary: string;
  since: string;
  handler?: Handler;
  subcommands?: CommandEntry[];
}

export function defineCommand(spec: CommandSpec): CommandEntry {
  const [firstKey, lastKey, step] = spec.keys ?? [0, 0, 0];
  const entry: CommandEntry = {
    name: spec.name,
    arity: spec.arity,
    flags: spec.movableKeys ? spec.flags | CmdFlag.MOVABLEKEYS : spec.flags,
    firstKey,
    lastKey,
    step,
    categories: spec.categories,
    summary: spec.summary,
    since: spec.since,
    calls: 0,
    usec: 0,
    rejectedCalls: 0,
    failedCalls: 0,
    latency: undefined,
  };
  if (spec.movableKeys) entry.movableKeys = spec.movableKeys;
  if (spec.patternKeys) entry.patternKeys = spec.patternKeys;
  if (spec.mayBlock) entry.mayBlock = spec.mayBlock;
  if (spec.selectsDatabase) entry.selectsDatabase = spec.selectsDatabase;
  if (spec.handler) entry.handler = spec.handler;
  if (spec.subcommands) entry.subcommands = spec.subcommands;
  return entry;
}
