import { expect, test } from "bun:test";
import * as fs from "node:fs";
import { WalExporter } from "../../src/export/exporter.ts";
import { runWalTail, type TailIo } from "../../src/export/wal-tail.ts";
import { listFiles } from "../../src/persistence/io.ts";
import { acceptedSubscribers, bytes, Producer, tempDir, until } from "./harness.ts";

function capture(): TailIo & { stdout: string; stderr: string; lines(): unknown[] } {
  const c = {
    stdout: "",
    stderr: "",
    out: (t: string) => void (c.stdout += t),
    err: (t: string) => void (c.stderr += t),
    lines: () => c.stdout.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown),
  };
  return c;
}

const noExport = { publish: (): void => {} };

test("--file prints every frame of a segment as one JSON line", async () => {
  using dir = tempDir();
  const p = new Producer(dir.path, noExport);
  p.append({ op: 1, cause: 0, type: 0, key: bytes("k"), value: bytes("v"), expireAt: 1_700_000_000_000 });
  p.append({ op: 3, cause: 0, type: 0, key: bytes("k"), value: new Uint8Array(0), expireAt: 0 });
  p.append({ op: 1, cause: 0, type: 0, key: new Uint8Array([0xff, 0x00]), value: bytes("é"), expireAt: 0 });
  p.append({ op: 2, cause: 0, type: 0, key: bytes("k"), value: new Uint8Array(0), expireAt: 0 });
  p.append({ op: 4, cause: 0, type: 0, key: new Uint8Array(0), value: new Uint8Array(0), expireAt: 0 });
  await p.close();
  const io = capture();
  const seg = listFiles(dir.path, "wal", 0)[0]!.path;
  expect(await runWalTail(["--file", seg], io)).toBe(0);
  expect(io.stderr).toBe("");
  expect(io.lines()).toEqual([
    { seq: 1, shard: 0, op: "set", type: "string", expireAt: 1_700_000_000_000, key: "k", value: "v" },
    { seq: 2, shard: 0, op: "expire", type: "string", expireAt: 0, key: "k" },
    { seq: 3, shard: 0, op: "set", type: "string", expireAt: 0, keyBase64: "/wA=", value: "é" },
    { seq: 4, shard: 0, op: "delete", type: "string", expireAt: 0, key: "k" },
    { seq: 5, shard: 0, op: "clear", type: "string", expireAt: 0 },
  ]);
  const some = capture();
  expect(await runWalTail(["wal-tail", "--file", seg, "--from", "2", "--count", "2"], some)).toBe(0);
  expect(some.lines().map((l) => (l as { seq: number }).seq)).toEqual([3, 4]);
});

test("--file stops with exit code 1 at a corrupt frame", async () => {
  using dir = tempDir();
  const p = new Producer(dir.path, noExport);
  await p.write(3);
  await p.close();
  const seg = listFiles(dir.path, "wal", 0)[0]!.path;
  const b = fs.readFileSync(seg);
  b[b.length - 2]! ^= 0xff;
  fs.writeFileSync(seg, b);
  const io = capture();
  expect(await runWalTail(["--file", seg], io)).toBe(1);
  expect(io.lines().length).toBe(2);
  expect(io.stderr).toContain("CRC mismatch");
});

test("--connect with --token, --from and --count prints the requested frames", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, token: "tok" });
  await exp.start();
  const p = new Producer(dir.path, exp);
  try {
    await p.write(20, 5);
    const io = capture();
    const code = await runWalTail(["--connect", `127.0.0.1:${exp.port}`, "--token", "tok", "--from", "5", "--count", "10"], io);
    expect(code).toBe(0);
    expect(io.lines().map((l) => (l as { seq: number }).seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(io.lines()[0]).toEqual({ seq: 6, shard: 0, op: "set", type: "string", expireAt: 0, key: "key:6", value: "value:6" });

    const denied = capture();
    expect(await runWalTail(["--connect", `127.0.0.1:${exp.port}`, "--token", "nope"], denied)).toBe(1);
    expect(denied.stderr).toContain("authentication failed");
  } finally {
    await exp.stop();
    await p.close();
  }
});

test("--listen acts as the collector of a connect-mode exporter", async () => {
  using dir = tempDir();
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => {} } });
  const port = l.port;
  l.stop(true);
  const io = capture();
  const tail = runWalTail(["--listen", `127.0.0.1:${port}`, "--token", "tok", "--count", "25"], io);
  const exp = new WalExporter({ mode: "connect", address: `127.0.0.1:${port}`, token: "tok", walDir: dir.path, backoffMinMs: 10 });
  await exp.start();
  const p = new Producer(dir.path, exp);
  try {
    await until(() => exp.stats().collectorConnected, "connected");
    await acceptedSubscribers(exp, 1);
    await p.write(40, 10);
    expect(await tail).toBe(0);
    expect(io.lines().map((x) => (x as { seq: number }).seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  } finally {
    await exp.stop();
    await p.close();
  }
});

test("--listen refuses a server with the wrong token", async () => {
  using dir = tempDir();
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => {} } });
  const port = l.port;
  l.stop(true);
  const io = capture();
  const tail = runWalTail(["--listen", `127.0.0.1:${port}`, "--token", "right"], io);
  const exp = new WalExporter({ mode: "connect", address: `127.0.0.1:${port}`, token: "wrong", walDir: dir.path, backoffMinMs: 10 });
  await exp.start();
  try {
    expect(await tail).toBe(1);
    expect(io.stderr).toContain("the server sent a wrong token");
    expect(io.stdout).toBe("");
  } finally {
    await exp.stop();
  }
});

test("bad arguments print the usage and exit with code 2", async () => {
  for (const argv of [[], ["--file"], ["--connect", "h:1", "--file", "x"], ["--from", "x", "--file", "f"], ["--bogus", "1"]]) {
    const io = capture();
    expect(await runWalTail(argv, io)).toBe(2);
    expect(io.stderr).toContain("Usage: wal-tail");
  }
  const help = capture();
  expect(await runWalTail(["--help"], help)).toBe(0);
  expect(help.stdout).toContain("--connect HOST:PORT");
});

test("--from SHARD:SEQ,... resumes each shard of a several-shard stream (--connect), and bad forms are usage errors", async () => {
  using dir = tempDir();
  const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:0", walDir: dir.path, shards: 2 });
  await exp.start(0);
  exp.setShardPosition(1, 0);
  const p0 = new Producer(dir.path, exp, { shard: 0 });
  const p1 = new Producer(dir.path, exp, { shard: 1 });
  try {
    await Promise.all([p0.write(20, 5), p1.write(20, 5)]);
    const io = capture();
    expect(await runWalTail(["--connect", `127.0.0.1:${exp.port}`, "--from", "0:15,1:12", "--count", "13"], io)).toBe(0);
    const got = io.lines() as { seq: number; shard: number }[];
    expect(got.filter((l) => l.shard === 0).map((l) => l.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(got.filter((l) => l.shard === 1).map((l) => l.seq)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
  } finally {
    await exp.stop();
    await Promise.all([p0.close(), p1.close()]);
  }
  for (const from of ["0:x", "0:1,0:2", "0:$", "1:"]) {
    const bad = capture();
    expect(await runWalTail(["--connect", "127.0.0.1:1", "--from", from], bad)).toBe(2);
    expect(bad.stderr).toContain("--from must be SEQ or SHARD:SEQ");
  }
});

test("--listen resumes each shard after what it printed when a several-shard server reconnects", async () => {
  using dir = tempDir();
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => {} } });
  const port = l.port;
  l.stop(true);
  const io = capture();
  const tail = runWalTail(["--listen", `127.0.0.1:${port}`, "--count", "40"], io);
  const first = new WalExporter({ mode: "connect", address: `127.0.0.1:${port}`, walDir: dir.path, shards: 2, backoffMinMs: 10 });
  await first.start(0);
  first.setShardPosition(1, 0);
  let target: WalExporter = first;
  const via = { publish: (g: Uint8Array): void => target.publish(g) };
  const p0 = new Producer(dir.path, via, { shard: 0 });
  const p1 = new Producer(dir.path, via, { shard: 1 });
  let second: WalExporter | undefined;
  try {
    await acceptedSubscribers(first, 1);
    await Promise.all([p0.write(10, 5), p1.write(10, 5)]);
    await until(() => io.lines().length === 20, "20 frames through the first connection");
    await first.stop();
    await Promise.all([p0.write(10, 5), p1.write(10, 5)]); // in the files only
    // A restarted server: its own position, and the other worker's reported one.
    second = new WalExporter({ mode: "connect", address: `127.0.0.1:${port}`, walDir: dir.path, shards: 2, backoffMinMs: 10 });
    target = second;
    await second.start(p0.seq);
    second.setShardPosition(1, p1.seq);
    expect(await Promise.race([tail, Bun.sleep(10_000).then(() => -1)])).toBe(0);
    const got = io.lines() as { seq: number; shard: number }[];
    for (const shard of [0, 1]) expect(got.filter((x) => x.shard === shard).map((x) => x.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  } finally {
    await first.stop();
    await second?.stop();
    await Promise.all([p0.close(), p1.close()]);
  }
});
