// A lock file per shard in the data directory, so two servers never write the same files. It holds
// "<pid> <process start time>". A lock whose process is gone (or whose pid now belongs to another
// process, told apart by the start time in /proc) is stale and taken over.
import * as fs from "node:fs";
import { join } from "node:path";
import { lockName } from "./io.ts";

/** Thrown when another live process holds the directory. */
export class LockError extends Error {}

const heldHere = new Set<string>();

/** The process start time from /proc (clock ticks since boot), "" where /proc is unavailable. */
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the parenthesised command name; starttime is field 22 overall
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19] ?? "";
  } catch {
    return "";
  }
}

/** True for a process that has exited but was not reaped (it holds no files any more). */
function zombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (zombie(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

function isStale(path: string, content: string): boolean {
  const [pidText, start = ""] = content.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return !heldHere.has(path); // a previous run that had our pid
  if (!alive(pid)) return true;
  return start !== "" && startTime(pid) !== "" && startTime(pid) !== start;
}

export class DirLock {
  readonly path: string;
  private released = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** Takes the lock for `shard` in `dir` or throws LockError naming the holder. */
  static acquire(dir: string, shard = 0): DirLock {
    const path = join(dir, lockName(shard));
    const content = `${process.pid} ${startTime(process.pid)}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, "wx");
        try {
          fs.writeSync(fd, content);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        heldHere.add(path);
        return new DirLock(path);
      } catch (e) {
        if ((e as { code?: string }).code !== "EEXIST") throw e;
      }
      let held = "";
      try {
        held = fs.readFileSync(path, "utf8");
      } catch {
        continue; // removed meanwhile: try again
      }
      if (held === "" || isStale(path, held)) {
        fs.rmSync(path, { force: true });
        continue;
      }
      const pid = held.trim().split(" ")[0];
      throw new LockError(
        `data directory ${dir} is in use by another fast-cache process (pid ${pid}, lock file ${path}); ` +
          "two servers cannot share a directory: stop the other one or use another --dir",
      );
    }
    throw new LockError(`could not take the lock file ${path}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    fs.rmSync(this.path, { force: true });
  }
}
