// Where a resuming stream starts, shard by shard (docs/EXPORT.md, "Resume without gaps"). Pure:
// the subscriber gives its per-shard cursors and the exporter's positions, and gets either the
// reason to refuse or, per shard, the sequence number to start after and whether that shard must
// first be read from the WAL files (its start is before the point the connection's hold began).
import { listFiles } from "../persistence/io.ts";
import * as H from "./handshake.ts";

export interface ResumeInput {
  /** Requested positions: shard -> sequence number or H.FROM_NOW. Shards not listed start at
   *  their cursor's `base` (where the connection's hold began: every frame since is kept). */
  from: ReadonlyMap<number, number>;
  /** FROM/2 names shards in its errors; FROM/1 keeps its one-shard messages word for word. */
  named: boolean;
  /** The stream's shards, each with the position its hold began at. */
  cursors: ReadonlyMap<number, { readonly base: number }>;
  /** Last published sequence number of a shard. */
  position(shard: number): number;
  walDir: string | undefined;
}

export type ResumePlan =
  | { error: string }
  | { targets: Map<number, number>; catching: number[] };

/** The oldest sequence number kept in `dir` for `shard`, undefined when it has no segment. */
function oldestKept(dir: string, shard: number): number | undefined {
  return listFiles(dir, "wal", shard)[0]?.seq;
}

export function planResume(r: ResumeInput): ResumePlan {
  const why = (shard: number, reason: string): string => (r.named ? H.forShard(shard, reason) : reason);
  for (const k of r.from.keys()) if (!r.cursors.has(k)) return { error: H.ERR_UNKNOWN_SHARD(k) };
  const targets = new Map<number, number>();
  const catching: number[] = [];
  for (const [k, cur] of r.cursors) {
    const last = r.position(k);
    const want = r.from.get(k);
    const seq = want === undefined ? cur.base : want === H.FROM_NOW ? last : want;
    if (seq > last) return { error: why(k, H.ERR_SEQ_AHEAD(seq, last)) };
    targets.set(k, seq);
    if (seq < cur.base) catching.push(k);
  }
  if (catching.length === 0) return { targets, catching };
  const dir = r.walDir;
  if (dir === undefined) return { error: H.ERR_NO_WAL_DIR };
  for (const k of catching) {
    const seq = targets.get(k)!;
    const oldest = oldestKept(dir, k) ?? r.cursors.get(k)!.base + 1;
    if (oldest > seq + 1) return { error: why(k, H.ERR_SEQ_TOO_OLD(seq, oldest)) };
  }
  return { targets, catching };
}
