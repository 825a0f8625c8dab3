// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
//   [AUTH2 username password] [KEYS key ...]   (Redis's cluster.c migrateCommand)
// DUMPs each key here, sends AUTH, SELECT and one RESTORE per key to the target (a redis-server or
// a fast-cache) over a synchronous link (migrate-link.ts, blocking up to `timeout` as Redis does),
// then deletes the keys the target took unless COPY. Replies: +NOKEY when none of the keys exist,
// +OK, -IOERR on a connection failure, "-ERR Target instance replied with error: ..." otherwise.
import { dumpPayload } from "../persistence/rdb/index.ts";
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { intArgOrReply, isKeyword } from "./args.ts";
import { migrateExchange } from "./migrate-link.ts";
import type { Args, Client } from "./types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function resp(parts: (string | Uint8Array)[][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const argv of parts) {
    chunks.push(enc.encode(`*${argv.length}\r\n`));
    for (const a of argv) {
      const b = typeof a === "string" ? enc.encode(a) : a;
      chunks.push(enc.encode(`$${b.length}\r\n`), b, enc.encode("\r\n"));
    }
  }
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The key positions of a MIGRATE call (the key argument, or those after KEYS). */
export function migrateKeyPositions(argv: Args): number[] {
  for (let j = 6; j < argv.length; j++) if (isKeyword(argv[j]!, "keys")) return Array.from({ length: argv.length - j - 1 }, (_v, i) => j + 1 + i);
  return argv[3]!.length > 0 ? [3] : [];
}

export function cmdMigrate(c: Client, argv: Args): void {
  let copy = false;
  let replace = false;
  let username: Uint8Array | undefined;
  let password: Uint8Array | undefined;
  let keyArgs: Uint8Array[] = [argv[3]!];
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isKeyword(argv[j]!, "copy")) copy = true;
    else if (isKeyword(argv[j]!, "replace")) replace = true;
    else if (isKeyword(argv[j]!, "auth")) {
      if (more < 1) return c.reply.error(ERR_SYNTAX);
      password = argv[++j]!;
    } else if (isKeyword(argv[j]!, "auth2")) {
      if (more < 2) return c.reply.error(ERR_SYNTAX);
      username = argv[++j]!;
      password = argv[++j]!;
    } else if (isKeyword(argv[j]!, "keys")) {
      if (argv[3]!.length !== 0) return c.reply.error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
      keyArgs = argv.slice(j + 1);
      break;
    } else return c.reply.error(ERR_SYNTAX);
  }
  let timeout = intArgOrReply(c, argv, 5);
  if (timeout === undefined) return;
  const dbid = intArgOrReply(c, argv, 4);
  if (dbid === undefined) return;
  if (timeout <= 0) timeout = 1000;
  const port = intArgOrReply(c, argv, 2);
  if (port === undefined) return;

  const db = c.db;
  const now = db.now();
  const keys: Uint8Array[] = [];
  const cmds: (string | Uint8Array)[][] = [];
  if (password !== undefined) cmds.push(username !== undefined ? ["AUTH", username, password] : ["AUTH", password]);
  cmds.push(["SELECT", String(dbid)]);
  const head = cmds.length;
  for (const key of keyArgs) {
    const slot = db.lookup(key);
    if (slot < 0) continue;
    const at = db.expireAt(slot);
    let ttl = 0;
    if (at !== 0) {
      ttl = at - now;
      if (ttl < 1) ttl = 1;
    }
    keys.push(key);
    const restore: (string | Uint8Array)[] = ["RESTORE", key, String(ttl), dumpPayload(db, slot)];
    if (replace) restore.push("REPLACE");
    cmds.push(restore);
  }
  if (keys.length === 0) return c.reply.simple("NOKEY");
  const host = dec.decode(argv[1]!);
  const r = migrateExchange(host, port, resp(cmds), cmds.length, timeout);
  if (!r.ok) {
    if (r.stage === "connecting") return c.reply.error("IOERR error or timeout connecting to the client");
    return c.reply.error(`IOERR error or timeout ${r.stage === "writing" ? "writing to" : "reading from"} target instance`);
  }
  for (let i = 0; i < head; i++) {
    const line = r.replies[i] ?? "";
    if (line.startsWith("-")) return c.reply.error(`ERR Target instance replied with error: ${line.slice(1)}`);
  }
  let error: string | undefined;
  for (let i = 0; i < keys.length; i++) {
    const line = r.replies[head + i] ?? "";
    if (line.startsWith("-")) {
      error ??= line.slice(1);
      continue;
    }
    if (!copy) db.delete(keys[i]!);
  }
  if (error !== undefined) return c.reply.error(`ERR Target instance replied with error: ${error}`);
  c.reply.ok();
}
