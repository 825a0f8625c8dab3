// WAIT and ROLE for a server that has no replicas yet (replication is issue 16): ROLE says
// master with offset 0 and no replicas; WAIT answers 0 at once when it waits for no replica,
// else it waits its timeout (0 = forever, until CLIENT UNBLOCK or a disconnect) on the
// blocked-clients service and answers 0, as a Redis master with no replicas does.
import { intRangeArgOrReply } from "./args.ts";
import { runBlocking } from "./blocking.ts";
import { defineCommand } from "./define.ts";
import { CmdFlag, type Args, type Client, type CommandEntry } from "./types.ts";

const LONG = 9223372036854775807;

// WAIT numreplicas timeout
function cmdWait(c: Client, argv: Args): void {
  const replicas = intRangeArgOrReply(c, argv, 1, -LONG, LONG);
  if (replicas === undefined) return;
  const timeout = intRangeArgOrReply(c, argv, 2, -LONG, LONG);
  if (timeout === undefined) return;
  if (timeout < 0) return c.reply.error("ERR timeout is negative");
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
  c.reply.arrayHeader(3);
  c.reply.bulkString("master");
  c.reply.integer(0);
  c.reply.arrayHeader(0);
}

const { NOSCRIPT, LOADING, STALE, FAST } = CmdFlag;

export const replicationCommands: CommandEntry[] = [
  defineCommand({ name: "wait", arity: 3, flags: NOSCRIPT, categories: ["slow", "connection"],
    summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection", since: "3.0.0", handler: cmdWait }),
  defineCommand({ name: "role", arity: 1, flags: NOSCRIPT | LOADING | STALE | FAST, categories: ["admin", "fast", "dangerous"],
    summary: "Return the role of the instance in the context of replication", since: "2.8.12", handler: cmdRole }),
];
