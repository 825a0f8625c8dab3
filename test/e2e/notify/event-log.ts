// Helpers of the keyspace-notification tests: a subscriber on `__key*__:*` that keeps every event
// as "channel message" text, read up to a sentinel event, and the seeded random source of the
// differential generators.
import type { RespValue } from "../../support/resp-decode.ts";
import { RawClient } from "../../support/server-process.ts";
import type { Rng } from "../differential/generator.ts";

const text = (v: RespValue): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));

/** One pmessage/message (RESP2 array or RESP3 push) as "channel message", or undefined. */
export function eventOf(v: RespValue): string | undefined {
  const items = Array.isArray(v) ? v : v !== null && typeof v === "object" && "push" in v ? v.push : undefined;
  if (items === undefined) return undefined;
  const kind = text(items[0]!);
  if (kind === "pmessage") return `${text(items[2]!)} ${text(items[3]!)}`;
  if (kind === "message") return `${text(items[1]!)} ${text(items[2]!)}`;
  return undefined;
}

export class EventLog {
  private constructor(readonly client: RawClient) {}

  /** Connects, switches to `resp`, and subscribes to `pattern` (the confirmation is read). */
  static async subscribe(port: number, resp: 2 | 3, pattern = "__key*__:*"): Promise<EventLog> {
    const c = await RawClient.connect(port);
    if (resp === 3) await c.command("hello", "3");
    const confirm = await c.command("psubscribe", pattern);
    if (!JSON.stringify(confirm, (_k, x) => (x instanceof Uint8Array ? text(x) : x)).includes("psubscribe")) throw new Error(`no psubscribe confirmation: ${Bun.inspect(confirm)}`);
    return new EventLog(c);
  }

  /** Reads events until one equals `last` (included); every wait is bounded. */
  async until(last: string, timeoutMs = 10000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const [v] = await this.client.read(1, timeoutMs);
      const e = eventOf(v!);
      if (e === undefined) continue;
      out.push(e);
      if (e === last) return out;
    }
  }

  /** Reads events until every one of `lasts` was seen. */
  async untilAll(lasts: readonly string[], timeoutMs = 10000): Promise<string[]> {
    const want = new Set(lasts);
    const out: string[] = [];
    while (want.size > 0) {
      const [v] = await this.client.read(1, timeoutMs);
      const e = eventOf(v!);
      if (e === undefined) continue;
      out.push(e);
      want.delete(e);
    }
    return out;
  }

  close(): void {
    this.client.close();
  }
}

/** mulberry32, as the differential run's. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}
