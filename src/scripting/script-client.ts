// The client a script's redis.call commands run as: the caller's server, database and
// connection details, with a reply buffer of its own (the reply is converted for Lua, never sent)
// and a database selection of its own (a SELECT inside a script does not change the caller's, as
// in Redis 7). On the cross-worker atomic path it keeps the caller's scratch databases.
import type { Keyspace } from "../engine/keyspace.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Client, ServerContext } from "../commands/types.ts";

export class ScriptClient implements Client {
  readonly reply = new ReplyWriter(1024);
  readonly server: ServerContext;
  readonly id: number;
  dbIndex: number;
  name: string;
  libName: string;
  libVersion: string;
  authenticated = true;
  readonly createdAt: number;
  lastInteraction: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  lastCommand = "eval";
  replyMode: "on" | "off" | "skip" = "on";
  noEvict = false;
  private readonly startDb: number;

  constructor(private readonly caller: Client) {
    this.server = caller.server;
    this.id = caller.id;
    this.dbIndex = this.startDb = caller.dbIndex;
    this.name = caller.name;
    this.libName = caller.libName;
    this.libVersion = caller.libVersion;
    this.createdAt = caller.createdAt;
    this.lastInteraction = caller.lastInteraction;
    this.remoteAddress = caller.remoteAddress;
    this.remotePort = caller.remotePort;
    this.localPort = caller.localPort;
  }

  /** The caller's database unless the script SELECTed another one. */
  get db(): Keyspace {
    return this.dbIndex === this.startDb ? this.caller.db : this.server.databases.at(this.dbIndex);
  }

  get isolated(): boolean {
    return this.caller.isolated === true;
  }

  queryBufferBytes(): number {
    return 0;
  }
  outputBufferBytes(): number {
    return this.reply.len;
  }
  closeAfterReply(): void {}
  kill(): void {}
}
