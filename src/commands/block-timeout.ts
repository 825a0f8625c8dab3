// The timeout argument of the blocking commands (BLPOP & co.). The design of blocking is at the
// top of src/server/blocking/blocked-clients.ts. It lives with the commands, which parse it in
// Redis's argument order.

import { parseLongDouble } from "./long-double.ts";

export const ERR_TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
export const ERR_TIMEOUT_NEGATIVE = "ERR timeout is negative";
export const ERR_TIMEOUT_RANGE = "ERR timeout is out of range";

/** Redis 7.0 getTimeoutFromObjectOrReply (seconds): milliseconds (0 = forever) or an error string. */
export function parseBlockTimeout(arg: Uint8Array): { ms: number } | { error: string } {
  const ld = parseLongDouble(arg);
  if (ld === undefined) return { error: ERR_TIMEOUT_NOT_FLOAT };
  // 7.0.15 casts ±inf and huge values to long long (LLONG_MIN on x86-64): "timeout is negative".
  if (ld.inf) return { error: ERR_TIMEOUT_NEGATIVE };
  const seconds = Number(new TextDecoder().decode(arg));
  const ms = Math.ceil(seconds * 1000);
  if (ms > Number.MAX_SAFE_INTEGER) return { error: ERR_TIMEOUT_NEGATIVE };
  if (ms < 0) return { error: ERR_TIMEOUT_NEGATIVE };
  return { ms };
}
