// The server with persistence, in-process: MISCONF for writes while the disk fails (reads go on,
// the error clears itself), replies held until the sync under appendfsync always, SAVE / BGSAVE /
// LASTSAVE / INFO persistence / CONFIG GET, SHUTDOWN-style stop, and the embedded Cache option.
import { expect, test } from "bun:test";
import * as fs from "node:fs";
import { Cache } from "../../src/cache.ts";
import { defaultConfig } from "../../src/config/params.ts";
import { nodeIo, type WalIo } from "../../src/persistence/io.ts";
import { startServer } from "../../src/server/server.ts";
import { RawClient } from "../support/server-process.ts";
import { tempDir } from "./helpers.ts";

const quiet = (): void => {};

test("disk full: writes get MISCONF, reads keep working, and the error clears when writes succeed again", async () => {
  using dir = tempDir();
  let full = false;
  const io: Partial<WalIo> = {
    writeSync: (fd, buf, off, len) => {
      if (full) throw Object.assign(new Error("ENOSPC"), { code: "ENOSPC" });
      return nodeIo.writeSync(fd, buf, off, len);
    },
  };
  const srv = startServer({ config: { ...defaultConfig(), port: 0, dir: dir.path, appendonly: true }, persistence: { io, log: quiet } });
  await srv.ready;
  try {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("SET", "a", "1")).toBe("OK");
    full = true;
    expect(await c.command("SET", "b", "2")).toBe("OK"); // accepted; its frame waits in memory
    await Bun.sleep(20); // the group's write fails after this turn
    expect(await c.command("SET", "c", "3")).toEqual({ error: "MISCONF Errors writing to the AOF file: No space left on device" });
    expect(await c.command("GET", "a")).toBe("1");
    expect(await c.command("GET", "b")).toBe("2");
    const info = String(((await c.command("INFO", "persistence")) as string));
    expect(info).toContain("aof_last_write_status:err");
    full = false;
    let reply = await c.command("SET", "c", "3");
    for (let i = 0; i < 100 && reply !== "OK"; i++) {
      await Bun.sleep(20);
      reply = await c.command("SET", "c", "3");
    }
    expect(reply).toBe("OK");
  } finally {
    await srv.stop();
  }
  // nothing acknowledged was lost
  const again = startServer({ config: { ...defaultConfig(), port: 0, dir: dir.path, appendonly: true }, persistence: { log: quiet } });
  await again.ready;
  try {
    using c = await RawClient.connect(again.port);
    expect(await c.command("MGET", "a", "b", "c")).toEqual(["1", "2", "3"]);
  } finally {
    await again.stop();
  }
});

test("appendfsync always: a pipeline's replies (reads included) come after the sync, in order", async () => {
  using dir = tempDir();
  const syncs: (() => void)[] = [];
  const io: Partial<WalIo> = { fdatasync: (fd, cb) => void syncs.push(() => nodeIo.fdatasync(fd, cb)) };
  const srv = startServer({ config: { ...defaultConfig(), port: 0, dir: dir.path, appendonly: true, appendfsync: "always" }, persistence: { io, log: quiet } });
  await srv.ready;
  try {
    using c = await RawClient.connect(srv.port);
    c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    for (let i = 0; i < 200 && syncs.length === 0; i++) await Bun.sleep(5);
    expect(syncs.length).toBe(1);
    await Bun.sleep(30);
    expect(c.bytes().length).toBe(0); // held until the sync completes
    syncs.shift()!();
    expect(await c.read(2)).toEqual(["OK", "v"]);
    // a read-only turn with nothing unsynced is not held
    expect(await c.command("GET", "k")).toBe("v");
    const info = String(await c.command("INFO", "persistence"));
    expect(info).toContain("wal_fsync_policy:always");
    expect(info).toMatch(/wal_fsync_count:1\r\n/);
  } finally {
    const stopping = srv.stop();
    for (let i = 0; i < 50; i++) {
      while (syncs.length > 0) syncs.shift()!();
      await Bun.sleep(5);
    }
    await stopping;
  }
});

test("SAVE, BGSAVE, LASTSAVE, CONFIG GET and a stop that syncs the WAL", async () => {
  using dir = tempDir();
  const cfg = { ...defaultConfig(), port: 0, dir: dir.path, appendonly: true };
  const srv = startServer({ config: cfg, persistence: { log: quiet } });
  await srv.ready;
  using c = await RawClient.connect(srv.port);
  expect(await c.command("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "yes"]);
  expect(await c.command("CONFIG", "GET", "save")).toEqual(["save", "300 1000"]);
  expect(await c.command("CONFIG", "GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
  for (let i = 0; i < 100; i++) await c.command("SET", `k${i}`, `v${i}`);
  const before = (await c.command("LASTSAVE")) as number;
  expect(typeof before).toBe("number");
  expect(await c.command("SAVE")).toBe("OK");
  expect(fs.readdirSync(dir.path).filter((n) => n.endsWith(".fcs")).length).toBe(1);
  expect(await c.command("BGSAVE", "NOPE")).toEqual({ error: "ERR syntax error" });
  expect(await c.command("BGSAVE")).toBe("Background saving started");
  const second = await c.command("BGSAVE");
  expect([{ error: "ERR Background save already in progress" }, "Background saving started"] as unknown[]).toContainEqual(second);
  expect(["Background saving scheduled", "Background saving started"] as unknown[]).toContain(await c.command("BGSAVE", "SCHEDULE"));
  expect((await c.command("LASTSAVE")) as number).toBeGreaterThanOrEqual(before);
  await c.command("SET", "after", "snapshot");
  await srv.stop();
  const again = startServer({ config: { ...cfg }, persistence: { log: quiet } });
  await again.ready;
  try {
    using d = await RawClient.connect(again.port);
    expect(await d.command("DBSIZE")).toBe(101);
    expect(await d.command("GET", "after")).toBe("snapshot");
  } finally {
    await again.stop();
  }
});

test("without persistence SAVE and BGSAVE refuse and CONFIG GET says so", async () => {
  const srv = startServer({ config: { ...defaultConfig(), port: 0 } });
  try {
    using c = await RawClient.connect(srv.port);
    expect(await c.command("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "no"]);
    expect(await c.command("CONFIG", "GET", "save")).toEqual(["save", ""]);
    expect(((await c.command("SAVE")) as { error: string }).error).toStartWith("ERR persistence is disabled");
    expect(await c.command("LASTSAVE")).toBe(0);
  } finally {
    await srv.stop();
  }
});

test("the embedded Cache with persistence recovers its entries and TTLs after close and reopen", async () => {
  using dir = tempDir();
  const a = new Cache({ persistence: { dir: dir.path, fsync: "always", log: quiet } });
  a.set("x", "1");
  a.set("y", "2", { ttl: 3_600_000 });
  a.set("gone", "soon", { ttl: 30 });
  a.delete("x");
  a.set("z", new Uint8Array([0, 1, 2]));
  await a.durable();
  expect(() => new Cache({ persistence: { dir: dir.path, log: quiet } })).toThrow("is in use by another fast-cache process");
  await a.close();
  await Bun.sleep(40);
  const b = new Cache({ persistence: { dir: dir.path, log: quiet } });
  try {
    expect(b.get("x")).toBeUndefined();
    expect(b.getString("y")).toBe("2");
    expect(b.get("gone")).toBeUndefined();
    expect(b.get("z")).toEqual(new Uint8Array([0, 1, 2]));
    expect(b.size).toBe(2);
    expect(b.save().keys).toBe(2);
  } finally {
    await b.close();
  }
});
