// File operations used by the WAL writer, injectable so tests can make writes or syncs fail, plus
// the names of the files persistence keeps in its directory.
import * as fs from "node:fs";
import { join } from "node:path";

/** The file operations the WAL writer performs. Defaults are node:fs; tests replace some. */
export interface WalIo {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number): number;
  fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  closeSync(fd: number): void;
}

export const nodeIo: WalIo = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: (fd, buf, off, len) => fs.writeSync(fd, buf, off, len),
  fdatasync: (fd, cb) => fs.fdatasync(fd, cb),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  closeSync: (fd) => fs.closeSync(fd),
};

const STRERROR: Record<string, string> = {
  ENOSPC: "No space left on device",
  EIO: "Input/output error",
  EDQUOT: "Disk quota exceeded",
  EROFS: "Read-only file system",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EBADF: "Bad file descriptor",
  EFBIG: "File too large",
  ENOENT: "No such file or directory",
};

/** The C strerror() text Redis would print for this error, or the message when unknown. */
export function errorReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && STRERROR[code] !== undefined) return STRERROR[code];
  return err instanceof Error ? err.message : String(err);
}

/** fsyncs a directory so that created, renamed or removed entries survive a power loss. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");
const shardTag = (shard: number): string => `s${pad(shard, 5)}`;

/** WAL segment file name: sorts by first sequence number. */
export function segmentName(shard: number, firstSeq: number): string {
  return `wal-${shardTag(shard)}-${pad(firstSeq, 20)}.log`;
}

/** Snapshot file name: sorts by the sequence number the snapshot covers. */
export function snapshotName(shard: number, seq: number): string {
  return `snap-${shardTag(shard)}-${pad(seq, 20)}.fcs`;
}

export function lockName(shard: number): string {
  return `${shardTag(shard)}.lock`;
}

export interface NamedFile {
  name: string;
  path: string;
  seq: number;
}

/** Files of one kind ("wal" or "snap") for `shard` in `dir`, sorted by their sequence number. */
export function listFiles(dir: string, kind: "wal" | "snap", shard: number): NamedFile[] {
  const re = kind === "wal"
    ? new RegExp(`^wal-${shardTag(shard)}-(\\d{20})\\.log$`)
    : new RegExp(`^snap-${shardTag(shard)}-(\\d{20})\\.fcs$`);
  const out: NamedFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = re.exec(name);
    if (m) out.push({ name, path: join(dir, name), seq: Number(m[1]) });
  }
  out.sort((a, b) => a.seq - b.seq);
  return out;
}
