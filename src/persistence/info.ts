// Renders the "# Persistence" section of INFO: Redis's field names where they mean the same thing
// (rdb_* for snapshots, aof_* for the WAL), plus wal_* and snapshot_* fields of our own.
import type { RecoveryResult } from "./recovery.ts";
import type { SnapshotResult } from "./snapshot.ts";
import type { FsyncPolicy, WalWriterStats } from "./wal-writer.ts";

export interface PersistenceInfoInput {
  loading: boolean;
  dirty: number;
  bgsave: boolean;
  bgsaveSeconds: number;
  lastSave: number;
  lastBgsaveOk: boolean;
  lastBgsaveSeconds: number;
  saves: number;
  appendonly: boolean;
  policy: FsyncPolicy;
  seq: number;
  wal: WalWriterStats | undefined;
  walError: string | undefined;
  recovery: RecoveryResult | undefined;
  snapshot: SnapshotResult | undefined;
}

export function persistenceInfo(i: PersistenceInfoInput): string {
  const w = i.wal;
  const lines: string[] = [
    "# Persistence",
    `loading:${i.loading ? 1 : 0}`,
    "async_loading:0",
    `rdb_changes_since_last_save:${i.dirty}`,
    `rdb_bgsave_in_progress:${i.bgsave ? 1 : 0}`,
    `rdb_last_save_time:${i.lastSave}`,
    `rdb_last_bgsave_status:${i.lastBgsaveOk ? "ok" : "err"}`,
    `rdb_last_bgsave_time_sec:${i.lastBgsaveSeconds}`,
    `rdb_current_bgsave_time_sec:${i.bgsaveSeconds}`,
    `rdb_saves:${i.saves}`,
    `rdb_last_load_keys_expired:${i.recovery?.expired ?? 0}`,
    `rdb_last_load_keys_loaded:${(i.recovery?.keys ?? 0) + (i.recovery?.frames ?? 0)}`,
    `aof_enabled:${i.appendonly ? 1 : 0}`,
    "aof_rewrite_in_progress:0",
    "aof_rewrite_scheduled:0",
    `aof_last_write_status:${i.walError === undefined ? "ok" : "err"}`,
  ];
  if (w !== undefined) {
    lines.push(
      `wal_fsync_policy:${i.policy}`,
      `wal_last_seq:${i.seq}`,
      `wal_frames_written:${w.framesWritten}`,
      `wal_bytes_written:${w.bytesWritten}`,
      `wal_fsync_count:${w.fsyncCount}`,
      `wal_fsync_time_us:${Math.round(w.fsyncTimeMs * 1000)}`,
      `wal_fsync_lag_ms:${i.policy === "no" ? 0 : Math.round(w.fsyncLagMs)}`,
      `wal_pending_bytes:${w.pendingBytes}`,
      `wal_current_segment_bytes:${w.segmentBytes}`,
      `wal_segments:${w.segments}`,
      `wal_last_error:${i.walError ?? ""}`,
    );
  }
  const s = i.snapshot;
  lines.push(
    `snapshot_last_keys:${s?.keys ?? 0}`,
    `snapshot_last_bytes:${s?.bytes ?? 0}`,
    `snapshot_last_ms:${s ? Math.round(s.ms) : 0}`,
    `recovery_ms:${i.recovery ? Math.round(i.recovery.ms) : 0}`,
    `recovery_bytes:${i.recovery?.bytes ?? 0}`,
  );
  return lines.join("\r\n") + "\r\n";
}
