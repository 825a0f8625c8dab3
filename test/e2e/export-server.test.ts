// The WAL export of the whole server process: writes through ioredis come out of the TCP export
// (--wal-export listen) once each, in sequence order, with the right op/key/value/expiry; a
// subscriber resumes after a disconnect with no gap and no duplicate; fcw2 works; a wrong token
// is refused; wal-tail prints JSON lines.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { authLine, fromLine, WalStreamReader, type StreamItem } from "../../src/export/index.ts";
import { runWalTail } from "../../src/export/wal-tail.ts";
import { BUN, REPO_ROOT, runToExit, spawnServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "T0ken-e2e";
const dec = new TextDecoder();

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** One decoded frame, copied out of the reader's reused object. */
interface Frame {
  seq: number;
  op: number;
  key: string;
  value: string;
  expireAt: number;
}

/** A raw export subscriber: sends its handshake lines, decodes frames, records error lines. */
class Subscriber {
  readonly frames: Frame[] = [];
  readonly fcw2: { op: number; key: string; value: string; expireAt: number }[] = [];
  readonly errors: string[] = [];
  closed = false;
  private socket: Bun.Socket<undefined> | undefined;

  static async open(port: number, lines: Uint8Array[]): Promise<Subscriber> {
    const sub = new Subscriber();
    const reader = new WalStreamReader();
    const onItem = (item: StreamItem): void => {
      if (item.kind === "fcw4") {
        const f = item.frame;
        sub.frames.push({ seq: f.seq, op: f.op, key: dec.decode(f.key), value: dec.decode(f.value), expireAt: f.expireAt });
      } else if (item.kind === "fcw2") {
        const f = item.frame;
        sub.fcw2.push({ op: f.op, key: dec.decode(f.key), value: dec.decode(f.value), expireAt: f.expireAt });
      } else if (item.kind === "error") {
        sub.errors.push(item.message);
      }
    };
    sub.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        binaryType: "uint8array",
        open: (s) => {
          const all = Buffer.concat(lines);
          if (all.length > 0) s.write(all); // a few bytes: accepted at once on a fresh socket
        },
        data: (_s, chunk) => reader.feed(chunk, onItem),
        close: () => void (sub.closed = true),
        error: () => void (sub.closed = true),
      },
    });
    return sub;
  }

  close(): void {
    this.socket?.end();
  }
}

let srv: ServerProcess;
let exportPort: number;
let redis: Redis;

beforeAll(async () => {
  exportPort = freePort();
  srv = await spawnServer(["--workers", "1", "--appendonly", "yes", "--appendfsync", "everysec",
    "--wal-export", "listen", "--wal-export-addr", `127.0.0.1:${exportPort}`, "--wal-export-token", TOKEN]);
  redis = new Redis({ port: srv.port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: false });
});

afterAll(async () => {
  redis?.disconnect();
  if (srv) expect(await srv.stop()).toBe(0);
});

const OP_SET = 1;
const OP_DELETE = 2;
const OP_EXPIRE = 3;
const OP_CLEAR = 4;

test("every write through ioredis arrives once, in sequence order, with its op, key, value and expiry", async () => {
  const sub = await Subscriber.open(exportPort, [authLine(TOKEN), fromLine("$")]);
  try {
    await Bun.sleep(50); // the FROM line is read before the first write
    const before = Date.now();
    await redis.set("plain", "v1");
    await redis.set("ttl", "v2", "EX", 100);
    await redis.del("plain");
    await redis.expire("ttl", 200);
    await redis.persist("ttl");
    await redis.flushall();
    await redis.incr("counter");
    await redis.append("counter", "7");
    await redis.mset("m1", "a", "m2", "b");
    const after = Date.now();
    const want = 10;
    await until(() => sub.frames.length >= want, 10000, `${want} frames`);
    await Bun.sleep(100); // nothing more may come
    const f = sub.frames;
    expect(f.length).toBe(want);
    for (let i = 1; i < f.length; i++) expect(f[i]!.seq).toBe(f[i - 1]!.seq + 1);
    expect(f.map((x) => [x.op, x.key])).toEqual([
      [OP_SET, "plain"], [OP_SET, "ttl"], [OP_DELETE, "plain"], [OP_EXPIRE, "ttl"], [OP_EXPIRE, "ttl"],
      [OP_CLEAR, ""], [OP_SET, "counter"], [OP_SET, "counter"], [OP_SET, "m1"], [OP_SET, "m2"],
    ]);
    expect(f[0]!.value).toBe("v1");
    expect(f[0]!.expireAt).toBe(0);
    expect(f[1]!.value).toBe("v2");
    expect(f[1]!.expireAt).toBeGreaterThanOrEqual(before + 100_000);
    expect(f[1]!.expireAt).toBeLessThanOrEqual(after + 100_000);
    expect(f[3]!.expireAt).toBeGreaterThanOrEqual(before + 200_000);
    expect(f[3]!.expireAt).toBeLessThanOrEqual(after + 200_000);
    expect(f[4]!.expireAt).toBe(0); // PERSIST
    expect(f[6]!.value).toBe("1"); // INCR logs the new value
    expect(f[7]!.value).toBe("17"); // APPEND logs the whole value
    expect([f[8]!.value, f[9]!.value]).toEqual(["a", "b"]);
    expect(sub.errors).toEqual([]);
  } finally {
    sub.close();
  }
}, 20000);

test("a subscriber that reconnects with FCWAL-FROM/1 <last seq> gets no gap and no duplicate", async () => {
  const first = await Subscriber.open(exportPort, [authLine(TOKEN), fromLine("$")]);
  await Bun.sleep(50);
  for (let i = 0; i < 200; i++) void redis.set(`r:${i}`, `a${i}`);
  await redis.ping();
  await until(() => first.frames.length >= 200, 10000, "200 frames");
  first.close();
  await until(() => first.closed, 5000, "the first subscriber to close");
  const got = first.frames.slice();
  const last = got.at(-1)!.seq;
  // Written while nobody listens: only the WAL files hold these.
  for (let i = 200; i < 500; i++) void redis.set(`r:${i}`, `a${i}`);
  await redis.ping();
  const second = await Subscriber.open(exportPort, [authLine(TOKEN), fromLine(last)]);
  try {
    for (let i = 500; i < 600; i++) void redis.set(`r:${i}`, `a${i}`);
    await redis.ping();
    await until(() => second.frames.length >= 400, 15000, "400 resumed frames");
    await Bun.sleep(100);
    expect(second.errors).toEqual([]);
    expect(second.frames.length).toBe(400);
    expect(second.frames[0]!.seq).toBe(last + 1);
    const all = [...got, ...second.frames];
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBe(all[i - 1]!.seq + 1);
    expect(all.map((x) => x.key)).toEqual(Array.from({ length: 600 }, (_, i) => `r:${i}`));
    expect(all.every((x, i) => x.op === OP_SET && x.value === `a${i}`)).toBe(true);
  } finally {
    second.close();
  }
}, 30000);

test("three subscribers each receive 5,000 pipelined writes once, in order", async () => {
  const subs = await Promise.all([0, 1, 2].map(() => Subscriber.open(exportPort, [authLine(TOKEN), fromLine("$")])));
  try {
    await Bun.sleep(50);
    const pipe = redis.pipeline();
    for (let i = 0; i < 5000; i++) pipe.set(`p:${i}`, `v${i}`);
    await pipe.exec();
    await until(() => subs.every((s) => s.frames.length >= 5000), 15000, "5,000 frames on every subscriber");
    await Bun.sleep(100);
    for (const s of subs) {
      expect(s.frames.length).toBe(5000);
      expect(s.frames.every((f, i) => f.key === `p:${i}` && f.value === `v${i}` && (i === 0 || f.seq === s.frames[i - 1]!.seq + 1))).toBe(true);
    }
    expect(subs[1]!.frames[0]!.seq).toBe(subs[0]!.frames[0]!.seq);
  } finally {
    for (const s of subs) s.close();
  }
}, 30000);

test("a wrong token is refused with an error line and the connection is closed", async () => {
  const bad = await Subscriber.open(exportPort, [authLine("not-the-token")]);
  try {
    await until(() => bad.closed, 5000, "the server to close");
    expect(bad.errors).toEqual(["authentication failed"]);
    await redis.set("after-bad", "x");
    await Bun.sleep(50);
    expect(bad.frames).toEqual([]);
  } finally {
    bad.close();
  }
}, 15000);

test("a missing token is refused", async () => {
  const none = await Subscriber.open(exportPort, [fromLine("$")]);
  try {
    await until(() => none.closed, 5000, "the server to close");
    expect(none.errors).toEqual(["authentication required"]);
  } finally {
    none.close();
  }
}, 15000);

test("INFO walexport counts the server's subscribers and frames", async () => {
  const sub = await Subscriber.open(exportPort, [authLine(TOKEN), fromLine("$")]);
  try {
    await Bun.sleep(50);
    await redis.set("info-key", "1");
    await until(() => sub.frames.length >= 1, 5000, "one frame");
    const text = await redis.info("walexport");
    expect(text).toContain("walexport_mode:listen");
    expect(text).toContain(`walexport_last_seq:${sub.frames[0]!.seq}`);
    expect(Number(/walexport_subscribers_active:(\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/walexport_subscribers_rejected:(\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
  } finally {
    sub.close();
  }
}, 15000);

test("wal-tail --connect prints one JSON line per frame", async () => {
  const out: string[] = [];
  const io = { out: (t: string) => void out.push(t), err: () => {} };
  const tail = runWalTail(["--connect", `127.0.0.1:${exportPort}`, "--token", TOKEN, "--count", "2"], io);
  await Bun.sleep(300); // past the stream's hold (wal-tail sends no FROM line without --from)
  await redis.set("tail:1", "one");
  await redis.set("tail:2", "two", "EX", 60);
  const code = await Promise.race([tail, Bun.sleep(10000).then(() => -1)]);
  expect(code).toBe(0);
  const lines = out.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => [l.op, l.key, l.value])).toEqual([["set", "tail:1", "one"], ["set", "tail:2", "two"]]);
  expect(lines[1]!.expireAt).toBeGreaterThan(Date.now());
  expect(lines[1]!.seq).toBe((lines[0]!.seq as number) + 1);
}, 20000);

// `fast-cache-server wal-tail` is the documented command line; it runs once src/cli.ts routes it.
const cliHasWalTail = readFileSync(join(REPO_ROOT, "src/cli.ts"), "utf8").includes("wal-tail");

test.skipIf(!cliHasWalTail)("bun src/cli.ts wal-tail --connect prints JSON lines", async () => {
  const run = runToExit([BUN, "src/cli.ts", "wal-tail", "--connect", `127.0.0.1:${exportPort}`, "--token", TOKEN, "--count", "1"], 15000);
  let done = false;
  void run.finally(() => void (done = true));
  // Write until wal-tail has started, received a frame and exited (its start-up time varies).
  for (let i = 0; i < 100 && !done; i++) {
    await redis.set("cli-tail", "v");
    await Bun.sleep(100);
  }
  const r = await run;
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout.trim().split("\n")[0]!)).toMatchObject({ op: "set", key: "cli-tail", value: "v" });
}, 20000);

/** A server exporting fcw2, an ioredis client and a live subscriber, for `body`; all closed after. */
async function withFcw2(body: (r2: Redis, sub: Subscriber) => Promise<void>): Promise<void> {
  const port = freePort();
  const s2 = await spawnServer(["--workers", "1", "--appendonly", "yes", "--wal-export", "listen",
    "--wal-export-addr", `127.0.0.1:${port}`, "--wal-export-format", "fcw2"]);
  const r2 = new Redis({ port: s2.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
  const sub = await Subscriber.open(port, [fromLine("$")]);
  try {
    await Bun.sleep(50);
    await body(r2, sub);
  } finally {
    sub.close();
    r2.disconnect();
    expect(await s2.stop()).toBe(0);
  }
}

test("--wal-export-format fcw2 delivers FCW2 frames", () => withFcw2(async (r2, sub) => {
  await r2.set("a", "1");
  await r2.set("b", "2", "EX", 100);
  await r2.del("a");
  await r2.flushall();
  await until(() => sub.fcw2.length >= 4, 10000, "4 FCW2 frames");
  expect(sub.frames).toEqual([]);
  expect(sub.fcw2.map((f) => [f.op, f.key, f.value])).toEqual([[1, "a", "1"], [1, "b", "2"], [2, "a", ""], [2, "", ""]]);
  expect(sub.fcw2[0]!.expireAt).toBe(-1);
  expect(sub.fcw2[1]!.expireAt).toBeGreaterThan(Date.now() + 90_000);
}), 20000);

test("--wal-export-format fcw2: collections are sent as deletes of their keys, their element changes are counted as not sent", () => withFcw2(async (r2, sub) => {
  await r2.hset("h", "f", "v"); // element changes (creation included): not sent
  await r2.hset("h", "g", "w");
  await r2.rpush("l", "a", "b");
  await r2.expire("h", 100); // expiry of a collection: not sent
  await r2.del("l"); // deletes are sent
  await r2.set("t", "1");
  await r2.rename("h", "t"); // a whole hash where the collector holds a string: a delete of "t"
  await r2.set("s", "x");
  await until(() => sub.fcw2.some((f) => f.key === "s"), 10000, "the last FCW2 frame");
  expect(sub.fcw2.map((f) => [f.op, f.key, f.value])).toEqual([[2, "l", ""], [1, "t", "1"], [2, "t", ""], [2, "h", ""], [1, "s", "x"]]);
  const info = await r2.info("walexport");
  expect(info).toContain("walexport_fcw2_skipped_frames:4");
}), 20000);
