// client-output-buffer-limit for one connection: the hard limit, and the soft limit sustained for
// soft-seconds, applied to every byte waiting for the client. Also says when the next check is
// due inside one chunk, so checking between a pipeline's commands costs one comparison each.

import type { OutputBufferLimit } from "../config/params.ts";

export class OutputLimitClock {
  /** Unix ms since the client has been over the soft limit, 0 when under. */
  private softSince = 0;
  /** The in-chunk check runs once (reply buffer + backlog) passes this many bytes. */
  checkAt = 0;

  /** The backlog emptied: the soft clock restarts. */
  reset(): void {
    this.softSince = 0;
  }

  /**
   * True when `size` waiting bytes pass `lim` at `now`. `growing` are the bytes of `size` the
   * in-chunk check compares against `checkAt` (the reply being built plus the backlog).
   */
  over(size: number, growing: number, lim: OutputBufferLimit, now: number): boolean {
    let over = lim.hard > 0 && size > lim.hard;
    if (!over && lim.soft > 0 && size > lim.soft) {
      if (this.softSince === 0) this.softSince = now;
      else over = now - this.softSince > lim.softSeconds * 1000;
    } else if (!over) {
      this.softSince = 0;
    }
    // While the soft clock runs, look again every MiB; else once the nearest limit can be passed.
    const nearest = Math.min(lim.hard > 0 ? lim.hard : Infinity, lim.soft > 0 ? lim.soft : Infinity);
    this.checkAt = this.softSince !== 0 ? growing + 1024 * 1024 : Math.max(0, nearest - (size - growing));
    return over;
  }
}
