// A clock that reads the system time at most once per `resolutionMs` (and at least every 1024
// calls), as lru-cache's `ttlResolution` does: a clock read costs about 33 ns on this machine,
// more than the rest of a cache hit. Expiry is therefore checked with up to `resolutionMs` of lag.

import type { Milliseconds } from "./types.ts";

export function coarseClock(resolutionMs: Milliseconds = 1, source: () => Milliseconds = Date.now): () => Milliseconds {
  if (resolutionMs <= 0) return source;
  let cached = 0;
  let calls = 0;
  let valid = false;
  const expire = (): void => {
    valid = false;
  };
  return () => {
    if (valid && ++calls < 1024) return cached;
    cached = source();
    calls = 0;
    if (!valid) {
      valid = true;
      const t = setTimeout(expire, resolutionMs);
      t.unref?.();
    }
    return cached;
  };
}
