import { expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { WalExporter } from "../../src/export/exporter.ts";
import { WalStreamReader } from "../../src/export/stream-reader.ts";
import { keyOf, Producer, sleep, tempDir, text, until, valueOf } from "./harness.ts";

interface Conn {
  hello: string;
  helloDone: boolean;
  reader: WalStreamReader;
}

/** A collector: asks for everything after its last processed frame on each connection. */
class TestCollector {
  lastSeq = 0;
  frames = 0;
  sessions = 0;
  authLines: string[] = [];
  problems: string[] = [];
  private listener: TCPSocketListener<Conn> | undefined;
  private readonly live = new Set<Socket<Conn>>();

  constructor(readonly port: number) {}

  get up(): boolean {
    return this.listener !== undefined;
  }

  start(): void {
    this.listener = Bun.listen<Conn>({
      hostname: "127.0.0.1",
      port: this.port,
      data: { hello: "", helloDone: false, reader: new WalStreamReader() },
      socket: {
        binaryType: "uint8array",
        open: (s) => {
          s.data = { hello: "", helloDone: false, reader: new WalStreamReader() };
          this.live.add(s);
          this.sessions++;
          s.write(`FCWAL-FROM/1 ${this.lastSeq}\n`);
        },
        data: (s, d) => this.onData(s, d),
        close: (s) => void this.live.delete(s),
        error: () => {},
      },
    });
  }

  private onData(s: Socket<Conn>, d: Uint8Array): void {
    const c = s.data;
    let bytes = d;
    if (!c.helloDone) {
      // The exporter's auth line comes first.
      const nl = d.indexOf(0x0a);
      if (nl < 0) return void (c.hello += text(d));
      c.hello += text(d.subarray(0, nl));
      this.authLines.push(c.hello);
      c.helloDone = true;
      bytes = d.subarray(nl + 1);
    }
    try {
      c.reader.feed(bytes, (item) => {
        if (item.kind !== "fcw4") return void this.problems.push(`unexpected ${item.kind}`);
        const f = item.frame;
        if (f.seq !== this.lastSeq + 1) this.problems.push(`seq ${f.seq} after ${this.lastSeq}`);
        if (text(f.key) !== keyOf(f.seq) || text(f.value) !== valueOf(f.seq)) this.problems.push(`content of ${f.seq}`);
        this.lastSeq = f.seq;
        this.frames++;
      });
    } catch (e) {
      this.problems.push(String(e));
    }
  }

  /** Stops listening and drops every connection, like a crash. */
  kill(): void {
    for (const s of this.live) s.terminate();
    this.listener?.stop(true);
    this.listener = undefined;
  }
}

/** A loopback port nobody listens on (yet). */
function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

test("connect mode: collector not up, then up, then killed and restarted: it receives every frame exactly once", async () => {
  using dir = tempDir();
  const collector = new TestCollector(freePort());
  const exp = new WalExporter({
    mode: "connect", address: `127.0.0.1:${collector.port}`, token: "tok", walDir: dir.path,
    backoffMinMs: 10, backoffMaxMs: 100, connectTimeoutMs: 1000,
  });
  await exp.start();
  const producer = new Producer(dir.path, exp, { segmentBytes: 64 * 1024 });
  try {
    await producer.write(2000, 100);
    await until(() => exp.stats().connectFailures >= 2, "failed dial attempts while the collector is down");
    expect(exp.stats().collectorConnected).toBe(false);

    collector.start();
    await until(() => collector.lastSeq === 2000, "the collector receives what it missed");
    expect(exp.stats().collectorConnected).toBe(true);

    // Keep writing while the collector is killed and restarted.
    let writing = true;
    const writer = (async () => {
      while (writing) await producer.write(100, 20);
    })();
    await until(() => collector.lastSeq > 3000, "live frames reach the collector");
    collector.kill();
    await sleep(100);
    collector.start();
    await until(() => collector.lastSeq > producer.seq - 500 && collector.sessions === 2, "second session streams");
    writing = false;
    await writer;
    await until(() => collector.lastSeq === producer.seq, "the collector has every frame");

    expect(collector.problems).toEqual([]);
    expect(collector.frames).toBe(producer.seq);
    expect(collector.authLines).toEqual(["FCWAL-AUTH/1 tok", "FCWAL-AUTH/1 tok"]);
    const st = exp.stats();
    expect(st.subscribersAccepted).toBe(2);
    expect(st.slowestSeq).toBe(producer.seq);
    expect(exp.info()).toContain("walexport_collector_connected:1\r\n");
  } finally {
    collector.kill();
    await exp.stop();
    await producer.close();
  }
}, 30_000);

test("connect mode: a collector that sends no FROM line gets the stream from the moment it connected", async () => {
  using dir = tempDir();
  let received = 0;
  const l = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      binaryType: "uint8array",
      data: (_s, d) => {
        reader.feed(d, (item) => void (item.kind === "fcw4" && received++));
      },
    },
  });
  const reader = new WalStreamReader();
  const exp = new WalExporter({ mode: "connect", address: `127.0.0.1:${l.port}`, walDir: dir.path, connectTimeoutMs: 150 });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    await until(() => exp.stats().collectorConnected, "connected");
    await producer.write(30, 10);
    await until(() => received === 30, "frames after the connect timeout");
    expect(exp.stats().subscribersAccepted).toBe(1);
  } finally {
    await exp.stop();
    l.stop(true);
    await producer.close();
  }
});

test("connect mode: every address of a host name is tried", async () => {
  const port = freePort();
  const exp = new WalExporter({ mode: "connect", address: `localhost:${port}`, backoffMinMs: 5000, backoffMaxMs: 5000 });
  await exp.start();
  try {
    // localhost resolves to 127.0.0.1 and often ::1: one failure is counted per address tried.
    await until(() => exp.stats().connectFailures >= 1, "first round");
    await sleep(100);
    const { lookup } = await import("node:dns/promises");
    expect(exp.stats().connectFailures).toBe((await lookup("localhost", { all: true })).length);
  } finally {
    await exp.stop();
  }
});
