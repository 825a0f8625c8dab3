// Which Persistence serves which server: command handlers (SAVE, BGSAVE, LASTSAVE) see only the
// ServerContext, so the server registers its Persistence here, keyed by that context.
import type { Persistence } from "./index.ts";

const byServer = new WeakMap<object, Persistence>();

export function attachPersistence(server: object, p: Persistence): void {
  byServer.set(server, p);
}

export function detachPersistence(server: object): void {
  byServer.delete(server);
}

/** The Persistence of this server, undefined when it runs without one. */
export function persistenceOf(server: object): Persistence | undefined {
  return byServer.get(server);
}
