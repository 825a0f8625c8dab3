// The seam between the stream commands and the server's blocking machinery (src/server/blocking/,
// built separately): XREAD and XREADGROUP with BLOCK hand their wait to `streamBlocking.wait`, and
// every write that can serve a waiting reader calls `streamBlocking.ready` (Redis's
// signalKeyAsReady / signalDeletedKeyAsReady). Until the blocking module fills `wait`, a BLOCK
// that finds nothing answers as if its timeout expired (a null array), as Redis does for a client
// that may not block (inside MULTI or a script).

import type { Keyspace } from "../../engine/keyspace.ts";
import type { Args, Client } from "../types.ts";

export interface StreamWait {
  /** The streams waited on (each a key of `c.db`). */
  keys: Uint8Array[];
  /** Milliseconds; 0 waits forever. */
  timeoutMs: number;
  /**
   * The command to re-run when a key is ready: the same command without BLOCK, with `$` already
   * resolved to the stream's last ID at the time of blocking. Serving means running it: a reply
   * other than a null array ends the wait; a null array keeps waiting (another reader won).
   */
  retry: Args;
  /** XREADGROUP: a deleted stream or destroyed group ends the wait with this error. */
  group: Uint8Array | undefined;
}

export const streamBlocking: {
  /** Blocks `c` (its reply is written later); false when it cannot block (then a null array is sent). */
  wait?: (c: Client, w: StreamWait) => boolean;
  /** A stream got entries, was deleted, or lost a group: wake its readers after this command. */
  ready?: (db: Keyspace, key: Uint8Array) => void;
} = {};
