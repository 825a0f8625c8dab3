// Blocking list commands (BLPOP & co.) — design, not yet built beyond this timeout parser:
// the client's home worker keeps the wait (FIFO queue per key in a registry); each key's owner is
// asked over the peer link to send a small "ready" notify when the key gets pushed; the home worker
// then retries with a non-blocking pop forwarded to the owner and keeps waiting if another client
// won. Wake-ups run after each command / after EXEC (as handleClientsBlockedOnKeys); one timer for
// the earliest deadline fires timeouts; the cluster plugs in through an interface (no src/cluster
// imports in src/commands).

import { parseLongDouble } from "../../commands/long-double.ts";

export const ERR_TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
export const ERR_TIMEOUT_NEGATIVE = "ERR timeout is negative";
export const ERR_TIMEOUT_RANGE = "ERR timeout is out of range";

/** Redis 7.0 getTimeoutFromObjectOrReply (seconds): milliseconds (0 = forever) or an error string. */
export function parseBlockTimeout(arg: Uint8Array): { ms: number } | { error: string } {
  const ld = parseLongDouble(arg);
  if (ld === undefined || ld.inf) return { error: ERR_TIMEOUT_NOT_FLOAT };
  const seconds = Number(new TextDecoder().decode(arg));
  const ms = Math.ceil(seconds * 1000);
  // 7.0.15 casts a huge value to long long (LLONG_MIN on x86-64): "1e400" answers "timeout is negative".
  if (ms > Number.MAX_SAFE_INTEGER) return { error: ERR_TIMEOUT_NEGATIVE };
  if (ms < 0) return { error: ERR_TIMEOUT_NEGATIVE };
  return { ms };
}
