// The client a script's redis.call commands run as: the caller's server, database and
// connection details, with a reply buffer of its own (the reply is converted for Lua, never sent)
// and a database selection of its own (a SELECT inside a script does not change the caller's, as
// in Redis 7). On the cross-worker atomic path it keeps the caller's scratch databases.
import type { Keyspace } from "../engine/keyspace.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Client, ServerContext } from "../commands/types.ts";

export class ScriptClient implements Client {
  readonly reply = new ReplyWriter(1024);
  dbIndex = 0;
  authenticated = true;
  lastCommand = "eval";
  replyMode: "on" | "off" | "skip" = "on";
  noEvict = false;
  private startDb = 0;
  private caller: Client | undefined;

  /** Serves `caller`'s script from now until `unbind` (one client is reused for every run). */
  bind(caller: Client): void {
    this.caller = caller;
    this.dbIndex = this.startDb = caller.dbIndex;
    this.reply.resp = 2;
    this.reply.reset();
  }

  unbind(): void {
    this.caller = undefined;
  }

  private get c(): Client {
    return this.caller!;
  }
  get server(): ServerContext {
    return this.c.server;
  }
  get id(): number {
    return this.c.id;
  }
  get name(): string {
    return this.c.name;
  }
  set name(v: string) {
    this.c.name = v;
  }
  get libName(): string {
    return this.c.libName;
  }
  set libName(v: string) {
    this.c.libName = v;
  }
  get libVersion(): string {
    return this.c.libVersion;
  }
  set libVersion(v: string) {
    this.c.libVersion = v;
  }
  get createdAt(): number {
    return this.c.createdAt;
  }
  get lastInteraction(): number {
    return this.c.lastInteraction;
  }
  get remoteAddress(): string {
    return this.c.remoteAddress;
  }
  get remotePort(): number {
    return this.c.remotePort;
  }
  get localPort(): number {
    return this.c.localPort;
  }

  /** The caller's database unless the script SELECTed another one. */
  get db(): Keyspace {
    return this.dbIndex === this.startDb ? this.c.db : this.server.databases.at(this.dbIndex);
  }

  get isolated(): boolean {
    return this.c.isolated === true;
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
