import { expect, test } from "bun:test";
import { WalExporter } from "../../src/export/exporter.ts";
import { acceptedSubscribers, activeSubscribers, Producer, subscribe, tempDir, until } from "./harness.ts";

const listen = (dir: string, extra: Partial<ConstructorParameters<typeof WalExporter>[0]> = {}): WalExporter =>
  new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir, ...extra });

test("100,000 writes reach 3 subscribers exactly once, in sequence order, with their contents", async () => {
  using dir = tempDir();
  const exp = listen(dir.path);
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    // One subscriber resumes from 0, one starts "from now", one sends nothing and is held briefly.
    const subs = [await subscribe(exp.port, { from: 0 }), await subscribe(exp.port, { from: "$" }), await subscribe(exp.port)];
    await acceptedSubscribers(exp, 3);
    await producer.write(100_000, 700);
    await until(() => subs.every((s) => s.frames === 100_000), "every subscriber has 100,000 frames", 30_000);
    for (const s of subs) {
      expect(s.problems).toEqual([]);
      expect(s.errors).toEqual([]);
      expect(s.lastSeq).toBe(100_000);
    }
    const st = exp.stats();
    expect(st.framesSent).toBe(300_000);
    expect(st.subscribersAccepted).toBe(3);
    expect(st.subscribersActive).toBe(3);
    expect(st.slowestSeq).toBe(100_000);
    expect(st.slowestLag).toBe(0);
    expect(st.pendingBytes).toBe(0);
    expect(exp.info()).toContain("walexport_frames_sent:300000\r\n");
  } finally {
    await exp.stop();
    await producer.close();
  }
}, 60_000);

test("frames published during the start wait reach a subscriber that sends no line", async () => {
  using dir = tempDir();
  const exp = listen(dir.path, { startWaitMs: 300 });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    const sub = await subscribe(exp.port);
    await until(() => exp.stats().subscribersActive === 1, "held");
    await producer.write(50, 10);
    expect(sub.frames).toBe(0); // still held: nothing written yet
    await until(() => sub.frames === 50, "50 frames after the wait");
    expect(sub.problems).toEqual([]);
    expect(sub.lastSeq).toBe(50);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("the right token is accepted", async () => {
  using dir = tempDir();
  const exp = listen(dir.path, { token: "s3cret" });
  await exp.start();
  const producer = new Producer(dir.path, exp);
  try {
    const sub = await subscribe(exp.port, { token: "s3cret", from: "$" });
    await acceptedSubscribers(exp, 1);
    await producer.write(10);
    await until(() => sub.frames === 10, "10 frames");
    expect(sub.problems).toEqual([]);
    expect(exp.stats().subscribersAccepted).toBe(1);
    expect(exp.stats().subscribersRejected).toBe(0);
  } finally {
    await exp.stop();
    await producer.close();
  }
});

test("a line of exactly 1024 bytes with CRLF is read as an auth line", async () => {
  const token = "t".repeat(1024 - "FCWAL-AUTH/1 ".length - 2);
  using dir = tempDir();
  const exp = listen(dir.path, { token });
  await exp.start();
  try {
    const sub = await subscribe(exp.port, { raw: `FCWAL-AUTH/1 ${token}\r\nFCWAL-FROM/1 $\n` });
    await activeSubscribers(exp, 1);
    expect(sub.closedFlag).toBe(false);
    expect(exp.stats().subscribersRejected).toBe(0);
  } finally {
    await exp.stop();
  }
});

const rejections: [string, string | undefined, string][] = [
  ["a wrong token", "FCWAL-AUTH/1 wrong\n", "authentication failed"],
  ["a missing newline (timed out)", "FCWAL-AUTH/1 s3cret", "handshake timed out"],
  ["a 1025-byte line", `FCWAL-AUTH/1 ${"s".repeat(1025 - 14)}\n`, "line longer than 1024 bytes"],
  ["a silent client (timed out)", undefined, "handshake timed out"],
  ["a line that is not an auth line", "FCWAL-FROM/1 0\n", "authentication required"],
];

test.each(rejections)("%s is rejected, told why and counted", async (_name, raw, reason) => {
  using dir = tempDir();
  const exp = listen(dir.path, { token: "s3cret", connectTimeoutMs: 200 });
  await exp.start();
  try {
    const sub = await subscribe(exp.port, raw === undefined ? {} : { raw });
    await sub.waitClosed();
    expect(sub.errors).toEqual([reason]);
    expect(sub.frames).toBe(0);
    const st = exp.stats();
    expect(st.subscribersRejected).toBe(1);
    expect(st.subscribersAccepted).toBe(0);
    expect(st.subscribersActive).toBe(0);
  } finally {
    await exp.stop();
  }
});

test("the subscriber limit is enforced and a freed place can be taken again", async () => {
  using dir = tempDir();
  const exp = listen(dir.path, { maxSubscribers: 2 });
  await exp.start();
  try {
    const a = await subscribe(exp.port, { from: "$" });
    const b = await subscribe(exp.port, { from: "$" });
    await activeSubscribers(exp, 2);
    const c = await subscribe(exp.port, { from: "$" });
    await c.waitClosed();
    expect(c.errors).toEqual(["too many subscribers"]);
    expect(exp.stats().subscribersRejected).toBe(1);
    a.socket.end();
    await activeSubscribers(exp, 1);
    const d = await subscribe(exp.port, { from: "$" });
    await activeSubscribers(exp, 2);
    await until(() => exp.stats().subscribersAccepted === 3, "3 accepted");
    expect(d.closedFlag).toBe(false);
    expect(b.closedFlag).toBe(false);
  } finally {
    await exp.stop();
  }
});

test("a second exporter on a taken address fails to start", async () => {
  using dir = tempDir();
  const a = listen(dir.path);
  await a.start();
  try {
    const b = new WalExporter({ mode: "listen", address: `127.0.0.1:${a.port}` });
    await expect(b.start()).rejects.toThrow();
  } finally {
    await a.stop();
  }
});
