// `fast-cache-server --rdb-export FILE`: recovers every shard found in the data directory (snapshot
// + WAL, as a start would) into one set of databases, and writes them as one RDB version 10 file
// (temp file, fsync, rename), with the function libraries saved beside the shards. Meant for a
// stopped server's directory (migration to redis-server, backups).
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import "../../engine/compound/all-types.ts";
import { Databases } from "../../engine/databases.ts";
import { Keyspace } from "../../engine/keyspace.ts";
import { fsyncDir } from "../io.ts";
import { recoverSync } from "../recovery.ts";
import { RdbWriter } from "./rdb-writer.ts";

export interface RdbExportResult {
  keys: number;
  bytes: number;
  shards: number;
  functions: number;
}

/** Shard numbers that have a WAL segment or a snapshot in `dir`. */
function shardsIn(dir: string): number[] {
  const found = new Set<number>();
  for (const n of readdirSync(dir)) {
    const m = /^(?:wal|snap)-s(\d{5})-/.exec(n);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Function library sources saved in `dir` (every shard holds the same libraries: the first one found). */
function functionsIn(dir: string): string[] {
  const file = readdirSync(dir).find((n) => /^functions-s\d{5}\.json$/.test(n));
  if (file === undefined) return [];
  try {
    return (JSON.parse(readFileSync(join(dir, file), "utf8")) as { code: string }[]).map((l) => l.code);
  } catch {
    return [];
  }
}

export function exportRdbFile(dir: string, file: string, databases: number, log: (line: string) => void = () => {}): RdbExportResult {
  const set = new Databases(new Keyspace(), databases, () => new Keyspace());
  const shards = shardsIn(dir);
  for (const shard of shards) recoverSync(set, { dir, shard, log });
  const functions = functionsIn(dir);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w");
  let bytes = 0;
  try {
    for (const chunk of new RdbWriter(set, { functions }).chunks()) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off);
      bytes += chunk.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(dirname(file));
  return { keys: set.totalKeys, bytes, shards: shards.length, functions: functions.length };
}
