// One fast-cache per port. SO_REUSEPORT lets every process of the same user bind a port that
// another reusePort listener holds, so a second instance would silently split the clients with
// the first. Before it binds, an instance takes a lock named after the port: a Unix socket in the
// abstract namespace on Linux (the kernel drops it when the process dies, even by SIGKILL, so no
// lock is ever stale), a socket file in the temp directory elsewhere (a file nobody answers on is
// stale and taken over). The holder answers every connection with its pid, so the one refused
// can name it. Only the supervisor holds the lock; its workers bind beside each other.

import type { UnixSocketListener } from "bun";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Another fast-cache serves the port (message names the port and, when known, its pid). */
export class PortBusyError extends Error {
  override name = "PortBusyError";
  constructor(
    readonly port: number,
    readonly pid: number | undefined,
  ) {
    super(
      `port ${port} is already served by another fast-cache instance${pid !== undefined ? ` (pid ${pid})` : ""}; ` +
        `stop it or choose another --port`,
    );
  }
}

export interface PortLock {
  readonly port: number;
  /** Gives the lock up (process exit does it too). Idempotent. */
  release(): void;
}

const ABSTRACT = process.platform === "linux";

/** The lock's socket name for a port (also what `ss -xl` shows, after the leading NUL). */
export function portLockName(port: number): string {
  return ABSTRACT ? `\0fast-cache/port/${port}` : join(tmpdir(), `fast-cache-port-${port}.sock`);
}

/** The pid the holder of `name` announces; undefined when nobody answers (a stale or free lock). */
async function holderPid(name: string, timeoutMs: number): Promise<number | "none" | undefined> {
  const { promise, resolve } = Promise.withResolvers<number | "none" | undefined>();
  let text = "";
  const timer = setTimeout(() => resolve(undefined), timeoutMs);
  try {
    await Bun.connect({
      unix: name,
      socket: {
        data(s, chunk) {
          text += new TextDecoder().decode(chunk);
          if (!text.includes("\n")) return;
          const pid = Number.parseInt(text, 10);
          resolve(Number.isInteger(pid) && pid > 0 ? pid : undefined);
          s.end();
        },
        close() {
          resolve(undefined);
        },
        error() {
          resolve(undefined);
        },
      },
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    // Refused (or no socket file): nobody holds it. Anything else: held, pid unknown.
    resolve(code === "ECONNREFUSED" || code === "ENOENT" ? "none" : undefined);
  }
  const r = await promise;
  clearTimeout(timer);
  return r;
}

function listenLock(name: string): UnixSocketListener<undefined> {
  return Bun.listen<undefined>({
    unix: name,
    data: undefined,
    socket: {
      // The asker closes once it has the line (a holder that closed first made its connect fail).
      open(s) {
        s.write(`${process.pid}\n`);
      },
      data() {},
      error() {},
    },
  });
}

/**
 * Takes the lock of `port` for this process, or throws PortBusyError when another fast-cache
 * holds it. Two instances racing for one port: exactly one listen succeeds.
 */
export async function lockPort(port: number): Promise<PortLock> {
  const name = portLockName(port);
  for (let attempt = 0; ; attempt++) {
    try {
      const l = listenLock(name);
      let held = true;
      return {
        port,
        release() {
          if (!held) return;
          held = false;
          l.stop(true);
          if (!ABSTRACT) rmSync(name, { force: true });
        },
      };
    } catch (e) {
      if ((e as { code?: string }).code !== "EADDRINUSE" || attempt > 2) throw e;
    }
    const pid = await holderPid(name, 1000);
    if (pid === "none") {
      // The holder is gone: an abstract name is free again by now; a socket file is stale.
      if (!ABSTRACT) rmSync(name, { force: true });
      continue;
    }
    throw new PortBusyError(port, pid);
  }
}

/**
 * Claims `hostname:port` for one server: the lock of the port (PortBusyError when another
 * fast-cache serves it), then a bind without SO_REUSEPORT, released at once, that fails with
 * EADDRINUSE when anything else listens there (redis-server, or the workers of an instance whose
 * supervisor was just killed). Port 0 is resolved to the free port the kernel picks. Nothing
 * listens on the port afterwards: the caller's listeners bind it next, and no placeholder ever
 * accepts (and drops) a client.
 */
export async function claimPort(hostname: string, port: number): Promise<PortLock> {
  let lock = port !== 0 ? await lockPort(port) : undefined;
  let actual: number;
  try {
    const probe = Bun.listen<undefined>({ hostname, port, data: undefined, socket: { data() {}, error() {} } });
    actual = probe.port;
    probe.stop(true);
  } catch (e) {
    lock?.release();
    throw e;
  }
  lock ??= await lockPort(actual);
  return lock;
}
