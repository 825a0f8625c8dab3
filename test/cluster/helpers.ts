// Key names by owning worker, INFO field parsing, and process checks for the worker tests.
import { SlotMap } from "../../src/cluster/slots.ts";

/** `count` key names owned by each of `n` workers (even slot split), prefixed with `prefix`. */
export function keysByWorker(n: number, count: number, prefix = "k"): string[][] {
  const map = SlotMap.even(n);
  const out: string[][] = Array.from({ length: n }, () => []);
  for (let i = 0; out.some((l) => l.length < count); i++) {
    const k = `${prefix}${i}`;
    const list = out[map.ownerOfKey(new TextEncoder().encode(k))]!;
    if (list.length < count) list.push(k);
  }
  return out;
}

/** A field of an INFO text. */
export function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, "m").exec(info);
  return m ? m[1]!.trim() : undefined;
}

/** True when the process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until `cond` holds. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** The per-worker cluster ports a `--workers 2 --cluster-ports yes` server printed at start. */
export function clusterPortsOf(stderr: string): number[] {
  const m = /cluster ports (\d+),(\d+)/.exec(stderr);
  if (m === null) throw new Error(`no "cluster ports" line in: ${stderr}`);
  return [Number(m[1]), Number(m[2])];
}
