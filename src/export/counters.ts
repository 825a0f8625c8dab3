// Export counters: plain numbers bumped on the hot path, read by INFO (see info.ts).

export class ExportCounters {
  /** Frames handed to the kernel completely (counted once per subscriber). */
  framesSent = 0;
  /** Bytes the kernel accepted, text lines included. */
  bytesSent = 0;
  /** write() reported a closed socket, or a socket accepted nothing for writeTimeoutMs. */
  writeFailures = 0;
  /** connect mode: dial attempts that failed or timed out (one per address tried). */
  connectFailures = 0;
  /** Connections whose stream started (live or catching up). */
  subscribersAccepted = 0;
  /** Connections closed before their stream started: auth, limit, timeout, bad line, bad resume. */
  subscribersRejected = 0;
  /** Connections closed after their stream started because they fell behind or their resume failed. */
  subscribersDropped = 0;
  /** Groups passed to publish(). */
  groupsPublished = 0;
}
