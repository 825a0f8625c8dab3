// The "# Walexport" section of INFO (field names in docs/EXPORT.md).
import type { ExportFormat, ExportMode } from "./options.ts";

export interface WalExportStats {
  mode: ExportMode;
  format: ExportFormat;
  /** Listening address with the bound port (listen), or the collector's address (connect). */
  address: string;
  /** Sequence number of the last published frame. */
  lastSeq: number;
  framesSent: number;
  bytesSent: number;
  writeFailures: number;
  connectFailures: number;
  subscribersAccepted: number;
  subscribersRejected: number;
  /** Connections past the handshake (held, catching up or live). */
  subscribersActive: number;
  subscribersDropped: number;
  /** Of the active ones, how many are reading old frames from the WAL files. */
  subscribersCatchingUp: number;
  /** Lowest sequence number fully handed to the kernel among active subscribers; -1 when none. */
  slowestSeq: number;
  /** lastSeq - slowestSeq (0 when no subscriber). */
  slowestLag: number;
  /** Unsent bytes queued for all subscribers. */
  pendingBytes: number;
  /** connect mode: whether the collector connection is up. */
  collectorConnected: boolean;
  /** fcw2: frames of collections not sent (element and expiry changes; docs/EXPORT.md). */
  fcw2SkippedFrames: number;
  /** Several shards: `0=<seq>,1=<seq>,...` (`?` while a shard's position is not known). */
  shardLastSeqs?: string | undefined;
}

export function walExportInfo(s: WalExportStats): string {
  const lines = [
    "# Walexport",
    `walexport_mode:${s.mode}`,
    `walexport_format:${s.format}`,
    `walexport_address:${s.address}`,
    `walexport_last_seq:${s.lastSeq}`,
    `walexport_frames_sent:${s.framesSent}`,
    `walexport_bytes_sent:${s.bytesSent}`,
    `walexport_write_failures:${s.writeFailures}`,
    `walexport_connect_failures:${s.connectFailures}`,
    `walexport_subscribers_accepted:${s.subscribersAccepted}`,
    `walexport_subscribers_rejected:${s.subscribersRejected}`,
    `walexport_subscribers_active:${s.subscribersActive}`,
    `walexport_subscribers_dropped:${s.subscribersDropped}`,
    `walexport_subscribers_catching_up:${s.subscribersCatchingUp}`,
    `walexport_slowest_seq:${s.slowestSeq}`,
    `walexport_slowest_lag:${s.slowestLag}`,
    `walexport_pending_bytes:${s.pendingBytes}`,
  ];
  if (s.shardLastSeqs !== undefined) lines.push(`walexport_shard_last_seqs:${s.shardLastSeqs}`);
  if (s.format === "fcw2") lines.push(`walexport_fcw2_skipped_frames:${s.fcw2SkippedFrames}`);
  if (s.mode === "connect") lines.push(`walexport_collector_connected:${s.collectorConnected ? 1 : 0}`);
  return lines.join("\r\n") + "\r\n";
}
