// A replica's side of a full sync, against a scripted primary (a Bun.listen socket that answers
// the handshake and sends the file in pieces it chooses): an empty replica loads the file while it
// arrives and answers -LOADING meanwhile; a link lost mid-file or a corrupt file leaves it as it
// was (empty, not loading), and the next attempt loads a good file; a replica that holds keys
// keeps them when the file is bad.
import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import "../../src/engine/compound/all-types.ts";
import { Databases } from "../../src/engine/databases.ts";
import { Keyspace } from "../../src/engine/keyspace.ts";
import { ValueType } from "../../src/engine/types.ts";
import { writeRdb } from "../../src/persistence/rdb/index.ts";
import { spawnServer } from "../support/server-process.ts";
import { ask, until } from "./helpers.ts";

const enc = new TextEncoder();
const KEYS = 20_000;

/** An RDB file of KEYS strings `k<i>` = `value-<i>` padded to 40 bytes. */
function goodFile(): Uint8Array {
  const set = new Databases(new Keyspace(), 16, () => new Keyspace());
  for (let i = 0; i < KEYS; i++) set.at(0).set(enc.encode(`k${i}`), enc.encode(`value-${i}`.padEnd(40, ".")), 0, 0, ValueType.String);
  return writeRdb(set);
}

type Plan = (s: Socket<undefined>, mark: string) => void;

/** A primary that runs `plans[n]` for its n-th PSYNC (the last plan repeats). */
function scriptedPrimary(plans: Plan[]): { port: number; syncs: () => number; stop: () => void } {
  let syncs = 0;
  const server = Bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(s, chunk) {
        const text = new TextDecoder().decode(chunk);
        for (const m of text.matchAll(/\*\d+\r\n\$\d+\r\n(\w+)/g)) {
          const cmd = m[1]!.toUpperCase();
          if (cmd === "PING") s.write("+PONG\r\n");
          else if (cmd === "REPLCONF") {
            if (!/ACK/i.test(text)) s.write("+OK\r\n");
          } else if (cmd === "PSYNC") {
            const mark = "a".repeat(40);
            s.write(`+FULLRESYNC ${"f".repeat(40)} 0\r\n`);
            plans[Math.min(syncs++, plans.length - 1)]!(s, mark);
          }
        }
      },
      error() {},
    },
  });
  return { port: server.port, syncs: () => syncs, stop: () => server.stop(true) };
}

const file = goodFile();
const sendAll: Plan = (s, mark) => {
  s.write(`$EOF:${mark}\r\n`);
  // Pieces of 16 KiB: the replica reads (and loads) while the rest is still to come.
  for (let at = 0; at < file.length; at += 16 * 1024) s.write(file.subarray(at, at + 16 * 1024));
  s.write(mark);
};
const halfThenClose: Plan = (s, mark) => {
  s.write(`$EOF:${mark}\r\n`);
  s.write(file.subarray(0, file.length >> 1));
  setTimeout(() => s.end(), 300);
};
const corrupt: Plan = (s, mark) => {
  const bad = file.slice();
  bad[bad.length >> 1]! ^= 0xff;
  bad[(bad.length >> 1) + 1]! = 0xfe; // an unknown value type / length: refused where it is
  s.write(`$EOF:${mark}\r\n`);
  s.write(bad);
  s.write(mark);
};

async function loading(port: number): Promise<string> {
  return String(await ask(port, "INFO", "persistence")).match(/loading:(\d)/)?.[1] ?? "?";
}

describe("a replica receiving a full sync", () => {
  test("an empty replica: -LOADING while the file arrives; a lost link or a corrupt file leaves it empty; then a good file loads", async () => {
    let release: () => void = () => {};
    const paused = new Promise<void>((r) => (release = r));
    const primary = scriptedPrimary([
      // 1: half the file, then wait (the test looks), then close.
      (s, mark) => {
        s.write(`$EOF:${mark}\r\n`);
        s.write(file.subarray(0, file.length >> 1));
        void paused.then(() => s.end());
      },
      corrupt,
      sendAll,
    ]);
    await using replica = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    try {
      expect(await ask(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toBe("OK");
      await until(async () => (await loading(replica.port)) === "1", 10_000, "the replica to be loading");
      expect(await ask(replica.port, "GET", "k1")).toEqual({ error: "LOADING Redis is loading the dataset in memory" });
      release();
      // The link is lost mid-file: empty again, not loading; then the corrupt file; then the good one.
      await until(async () => primary.syncs() >= 3 && (await ask(replica.port, "INFO", "replication").then(String)).includes("master_link_status:up"), 20_000, "the third sync");
      expect(await loading(replica.port)).toBe("0");
      expect(await ask(replica.port, "DBSIZE")).toBe(KEYS);
      expect(await ask(replica.port, "GET", "k12345")).toBe("value-12345".padEnd(40, "."));
      expect(replica.stdout() + replica.stderr()).toContain("Failed trying to load the MASTER synchronization DB from socket");
    } finally {
      primary.stop();
    }
  }, 60_000);

  test("a lost link mid-file: the empty replica is empty and answering again", async () => {
    const primary = scriptedPrimary([halfThenClose]);
    await using replica = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    try {
      expect(await ask(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toBe("OK");
      await until(async () => (await loading(replica.port)) === "1", 10_000, "the replica to be loading half a file");
      await until(async () => (await loading(replica.port)) === "0", 10_000, "the load to end with the link");
      expect(await ask(replica.port, "DBSIZE")).toBe(0); // what it loaded of the half file is gone
      expect(await ask(replica.port, "REPLICAOF", "NO", "ONE")).toBe("OK");
      expect(await ask(replica.port, "DBSIZE")).toBe(0);
    } finally {
      primary.stop();
    }
  }, 30_000);

  test("a replica holding keys keeps them when the file is corrupt", async () => {
    const primary = scriptedPrimary([corrupt]);
    await using replica = await spawnServer(["--workers", "1", "--appendonly", "no"]);
    try {
      expect(await ask(replica.port, "SET", "mine", "kept")).toBe("OK");
      expect(await ask(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toBe("OK");
      await until(async () => primary.syncs() >= 2, 15_000, "two refused syncs");
      expect(await loading(replica.port)).toBe("0");
      expect(await ask(replica.port, "GET", "mine")).toBe("kept");
      expect(await ask(replica.port, "DBSIZE")).toBe(1);
    } finally {
      primary.stop();
    }
  }, 30_000);
});
