// A tiny command family for server-layer tests (no dependency on the real families).
import { defineCommand } from "../../src/commands/define.ts";
import { CmdFlag, type CommandEntry } from "../../src/commands/types.ts";

const dec = new TextDecoder();
const { FAST, NO_AUTH, DENYOOM, WRITE, LOADING, READONLY } = CmdFlag;
const base = { categories: ["test"], summary: "test", since: "0.0.0" };

export function testCommands(): CommandEntry[] {
  return [
    defineCommand({ ...base, name: "ping", arity: -1, flags: FAST, handler: (c) => c.reply.simple("PONG") }),
    defineCommand({ ...base, name: "echo", arity: 2, flags: FAST, handler: (c, a) => c.reply.bulk(a[1]!) }),
    defineCommand({
      ...base,
      name: "set",
      arity: 3,
      flags: WRITE | DENYOOM,
      keys: [1, 1, 1],
      handler: (c, a) => {
        c.db.set(a[1]!.slice(), a[2]!.slice());
        c.reply.ok();
      },
    }),
    defineCommand({
      ...base,
      name: "get",
      arity: 2,
      flags: READONLY | FAST,
      keys: [1, 1, 1],
      handler: (c, a) => {
        const slot = c.db.lookup(a[1]!);
        if (slot < 0) c.reply.nullBulk();
        else c.reply.bulkFrom(c.db.valuePage(slot), c.db.valueOffset(slot), c.db.valueLength(slot));
      },
    }),
    defineCommand({
      ...base,
      name: "auth",
      arity: 2,
      flags: NO_AUTH | LOADING,
      handler: (c, a) => {
        if (dec.decode(a[1]!) === c.server.config.get("requirepass")) {
          c.authenticated = true;
          c.reply.ok();
        } else c.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
      },
    }),
    defineCommand({ ...base, name: "boom", arity: 1, flags: 0, handler: () => { throw new Error("kaboom"); } }),
    defineCommand({ ...base, name: "fail", arity: -1, flags: 0, handler: (c) => c.reply.error("WRONGTYPE Operation against a key holding the wrong kind of value") }),
    defineCommand({
      ...base,
      name: "slow",
      arity: 2,
      flags: 0,
      handler: (c, a) => {
        const until = performance.now() + Number(dec.decode(a[1]!));
        while (performance.now() < until);
        c.reply.ok();
      },
    }),
    defineCommand({
      ...base,
      name: "big",
      arity: 2,
      flags: 0,
      handler: (c, a) => c.reply.bulk(new Uint8Array(Number(dec.decode(a[1]!))).fill(120)),
    }),
    defineCommand({ ...base, name: "quit", arity: -1, flags: NO_AUTH | LOADING, handler: (c) => { c.reply.ok(); c.closeAfterReply(); } }),
    defineCommand({
      ...base,
      name: "client",
      arity: -2,
      flags: 0,
      subcommands: [
        defineCommand({ ...base, name: "client|setname", arity: 3, flags: 0, handler: (c, a) => { c.name = dec.decode(a[2]!); c.reply.ok(); } }),
        defineCommand({ ...base, name: "client|id", arity: 2, flags: 0, handler: (c) => c.reply.integer(c.id) }),
        defineCommand({
          ...base,
          name: "client|reply",
          arity: 3,
          flags: 0,
          handler: (c, a) => {
            const m = dec.decode(a[2]!).toLowerCase();
            if (m === "on" || m === "off" || m === "skip") c.replyMode = m;
            c.reply.ok();
          },
        }),
        defineCommand({
          ...base,
          name: "client|kill",
          arity: 3,
          flags: 0,
          handler: (c, a) => {
            const other = c.server.clients.get(Number(dec.decode(a[2]!)));
            if (other === undefined) return c.reply.error("ERR No such client");
            other.kill();
            c.reply.ok();
          },
        }),
      ],
    }),
    defineCommand({
      ...base,
      name: "config",
      arity: -2,
      flags: 0,
      subcommands: [
        defineCommand({
          ...base,
          name: "config|set",
          arity: 4,
          flags: 0,
          handler: (c, a) => {
            const err = c.server.config.set(dec.decode(a[2]!), dec.decode(a[3]!));
            if (err !== undefined) c.reply.error(err);
            else c.reply.ok();
          },
        }),
        defineCommand({
          ...base,
          name: "config|get",
          arity: 3,
          flags: 0,
          handler: (c, a) => {
            const names = c.server.config.match(dec.decode(a[2]!));
            c.reply.mapHeader(names.length);
            for (const n of names) {
              c.reply.bulkString(n);
              c.reply.bulkString(c.server.config.get(n)!);
            }
          },
        }),
      ],
    }),
  ];
}
