// Runs a script of commands spread over several connections, some of which block, and returns
// every command's reply in script order (a blocking command's reply is the one it finally got).
// After a command marked `blocks`, the next step waits (bounded) until the server lists that
// client with flags=b or it already answered, so the order of the steps is the order the server
// sees them. Used to compare our server with redis-server 7.0.15 and to assert wake-up order.
import type { RespValue } from "./resp-decode.ts";
import { RawClient } from "./server-process.ts";

export interface Step {
  /** Index of the connection that sends it. */
  c: number;
  /** The command; "$ID<n>" is replaced by connection n's client id. */
  argv: string[];
  /** The command may block: do not wait for its reply here. */
  blocks?: boolean;
  /** Closes the connection instead of sending (argv ignored). */
  close?: boolean;
}

/** Bounded wait for `cond`, checked again every few ms (there is no event for "now blocked"). */
async function waitFor(cond: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

export async function runBlockingScript(port: number, resp: 2 | 3, clients: number, steps: readonly Step[]): Promise<RespValue[]> {
  const conns: RawClient[] = [];
  const ids: string[] = [];
  const control = await RawClient.connect(port);
  try {
    for (let i = 0; i < clients; i++) {
      const c = await RawClient.connect(port);
      conns.push(c);
      if (resp === 3) await c.command("HELLO", "3");
      ids.push(String(await c.command("CLIENT", "ID")));
    }
    const out: RespValue[] = new Array<RespValue>(steps.length);
    const waiting: number[][] = conns.map(() => []);
    const collect = async (i: number, timeoutMs = 5000): Promise<void> => {
      const list = waiting[i]!;
      if (list.length === 0) return;
      const got = await conns[i]!.read(list.length, timeoutMs);
      got.forEach((v, k) => (out[list[k]!] = v));
      list.length = 0;
    };
    for (let s = 0; s < steps.length; s++) {
      const st = steps[s]!;
      const conn = conns[st.c]!;
      if (st.close) {
        for (const w of waiting[st.c]!) out[w] = "(closed)";
        waiting[st.c]!.length = 0;
        conn.close();
        const id = ids[st.c]!;
        await waitFor(async () => !String(await control.command("CLIENT", "LIST")).includes(`id=${id} `), `client ${id} gone`);
        out[s] = "(closed)";
        continue;
      }
      const argv = st.argv.map((a) => a.replace(/^\$ID(\d+)$/, (_m, n: string) => ids[Number(n)]!));
      const before = conn.bytes().length;
      conn.sendCommand(...argv);
      waiting[st.c]!.push(s);
      if (!st.blocks) {
        await collect(st.c);
        continue;
      }
      const id = ids[st.c]!;
      await waitFor(async () => {
        if (conn.bytes().length > before) return true;
        const line = String(await control.command("CLIENT", "LIST")).split("\n").find((l) => l.startsWith(`id=${id} `));
        return line !== undefined && / flags=b/.test(line);
      }, `client ${id} blocked`);
    }
    for (let i = 0; i < conns.length; i++) {
      try {
        await collect(i, 2000);
      } catch {
        for (const s of waiting[i]!) out[s] = "(still blocked)";
      }
    }
    return out;
  } finally {
    control.close();
    for (const c of conns) c.close();
  }
}
