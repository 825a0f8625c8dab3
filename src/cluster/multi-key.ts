// Commands whose keys live on several workers.
//
// - MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: split by owner, each part run by its owner, merged
//   in argument order (MGET) or summed (the others). The parts run under the gates of every
//   worker involved (taken in ascending order), so no client sees some of an MSET and not the
//   rest, and an MGET reads one instant.
// - Everything else over several workers (RENAME, RENAMENX, COPY, MSETNX, LCS, and MULTI/EXEC
//   transactions): atomic on a scratch copy. Under the gates, every key is fetched from its
//   owner into a scratch keyspace, the real command handler runs there (so the reply is exactly
//   Redis's), and the keys it changed are written back to their owners.

import { restoreValue } from "../engine/compound/codecs.ts";
import { bytesToLatin1 as latin1 } from "../commands/args.ts";
import type { Args, CommandEntry } from "../commands/types.ts";
import { Databases } from "../engine/databases.ts";
import { Keyspace } from "../engine/keyspace.ts";
import type { ValueType } from "../engine/types.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import { PeerClient, dumpKey } from "./peer-session.ts";
import { isError, readArray, readBulk, readInteger, replyEnd } from "./reply-reader.ts";
import type { CrossHandler } from "./router.ts";
import type { HoldingClient, WorkerCluster } from "./worker-cluster.ts";

const enc = new TextEncoder();
const DUMP = enc.encode("__dump");
const RESTORE = enc.encode("__restore");
const REPLACE = enc.encode("replace");
const DEL = enc.encode("del");

/** Keys (with their arguments) grouped by owner, and each group's argument positions. */
interface Part {
  owner: number;
  argv: Args;
  positions: number[];
}

function groupByOwner(cw: WorkerCluster, argv: Args, width: number): Part[] {
  const parts = new Map<number, Part>();
  for (let i = 1; i + width - 1 < argv.length; i += width) {
    const owner = cw.slots.ownerOfKey(argv[i]!);
    let p = parts.get(owner);
    if (p === undefined) {
      p = { owner, argv: [argv[0]!], positions: [] };
      parts.set(owner, p);
    }
    for (let k = 0; k < width; k++) p.argv.push(argv[i + k]!);
    p.positions.push(i);
  }
  return [...parts.values()];
}

/**
 * Runs each part on its owner with the gates of all of them held, so the parts happen at one
 * instant as far as any other client can tell; `each` sees every reply (a view), `done` runs
 * once all arrived. The client's next commands wait until the parts are sent.
 */
function gatedParts(
  cw: WorkerCluster,
  c: HoldingClient,
  parts: Part[],
  each: (p: Part, reply: Uint8Array) => void,
  done: (hold: (bytes: Uint8Array) => void) => void,
): void {
  const hold = c.hold(c.replyMode !== "on");
  const resp = c.reply.resp;
  const resume = c.pause();
  cw.withGates(
    parts.map((p) => p.owner),
    (release) => {
      let left = parts.length;
      for (const p of parts) {
        cw.ask(p.owner, p.argv, resp, (reply) => {
          each(p, reply);
          if (--left === 0) done(hold);
        }, c.dbIndex);
      }
      // Requests to a peer run before its unlock (one ordered link), so the gates can open now.
      release();
      resume();
    },
  );
}

/** MGET: each owner answers for its keys; the values go back in argument order. */
const mget: CrossHandler = (cw, c, _entry, argv) => {
  const values: Uint8Array[] = new Array<Uint8Array>(argv.length - 1);
  let failure: Uint8Array | undefined;
  gatedParts(
    cw,
    c,
    groupByOwner(cw, argv, 1),
    (p, reply) => {
      const items = readArray(reply, 0);
      if (items === undefined) failure ??= reply.slice();
      else items.forEach(([s, e], j) => (values[p.positions[j]! - 1] = reply.slice(s, e)));
    },
    (hold) => {
      if (failure !== undefined) return hold(failure);
      const w = new ReplyWriter(64);
      w.arrayHeader(values.length);
      for (const v of values) w.raw(v);
      hold(w.bytes());
    },
  );
  return true;
};

/** DEL, UNLINK, EXISTS, TOUCH: the owners' counts added up. */
const sum: CrossHandler = (cw, c, _entry, argv) => {
  let total = 0;
  let failure: Uint8Array | undefined;
  gatedParts(
    cw,
    c,
    groupByOwner(cw, argv, 1),
    (_p, reply) => {
      const n = readInteger(reply, 0);
      if (Number.isNaN(n)) failure ??= reply.slice();
      else total += n;
    },
    (hold) => hold(failure ?? enc.encode(`:${total}\r\n`)),
  );
  return true;
};

/** MSET over several workers, atomically. An odd argument count is left to the handler's error. */
const mset: CrossHandler = (cw, c, _entry, argv) => {
  if ((argv.length - 1) % 2 !== 0) return false;
  let failure: Uint8Array | undefined;
  gatedParts(
    cw,
    c,
    groupByOwner(cw, argv, 2),
    (_p, reply) => {
      if (isError(reply, 0)) failure ??= reply.slice();
    },
    (hold) => hold(failure ?? enc.encode("+OK\r\n")),
  );
  return true;
};

export const splitHandlers: Record<string, CrossHandler> = {
  mget,
  del: sum,
  unlink: sum,
  exists: sum,
  touch: sum,
  mset,
};

/** Distinct keys of the commands, by their latin1 spelling. */
/** A key of the scratch path and the database it is in. */
interface DbKey {
  key: Uint8Array;
  db: number;
}


/**
 * The keys `cmds` name, each with its database: `db` at first, then whatever a queued SELECT
 * (valid index) chose, as the handlers will see it when they run on the scratch databases.
 */
function keysOf(cmds: readonly { entry: CommandEntry; argv: Args }[], db: number, dbCount: number): Map<string, DbKey> {
  const keys = new Map<string, DbKey>();
  const add = (k: Uint8Array): void => void keys.set(`${db}:${latin1(k)}`, { key: k.slice(), db });
  for (const { entry, argv } of cmds) {
    if (entry.selectsDatabase !== undefined) {
      db = entry.selectsDatabase(argv, dbCount) ?? db;
      continue;
    }
    if (entry.movableKeys !== undefined) {
      for (const i of entry.movableKeys(argv)) add(argv[i]!);
      continue;
    }
    if (entry.firstKey === 0 || entry.firstKey >= argv.length) continue;
    const step = entry.step > 0 ? entry.step : 1;
    let last = entry.lastKey < 0 ? argv.length + entry.lastKey : entry.lastKey;
    if (last >= argv.length) last = argv.length - 1;
    for (let i = entry.firstKey; i <= last; i += step) add(argv[i]!);
  }
  return keys;
}

function dumpBytes(ks: Keyspace, key: Uint8Array): Uint8Array {
  const w = new ReplyWriter(64);
  dumpKey(ks, key, w);
  return w.bytes().slice();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs `cmds` atomically over the workers owning their keys (see the file comment). `asArray`:
 * reply with an array of every command's reply (EXEC); otherwise with the single reply.
 * `cmds[i].argv` must stay valid until the call returns (they are copied here). Commands with
 * `patternKeys` (SORT BY/GET) also get the keys those name in what the first fetch brought, under
 * the gates of every worker.
 */
export function runAtomicOnScratch(
  cw: WorkerCluster,
  c: HoldingClient,
  argvs: Args[],
  entry: CommandEntry | readonly CommandEntry[],
  asArray: boolean,
): void {
  const cmds = argvs.map((argv, i) => ({
    entry: Array.isArray(entry) ? (entry as readonly CommandEntry[])[i]! : (entry as CommandEntry),
    argv: argv.map((a) => a.slice()),
  }));
  const startDb = c.dbIndex;
  const keys = keysOf(cmds, startDb, cw.server.databases.count);
  const owners = new Set<number>();
  for (const k of keys.values()) owners.add(cw.slots.ownerOfKey(k.key));
  // Keys found only once the named keys are read (SORT's BY/GET patterns) may be anywhere.
  const byPattern = cmds.filter((x) => x.entry.patternKeys !== undefined);
  if (byPattern.length > 0) for (let w = 0; w < cw.count; w++) owners.add(w);
  const hold = c.hold(c.replyMode !== "on");
  const resp = c.reply.resp;
  const resume = c.pause();
  cw.withGates(owners, (release) => {
    const scratch = new Databases(new Keyspace({ initialCapacity: 16 }), cw.server.databases.count, (db) => new Keyspace({ initialCapacity: 16, db }));
    const run = (): void => {
      const before = new Map<string, Uint8Array>();
      for (const [name, k] of keys) before.set(name, dumpBytes(scratch.at(k.db), k.key));
      const client = new PeerClient(-2, cw.server, scratch);
      client.dbIndex = startDb;
      client.reply.resp = resp;
      const out = new ReplyWriter(256);
      if (asArray) out.arrayHeader(cmds.length);
      for (const { argv } of cmds) {
        cw.exec(client, argv);
        out.raw(client.reply.bytes());
        client.reply.reset();
      }
      // Write back what changed, to each key's owner, in its database.
      for (const [name, { key: k, db }] of keys) {
        const ks = scratch.at(db);
        const after = dumpBytes(ks, k);
        if (sameBytes(after, before.get(name)!)) continue;
        const owner = cw.slots.ownerOfKey(k);
        const slot = ks.peek(k);
        if (slot < 0) {
          cw.ask(owner, [DEL, k], 2, () => {}, db);
        } else {
          const type = enc.encode(String(ks.typeOf(slot)));
          const at = enc.encode(String(ks.expireAt(slot)));
          cw.ask(owner, [RESTORE, k, type, ks.serializedValue(slot).slice(), at, REPLACE], 2, () => {}, db);
        }
      }
      c.dbIndex = client.dbIndex; // a queued SELECT stays in effect, as in Redis
      release();
      resume();
      hold(out.bytes());
    };
    const fetch = (list: DbKey[], then: () => void): void => {
      let left = list.length;
      if (left === 0) return then();
      for (const { key: k, db } of list) {
        cw.ask(cw.slots.ownerOfKey(k), [DUMP, k], 2, (reply) => {
          const items = readArray(reply, 0);
          if (items !== undefined && items.length === 3) {
            const type = readInteger(reply, items[0]![0]) as ValueType;
            const value = readBulk(reply, items[1]![0]);
            const at = readInteger(reply, items[2]![0]);
            if (value) restoreValue(scratch.at(db), k, type, value.slice(), at);
          }
          if (--left === 0) then();
        }, db);
      }
    };
    fetch([...keys.values()], () => {
      if (byPattern.length === 0) return run();
      const seen = new Set(keys.keys());
      const extra: DbKey[] = [];
      // BY/GET patterns read the database the transaction started in (a SORT after a queued
      // SELECT finds its pattern keys missing here, the one approximation of this path).
      for (const k of byPattern.flatMap((x) => x.entry.patternKeys!(scratch.at(startDb), x.argv))) {
        const name = `${startDb}:${latin1(k)}`;
        if (!seen.has(name)) {
          seen.add(name);
          extra.push({ key: k, db: startDb });
        }
      }
      // Read only: they are not in `keys`, so nothing is written back to them.
      fetch(extra, run);
    });
  });
}

/** The end of the first reply in `bytes` (exported for tests of merged streams). */
export const firstReplyEnd = (bytes: Uint8Array): number => replyEnd(bytes, 0);
