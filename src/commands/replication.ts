// REPLICAOF/SLAVEOF, SYNC/PSYNC, REPLCONF, ROLE, WAIT and FAILOVER. The server's replication
// (src/replication/, ServerContext.replication) does the work; without one (in-process harnesses)
// the server is a primary with no replicas: ROLE says master at offset 0, WAIT answers 0 at once
// when it waits for no replica and else after its timeout, as a Redis master with no replicas.
import { intRangeArgOrReply, isKeyword } from "./args.ts";
import { runBlocking } from "./blocking.ts";
import { defineCommand } from "./define.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const LONG = 9223372036854775807;
const dec = new TextDecoder();

// WAIT numreplicas timeout
function cmdWait(c: Client, argv: Args): void {
  const replicas = intRangeArgOrReply(c, argv, 1, -LONG, LONG);
  if (replicas === undefined) return;
  const timeout = intRangeArgOrReply(c, argv, 2, -LONG, LONG);
  if (timeout === undefined) return;
  if (timeout < 0) return c.reply.error("ERR timeout is negative");
  const repl = c.server.replication;
  if (repl !== undefined) return repl.wait(c, replicas, timeout);
  if (replicas <= 0) return c.reply.integer(0);
  runBlocking(c, {
    keys: [],
    timeoutMs: timeout,
    serve: () => false,
    timedOut: (cl) => cl.reply.integer(0),
    cannotBlock: (cl) => cl.reply.integer(0),
    remoteTry: () => [],
    remoteReply: () => undefined,
  });
}

// ROLE
function cmdRole(c: Client): void {
  const repl = c.server.replication;
  if (repl !== undefined) return repl.role(c);
  c.reply.arrayHeader(3);
  c.reply.bulkString("master");
  c.reply.integer(0);
  c.reply.arrayHeader(0);
}

// REPLICAOF host port | NO ONE (SLAVEOF is the same command)
function cmdReplicaOf(c: Client, argv: Args): void {
  const repl = c.server.replication;
  if (c.server.cluster !== undefined && c.server.cluster.clusterPort !== 0 && c.localPort === c.server.cluster.clusterPort) {
    return c.reply.error("ERR REPLICAOF not allowed in cluster mode.");
  }
  let res: { ok: string } | { error: string };
  if (isKeyword(argv[1]!, "no") && isKeyword(argv[2]!, "one")) {
    res = repl?.replicaOf(undefined, 0) ?? { ok: "OK" };
  } else {
    const port = intRangeArgOrReply(c, argv, 2, 0, 65535, "ERR Invalid master port");
    if (port === undefined) return;
    if (c.isMaster) return c.reply.error("ERR Command is not valid when client is a replica.");
    if (repl === undefined) return c.reply.error("ERR replication is not available in this server");
    res = repl.replicaOf(dec.decode(argv[1]!), port);
  }
  if ("error" in res) return c.reply.error(res.error);
  c.reply.simple(res.ok);
}

// SYNC / PSYNC replicationid offset
function cmdSync(c: Client, argv: Args): void {
  const repl = c.server.replication;
  if (repl === undefined) return c.reply.error("ERR replication is not available in this server");
  if (c.isMaster) return c.reply.error("ERR Replica can't SYNC with its master");
  repl.sync(c, argv);
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
function cmdFailover(c: Client, argv: Args): void {
  if (c.server.cluster !== undefined && c.server.cluster.clusterPort !== 0 && c.localPort === c.server.cluster.clusterPort) {
    return c.reply.error("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
  }
  const repl = c.server.replication;
  if (repl === undefined) {
    // No replication here: a primary with no replicas (after Redis's argument checks).
    if (argv.length === 2 && isKeyword(argv[1]!, "abort")) return c.reply.error("ERR No failover in progress.");
    return c.reply.error("ERR FAILOVER requires connected replicas.");
  }
  repl.failover(c, argv);
}

// REPLCONF option value [option value ...]
function cmdReplconf(c: Client, argv: Args): void {
  const repl = c.server.replication;
  if (repl === undefined) return c.reply.ok();
  repl.replconf(c, argv);
}

const { ADMIN, NOSCRIPT, LOADING, STALE, FAST, NO_MULTI, ALLOW_BUSY } = CmdFlag;
const ADMIN_CATS = ["admin", "slow", "dangerous"];

export const replicationCommands: CommandEntry[] = [
  defineCommand({ name: "wait", arity: 3, flags: NOSCRIPT, categories: ["slow", "connection"],
    summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", since: "3.0.0", handler: cmdWait }),
  defineCommand({ name: "role", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST, categories: ["admin", "fast", "dangerous"],
    summary: "Return the role of the instance in the context of replication", since: "2.8.12", handler: cmdRole }),
  defineCommand({ name: "replicaof", arity: 3, flags: ADMIN | NOSCRIPT | STALE, categories: ADMIN_CATS,
    summary: "Make the server a replica of another instance, or promote it as master.", since: "5.0.0", handler: cmdReplicaOf }),
  defineCommand({ name: "slaveof", arity: 3, flags: ADMIN | NOSCRIPT | STALE, categories: ADMIN_CATS,
    summary: "Make the server a replica of another instance, or promote it as master.", since: "1.0.0", handler: cmdReplicaOf }),
  defineCommand({ name: "failover", arity: -1, flags: ADMIN | NOSCRIPT | STALE, categories: ADMIN_CATS,
    summary: "Starts a coordinated failover from a server to one of its replicas.", since: "6.2.0", handler: cmdFailover }),
  defineCommand({ name: "sync", arity: 1, flags: ADMIN | NOSCRIPT | NO_MULTI, categories: ADMIN_CATS,
    summary: "Internal command used for replication", since: "1.0.0", handler: cmdSync }),
  defineCommand({ name: "psync", arity: -3, flags: ADMIN | NOSCRIPT | NO_MULTI, categories: ADMIN_CATS,
    summary: "Internal command used for replication", since: "2.8.0", handler: cmdSync }),
  defineCommand({ name: "replconf", arity: -1, flags: ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY, categories: ADMIN_CATS,
    summary: "An internal command for configuring the replication stream", since: "3.0.0", handler: cmdReplconf }),
];
