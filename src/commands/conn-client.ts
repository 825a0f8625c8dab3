// CLIENT and its subcommands (SETNAME GETNAME ID INFO LIST KILL SETINFO NO-EVICT REPLY HELP).
import { ERR_SYNTAX } from "../protocol/errors.ts";
import { bytesToString, isKeyword, parseInt64 } from "./args.ts";
import { defineCommand } from "./define.ts";
import { cmdClientPause, cmdClientUnpause, type PausableClient } from "./client-pause.ts";
import { cmdCaching, cmdGetRedir, cmdTracking, cmdTrackingInfo, trackingFlags, trackingRedirect } from "./client-tracking.ts";
import { replyHelp } from "./server-help.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const { ADMIN, NOSCRIPT, LOADING, STALE } = CmdFlag;
const SUB = NOSCRIPT | LOADING | STALE;

export const ERR_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
export const ERR_NO_SUCH_CLIENT = "ERR No such client";
export const ERR_CLIENT_ID = "ERR client-id should be greater than 0";
export const ERR_INVALID_CLIENT_ID = "ERR Invalid client ID";
const ERR_UNKNOWN_TYPE = (t: string): string => `ERR Unknown client type '${t}'`;
const ERR_NO_SUCH_USER = (u: string): string => `ERR No such user '${u}'`;
const ERR_SETINFO_OPTION = (o: string): string => `ERR Unrecognized option '${o}'`;
const ERR_ATTR_CHARS = (attr: string): string => `ERR ${attr} cannot contain spaces, newlines or special characters.`;

/** Redis's validateClientAttr: printable ASCII without spaces ('!'..'~'). */
function validAttr(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! < 33 || b[i]! > 126) return false;
  return true;
}

/** Client types Redis knows; every connection of ours is `normal`. Undefined when unknown. */
function clientType(name: string): "normal" | "master" | "replica" | "pubsub" | undefined {
  switch (name.toLowerCase()) {
    case "normal":
      return "normal";
    case "master":
      return "master";
    case "slave":
    case "replica":
      return "replica";
    case "pubsub":
      return "pubsub";
    default:
      return undefined;
  }
}

function addr(c: Client): string {
  return c.remoteAddress.includes(":") ? `[${c.remoteAddress}]:${c.remotePort}` : `${c.remoteAddress}:${c.remotePort}`;
}

function localAddr(c: Client): string {
  const bind = (c.server.config.get("bind") ?? "").split(/\s+/)[0] || "127.0.0.1";
  const host = bind === "*" || bind === "0.0.0.0" || bind === "::" || bind === "" ? "127.0.0.1" : bind.replace(/^-/, "");
  return host.includes(":") ? `[${host}]:${c.localPort}` : `${host}:${c.localPort}`;
}

/**
 * One CLIENT LIST / CLIENT INFO line, fields in Redis's order (7.2 adds lib-name and lib-ver).
 * We have no file descriptors (fd=-1), no pub/sub or MULTI state yet, and one user (`default`).
 */
/** CLIENT LIST/KILL TYPE of a client. */
function typeOfClient(c: Client): "normal" | "master" | "replica" | "pubsub" {
  if (c.isMaster === true) return "master";
  if (c.outputClass === "replica") return "replica";
  return ((c as { subscriptions?: number }).subscriptions ?? 0) > 0 ? "pubsub" : "normal";
}

export function clientInfoLine(c: Client): string {
  const now = c.server.keyspace.now();
  const qbuf = c.queryBufferBytes();
  const omem = c.outputBufferBytes();
  const rbs = c.reply.buf.length;
  // Redis's order of flag letters; N when none.
  const held = c.server.blocking?.isBlocked(c) === true || (c as PausableClient).heldByClientPause === true;
  const role = c.isMaster === true ? "M" : c.outputClass === "replica" ? "S" : "";
  const flags = role + (held ? "b" : "") + trackingFlags(c) + (c.noEvict ? "e" : "") || "N";
  return (
    `id=${c.id} addr=${addr(c)} laddr=${localAddr(c)} fd=-1 name=${c.name}` +
    ` age=${Math.max(0, Math.floor((now - c.createdAt) / 1000))} idle=${Math.max(0, Math.floor((now - c.lastInteraction) / 1000))}` +
    ` flags=${flags} db=${c.dbIndex} sub=0 psub=0 ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0` +
    ` rbs=${rbs} rbp=${rbs} obl=0 oll=0 omem=${omem} tot-mem=${rbs + qbuf + omem} events=${omem > 0 ? "rw" : "r"}` +
    ` cmd=${c.lastCommand} user=default redir=${trackingRedirect(c)} resp=${c.reply.resp} lib-name=${c.libName} lib-ver=${c.libVersion}`
  );
}

// CLIENT SETNAME name
function cmdSetName(c: Client, argv: Args): void {
  const name = argv[2]!;
  if (!validAttr(name)) return c.reply.error(ERR_CLIENT_NAME);
  c.name = bytesToString(name);
  c.reply.ok();
}

// CLIENT GETNAME
function cmdGetName(c: Client): void {
  if (c.name === "") c.reply.nullBulk();
  else c.reply.bulkString(c.name);
}

// CLIENT ID
function cmdId(c: Client): void {
  c.reply.integer(c.id);
}

// CLIENT INFO
function cmdInfo(c: Client): void {
  c.reply.verbatim(clientInfoLine(c) + "\n");
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
function cmdList(c: Client, argv: Args): void {
  let clients = [...c.server.clients.values()];
  if (argv.length === 4 && isKeyword(argv[2]!, "type")) {
    const type = clientType(bytesToString(argv[3]!));
    if (!type) return c.reply.error(ERR_UNKNOWN_TYPE(bytesToString(argv[3]!)));
    clients = clients.filter((o) => typeOfClient(o) === type);
  } else if (argv.length > 3 && isKeyword(argv[2]!, "id")) {
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]!);
      if (Number.isNaN(id)) return c.reply.error(ERR_INVALID_CLIENT_ID);
      ids.push(id);
    }
    clients = [];
    for (const id of ids) {
      const other = c.server.clients.get(id);
      if (other) clients.push(other);
    }
  } else if (argv.length !== 2) {
    return c.reply.error(ERR_SYNTAX);
  }
  let out = "";
  for (const other of clients) out += clientInfoLine(other) + "\n";
  c.reply.verbatim(out);
}

// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]
function cmdKill(c: Client, argv: Args): void {
  let id = 0;
  let type: string | undefined;
  let address: string | undefined;
  let laddr: string | undefined;
  let skipme = true;
  const oldStyle = argv.length === 3;
  if (oldStyle) {
    address = bytesToString(argv[2]!);
    skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]!;
      if (i + 1 >= argv.length) return c.reply.error(ERR_SYNTAX);
      const value = bytesToString(argv[i + 1]!);
      if (isKeyword(opt, "id")) {
        const n = parseInt64(argv[i + 1]!);
        if (Number.isNaN(n) || n < 1) return c.reply.error(ERR_CLIENT_ID);
        id = n;
      } else if (isKeyword(opt, "type")) {
        type = clientType(value);
        if (!type) return c.reply.error(ERR_UNKNOWN_TYPE(value));
      } else if (isKeyword(opt, "addr")) {
        address = value;
      } else if (isKeyword(opt, "laddr")) {
        laddr = value;
      } else if (isKeyword(opt, "user")) {
        if (value !== "default") return c.reply.error(ERR_NO_SUCH_USER(value));
      } else if (isKeyword(opt, "skipme")) {
        if (isKeyword(argv[i + 1]!, "yes")) skipme = true;
        else if (isKeyword(argv[i + 1]!, "no")) skipme = false;
        else return c.reply.error(ERR_SYNTAX);
      } else {
        return c.reply.error(ERR_SYNTAX);
      }
    }
  }
  let killed = 0;
  let self = false;
  for (const other of [...c.server.clients.values()]) {
    if (address !== undefined && addr(other) !== address) continue;
    if (laddr !== undefined && localAddr(other) !== laddr) continue;
    if (type !== undefined && typeOfClient(other) !== type) continue;
    if (id !== 0 && other.id !== id) continue;
    if (other === c && skipme) continue;
    killed++;
    if (other === c) self = true;
    else other.kill();
  }
  if (oldStyle) {
    if (killed === 0) c.reply.error(ERR_NO_SUCH_CLIENT);
    else c.reply.ok();
  } else {
    c.reply.integer(killed);
  }
  // Killing yourself: Redis closes the connection once this reply is out.
  if (self) c.closeAfterReply();
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version
function cmdSetInfo(c: Client, argv: Args): void {
  const attr = bytesToString(argv[2]!);
  const value = argv[3]!;
  const isName = isKeyword(argv[2]!, "lib-name");
  if (!isName && !isKeyword(argv[2]!, "lib-ver")) return c.reply.error(ERR_SETINFO_OPTION(attr));
  if (!validAttr(value)) return c.reply.error(ERR_ATTR_CHARS(attr));
  if (isName) c.libName = bytesToString(value);
  else c.libVersion = bytesToString(value);
  c.reply.ok();
}

// CLIENT NO-EVICT ON|OFF
function cmdNoEvict(c: Client, argv: Args): void {
  if (isKeyword(argv[2]!, "on")) c.noEvict = true;
  else if (isKeyword(argv[2]!, "off")) c.noEvict = false;
  else return c.reply.error(ERR_SYNTAX);
  c.reply.ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
function cmdUnblock(c: Client, argv: Args): void {
  const id = parseInt64(argv[2]!);
  if (Number.isNaN(id)) return c.reply.error("ERR value is not an integer or out of range");
  let error = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3]!, "error")) error = true;
    else if (!isKeyword(argv[3]!, "timeout")) return c.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  } else if (argv.length > 4) {
    return c.reply.error("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");
  }
  c.reply.integer(c.server.blocking?.unblock(id, error) ? 1 : 0);
}

// CLIENT REPLY ON|OFF|SKIP. The dispatcher drops replies while the mode is not "on".
function cmdReply(c: Client, argv: Args): void {
  const mode = argv[2]!;
  if (isKeyword(mode, "on")) {
    c.replyMode = "on";
    c.reply.ok();
  } else if (isKeyword(mode, "off")) {
    c.replyMode = "off";
  } else if (isKeyword(mode, "skip")) {
    if (c.replyMode !== "off") c.replyMode = "skip";
  } else {
    c.reply.error(ERR_SYNTAX);
  }
}

const HELP_LINES = [
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>",
  "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.",
  "    * LIB-VER: the client lib version.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
];

function sub(name: string, arity: number, flags: number, categories: readonly string[], summary: string, since: string, handler: (c: Client, argv: Args) => void): CommandEntry {
  return defineCommand({ name: `client|${name}`, arity, flags, categories, summary, since, handler });
}

const CONN = ["slow", "connection"] as const;
const ADMIN_CONN = ["admin", "slow", "dangerous", "connection"] as const;

export const clientCommand: CommandEntry = defineCommand({
  name: "client",
  arity: -2,
  flags: 0,
  categories: ["slow"],
  summary: "A container for client connection commands",
  since: "2.4.0",
  subcommands: [
    sub("setname", 3, SUB, CONN, "Sets the connection name.", "2.6.9", cmdSetName),
    sub("getname", 2, SUB, CONN, "Returns the name of the connection.", "2.6.9", cmdGetName),
    sub("id", 2, SUB, CONN, "Returns the unique client ID of the connection.", "5.0.0", cmdId),
    sub("info", 2, SUB, CONN, "Returns information about the connection.", "6.2.0", cmdInfo),
    sub("list", -2, ADMIN | SUB, ADMIN_CONN, "Lists open connections.", "2.4.0", cmdList),
    sub("kill", -3, ADMIN | SUB, ADMIN_CONN, "Terminates open connections.", "2.4.0", cmdKill),
    sub("setinfo", 4, SUB, CONN, "Sets information specific to the client or connection.", "7.2.0", cmdSetInfo),
    sub("no-evict", 3, ADMIN | SUB, ADMIN_CONN, "Sets the client eviction mode of the connection.", "7.0.0", cmdNoEvict),
    sub("unblock", -3, ADMIN | SUB, ADMIN_CONN, "Unblock a client blocked in a blocking command from a different connection", "5.0.0", cmdUnblock),
    sub("pause", -3, ADMIN | SUB | CmdFlag.NOSCRIPT | CmdFlag.LOADING | CmdFlag.STALE, ADMIN_CONN, "Suspends commands processing.", "3.0.0", cmdClientPause),
    sub("unpause", 2, ADMIN | SUB | CmdFlag.NOSCRIPT | CmdFlag.LOADING | CmdFlag.STALE, ADMIN_CONN, "Resumes processing commands from paused clients.", "6.2.0", cmdClientUnpause),
    sub("reply", 3, SUB, CONN, "Instructs the server whether to reply to commands.", "3.2.0", cmdReply),
    sub("tracking", -3, SUB, CONN, "Controls server-assisted client-side caching for the connection.", "6.0.0", cmdTracking),
    sub("caching", 3, SUB, CONN, "Instructs the server whether to track the keys in the next request.", "6.0.0", cmdCaching),
    sub("getredir", 2, SUB, CONN, "Returns the client ID to which the connection's tracking notifications are redirected.", "6.0.0", cmdGetRedir),
    sub("trackinginfo", 2, SUB, CONN, "Returns information about server-assisted client-side caching for the connection.", "6.2.0", cmdTrackingInfo),
    sub("help", 2, LOADING | STALE, CONN, "Returns helpful text about the different subcommands.", "5.0.0", (c, argv) => replyHelp(c, argv, HELP_LINES)),
  ],
});
