import { expect, test } from "bun:test";
import { WalExporter } from "../../src/export/exporter.ts";
import { acceptedSubscribers, Producer, sleep, subscribe, tempDir, until } from "./harness.ts";

/** An echo server and a client doing request/response round trips: the "ordinary clients". */
async function echoTraffic(): Promise<{ roundTrips: () => number; stop: () => void }> {
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data: (s, d) => void s.write(d), error: () => {} },
  });
  let trips = 0;
  let stopped = false;
  const client = await Bun.connect({
    hostname: "127.0.0.1",
    port: server.port,
    socket: {
      data: (s) => {
        trips++;
        if (!stopped) s.write("ping");
      },
      error: () => {},
    },
  });
  client.write("ping");
  return {
    roundTrips: () => trips,
    stop: () => {
      stopped = true;
      client.end();
      server.stop(true);
    },
  };
}

test("a subscriber that stops reading is dropped at the byte limit while another subscriber and ordinary clients go on; it then resumes without a gap", async () => {
  using dir = tempDir();
  const valueSize = 1024;
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, maxPendingBytes: 1024 * 1024, writeTimeoutMs: 0 });
  await exp.start();
  const producer = new Producer(dir.path, exp, { valueSize, segmentBytes: 4 * 1024 * 1024 });
  const echo = await echoTraffic();
  try {
    const slow = await subscribe(exp.port, { from: 0, valueSize });
    const fast = await subscribe(exp.port, { from: 0, valueSize });
    await acceptedSubscribers(exp, 2);
    slow.socket.pause();
    // Write until the stalled subscriber has been dropped (its kernel buffers fill first).
    for (let i = 0; i < 200 && exp.stats().subscribersDropped === 0; i++) await producer.write(1000, 250);
    expect(exp.stats().subscribersDropped).toBe(1);
    const tripsAtDrop = echo.roundTrips();
    const seqAtDrop = producer.seq;
    await producer.write(2000, 250);
    await until(() => fast.lastSeq === producer.seq, "the fast subscriber has every frame");
    await until(() => echo.roundTrips() > tripsAtDrop + 100, "ordinary clients keep getting replies");
    expect(fast.problems).toEqual([]);
    expect(fast.frames).toBe(producer.seq);

    // The dropped subscriber reads what reached it, then resumes from its last sequence number.
    slow.socket.resume();
    await slow.waitClosed();
    expect(slow.problems).toEqual([]);
    expect(slow.lastSeq).toBeLessThan(seqAtDrop);
    const again = await subscribe(exp.port, { from: slow.lastSeq, valueSize });
    await producer.write(1000, 250);
    await until(() => again.lastSeq === producer.seq, "the resumed subscriber catches up");
    expect(again.problems).toEqual([]);
    expect(again.errors).toEqual([]);
    expect(slow.frames + again.frames).toBe(producer.seq);
    const st = exp.stats();
    expect(st.subscribersDropped).toBe(1);
    expect(st.subscribersActive).toBe(2);
    expect(st.subscribersCatchingUp).toBe(0);
  } finally {
    echo.stop();
    await exp.stop();
    await producer.close();
  }
}, 60_000);

test("a subscriber whose socket accepts nothing for the write timeout is disconnected and counted", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, writeTimeoutMs: 200 });
  await exp.start();
  const producer = new Producer(dir.path, exp, { valueSize: 4096 });
  try {
    const sub = await subscribe(exp.port, { from: "$", valueSize: 4096 });
    await acceptedSubscribers(exp, 1);
    sub.socket.pause();
    // A trickle of writes: the byte limit (64 MiB) is far away, only the timeout can fire.
    for (let i = 0; i < 1000 && exp.stats().subscribersActive === 1; i++) {
      await producer.write(50, 50);
      await sleep(10);
    }
    expect(exp.stats().writeFailures).toBe(1);
    expect(exp.stats().subscribersActive).toBe(0);
    expect(exp.stats().subscribersDropped).toBe(0);
  } finally {
    await exp.stop();
    await producer.close();
  }
}, 60_000);
