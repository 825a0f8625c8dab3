// connect mode: keeps one connection to the collector. Each round resolves the collector's host
// and tries every address in turn, each within connectTimeoutMs; when all fail, or when an
// established connection ends, it waits and dials again. The wait starts at backoffMinMs and
// doubles up to backoffMaxMs while attempts keep failing; a connection whose stream started
// resets it.
import { lookup } from "node:dns/promises";
import type { Socket, SocketHandler } from "bun";
import { SubState, type SocketData, type Subscriber } from "./subscriber.ts";

export interface ConnectorHost {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  /** Socket handlers whose `open` creates and starts the collector's Subscriber in `socket.data`. */
  readonly handlers: SocketHandler<SocketData>;
  countConnectFailure(): void;
  log(line: string): void;
}

export class Connector {
  /** The collector connection, while there is one. */
  current: Subscriber | undefined;
  /** Delay before the next dial, in ms. */
  delay: number;
  private stopped = false;
  private sessionEnded: (() => void) | undefined;
  private wakeSleep: (() => void) | undefined;
  private abortDial: (() => void) | undefined;
  private failing = false;
  private running: Promise<void> | undefined;

  constructor(private readonly h: ConnectorHost) {
    this.delay = h.backoffMinMs;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** The exporter reports every closed subscriber here. */
  onClosed(sub: Subscriber): void {
    if (sub !== this.current) return;
    this.current = undefined;
    const end = this.sessionEnded;
    this.sessionEnded = undefined;
    end?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.close();
    this.wakeSleep?.();
    this.abortDial?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const h = this.h;
    while (!this.stopped) {
      const sub = await this.dialRound();
      if (this.stopped) {
        sub?.close();
        break;
      }
      if (sub !== undefined) {
        if (this.failing) h.log(`WAL export: connected to collector ${h.host}:${h.port}`);
        this.failing = false;
        this.current = sub;
        if (sub.state !== SubState.Closed) await new Promise<void>((resolve) => (this.sessionEnded = resolve));
        this.current = undefined;
        if (sub.streamed) this.delay = h.backoffMinMs;
        if (this.stopped) break;
        h.log(`WAL export: collector connection ended (sent up to ${sub.sentSeq}); reconnecting in ${this.delay} ms`);
      } else if (!this.failing) {
        this.failing = true;
        h.log(`WAL export: cannot reach collector ${h.host}:${h.port}; retrying with backoff up to ${h.backoffMaxMs} ms`);
      }
      await this.sleep(this.delay);
      if (sub === undefined || !sub.streamed) this.delay = Math.min(this.delay * 2, h.backoffMaxMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /** One round over every address of the host; the open collector Subscriber, or undefined. */
  private async dialRound(): Promise<Subscriber | undefined> {
    const h = this.h;
    let addrs: string[];
    try {
      addrs = (await lookup(h.host, { all: true })).map((a) => a.address);
    } catch {
      h.countConnectFailure();
      return undefined;
    }
    for (const addr of addrs) {
      if (this.stopped) return undefined;
      const s = await this.dial(addr);
      const sub = s?.data.sub;
      if (sub !== undefined && sub.state !== SubState.Closed) return sub;
      if (this.stopped) return undefined;
      h.countConnectFailure();
    }
    return undefined;
  }

  private dial(hostname: string): Promise<Socket<SocketData> | undefined> {
    const h = this.h;
    return new Promise((resolve) => {
      let settled = false;
      const giveUp = (): void => {
        clearTimeout(timer);
        settled = true;
        resolve(undefined);
      };
      const timer = setTimeout(giveUp, h.connectTimeoutMs);
      this.abortDial = giveUp;
      Bun.connect<SocketData>({ hostname, port: h.port, data: { sub: undefined }, socket: h.handlers }).then(
        (s) => {
          clearTimeout(timer);
          if (settled || this.stopped) {
            // Connected after the timeout (or while stopping): not ours any more.
            if (s.data.sub !== undefined) s.data.sub.close();
            else s.terminate();
            if (!settled) resolve(undefined);
            settled = true;
            return;
          }
          settled = true;
          resolve(s);
        },
        () => {
          clearTimeout(timer);
          if (!settled) resolve(undefined);
          settled = true;
        },
      );
    });
  }
}
