// Connection commands: PING, ECHO, HELLO, AUTH, QUIT, RESET, SELECT and the CLIENT container
// (src/commands/conn-client.ts). Errors and reply shapes follow Redis 7.0.
import { disableTracking } from "./tracking.ts";
import { unwatchAll } from "./watch.ts";
import { forgetMonitor } from "./monitor.ts";
import { ERR_DB_RANGE, ERR_SELECT_CLUSTER, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGPASS } from "../protocol/errors.ts";
import { bytesToString, intRangeArgOrReply, isKeyword, parseInt64 } from "./args.ts";
import { clientCommand, ERR_CLIENT_NAME } from "./conn-client.ts";
import { defineCommand } from "./define.ts";
import { forgetSubscriber, type PubSubClient } from "./pubsub.ts";
import type { MultiClient } from "./transactions.ts";
import { REDIS_COMPAT_VERSION, sameBytes } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { FAST, NOSCRIPT, LOADING, STALE, NO_AUTH, ALLOW_BUSY } = CmdFlag;

export const ERR_AUTH_NOPASS =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
export const ERR_NOPROTO = "NOPROTO unsupported protocol version";
export const ERR_PROTO_NOT_INTEGER = "ERR Protocol version is not an integer or out of range";
export const ERR_HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
const ERR_HELLO_OPTION = (opt: string): string => `ERR Syntax error in HELLO option '${opt}'`;

const encoder = new TextEncoder();

/** The configured password of the default user, or undefined when none (`nopass`). */
function requirePass(c: Client): string | undefined {
  const p = c.server.config.get("requirepass");
  return p ? p : undefined;
}

/**
 * ACLAuthenticateUser for our single `default` user: with no requirepass it accepts any password;
 * otherwise the password must match. Other user names do not exist.
 */
function authenticate(c: Client, user: Uint8Array, pass: Uint8Array): boolean {
  if (!isKeyword(user, "default")) return false;
  const required = requirePass(c);
  if (required === undefined || sameBytes(pass, encoder.encode(required))) {
    c.authenticated = true;
    return true;
  }
  return false;
}

// PING [message]
function cmdPing(c: Client, argv: Args): void {
  if (argv.length > 2) return c.reply.error("ERR wrong number of arguments for 'ping' command");
  if ((c as PubSubClient).subscriptions && c.reply.resp === 2) {
    // A subscribed RESP2 client gets a push-shaped pong, as in Redis.
    c.reply.arrayHeader(2);
    c.reply.bulkString("pong");
    if (argv.length === 2) c.reply.bulk(argv[1]!);
    else c.reply.bulkString("");
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]!);
  else c.reply.simple("PONG");
}

// ECHO message
function cmdEcho(c: Client, argv: Args): void {
  c.reply.bulk(argv[1]!);
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
function cmdHello(c: Client, argv: Args): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    ver = parseInt64(argv[next++]!);
    if (Number.isNaN(ver)) return c.reply.error(ERR_PROTO_NOT_INTEGER);
    if (ver < 2 || ver > 3) return c.reply.error(ERR_NOPROTO);
  }
  let user: Uint8Array | undefined;
  let pass: Uint8Array | undefined;
  let name: Uint8Array | undefined;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isKeyword(opt, "auth") && more >= 2) {
      user = argv[j + 1]!;
      pass = argv[j + 2]!;
      j += 2;
    } else if (isKeyword(opt, "setname") && more >= 1) {
      name = argv[j + 1]!;
      j++;
    } else {
      return c.reply.error(ERR_HELLO_OPTION(bytesToString(opt)));
    }
  }
  if (user && pass && !authenticate(c, user, pass)) return c.reply.error(ERR_WRONGPASS);
  if (!c.authenticated && requirePass(c) !== undefined) return c.reply.error(ERR_HELLO_NOAUTH);
  if (name) {
    for (let i = 0; i < name.length; i++) if (name[i]! < 33 || name[i]! > 126) return c.reply.error(ERR_CLIENT_NAME);
    c.name = bytesToString(name);
  }
  if (ver) c.reply.resp = ver as 2 | 3;
  const r = c.reply;
  r.mapHeader(7);
  r.bulkString("server");
  r.bulkString("redis");
  r.bulkString("version");
  r.bulkString(REDIS_COMPAT_VERSION);
  r.bulkString("proto");
  r.integer(r.resp);
  r.bulkString("id");
  r.integer(c.id);
  r.bulkString("mode");
  r.bulkString("standalone");
  r.bulkString("role");
  r.bulkString("master");
  r.bulkString("modules");
  r.arrayHeader(0);
}

// AUTH [username] password
function cmdAuth(c: Client, argv: Args): void {
  if (argv.length > 3) return c.reply.error(ERR_SYNTAX);
  let user: Uint8Array;
  let pass: Uint8Array;
  if (argv.length === 2) {
    if (requirePass(c) === undefined) return c.reply.error(ERR_AUTH_NOPASS);
    user = encoder.encode("default");
    pass = argv[1]!;
  } else {
    user = argv[1]!;
    pass = argv[2]!;
  }
  if (authenticate(c, user, pass)) c.reply.ok();
  else c.reply.error(ERR_WRONGPASS);
}

// QUIT
function cmdQuit(c: Client): void {
  c.reply.ok();
  c.closeAfterReply();
}

// RESET: back to a fresh connection's state (RESP2, no name, replies on, deauthenticated when a
// password is set), then +RESET.
function cmdReset(c: Client): void {
  (c as MultiClient).multi = undefined; // discards a transaction in progress
  forgetSubscriber(c); // leaves every channel and pattern
  unwatchAll(c);
  disableTracking(c);
  forgetMonitor(c);
  c.reply.resp = 2;
  c.dbIndex = 0;
  c.name = "";
  c.replyMode = "on";
  c.noEvict = false;
  c.authenticated = requirePass(c) === undefined;
  c.reply.simple("RESET");
}

// SELECT index (0 .. databases-1; only 0 with cluster ports, as Redis Cluster)
function cmdSelect(c: Client, argv: Args): void {
  const id = intRangeArgOrReply(c, argv, 1, -2147483648, 2147483647);
  if (id === undefined) return;
  if (id !== 0 && (c.server.cluster?.clusterPort ?? 0) !== 0) return c.reply.error(ERR_SELECT_CLUSTER);
  if (id < 0 || id >= c.server.databases.count) return c.reply.error(ERR_DB_RANGE);
  c.dbIndex = id;
  c.reply.ok();
}

const CONN = ["fast", "connection"] as const;

export const connectionCommands: CommandEntry[] = [
  defineCommand({ name: "ping", arity: -1, flags: FAST, categories: CONN, summary: "Returns the server's liveliness response.", since: "1.0.0", handler: cmdPing }),
  defineCommand({ name: "echo", arity: 2, flags: FAST, categories: CONN, summary: "Returns the given string.", since: "1.0.0", handler: cmdEcho }),
  defineCommand({
    name: "hello",
    arity: -1,
    flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
    categories: CONN,
    summary: "Handshakes with the Redis server.",
    since: "6.0.0",
    handler: cmdHello,
  }),
  defineCommand({
    name: "auth",
    arity: -2,
    flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
    categories: CONN,
    summary: "Authenticates the connection.",
    since: "1.0.0",
    handler: cmdAuth,
  }),
  defineCommand({
    name: "quit",
    arity: -1,
    flags: ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH,
    categories: CONN,
    summary: "Closes the connection.",
    since: "1.0.0",
    handler: cmdQuit,
  }),
  defineCommand({
    name: "reset",
    arity: 1,
    flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
    categories: CONN,
    summary: "Resets the connection.",
    since: "6.2.0",
    handler: cmdReset,
  }),
  defineCommand({ name: "select", arity: 2, flags: LOADING | STALE | FAST, categories: CONN, summary: "Changes the selected database.", since: "1.0.0", handler: cmdSelect,
    selectsDatabase: (argv, databases) => {
      const n = Number(new TextDecoder().decode(argv[1]));
      return Number.isInteger(n) && n >= 0 && n < databases ? n : undefined;
    } }),
  clientCommand,
];
