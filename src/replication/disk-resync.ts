// A partial resync from the disk backlog: after +CONTINUE the replica gets the stream from its
// offset, read from the segment files in 1 MiB pieces as its socket drains, until it reaches what
// the in-memory ring holds; then it is attached and follows the live stream. Nothing is buffered
// for it meanwhile: every new byte lands in the ring (and from there on disk), where the reading
// finds it. If the files it still needs are pruned before it catches up, its link is closed and
// it asks again (then with a full sync).
import type { ReplBacklog } from "./repl-backlog.ts";
import type { WalkConnection } from "./sync-walk.ts";

/** Bytes read from disk per piece. */
const PIECE = 1 << 20;
/** No more pieces while the replica's socket holds this much. */
const MAX_QUEUED = 4 << 20;

export interface DiskResyncSteps {
  /** Moves the stream made so far into the backlog (the pending chunk). */
  flushStream(): void;
  /** The backlog now (a promotion or a new history replaces it). */
  backlog(): ReplBacklog | undefined;
  /** The replica has caught up with the ring: it follows the live stream from here. */
  attach(): void;
  /** Logs one line. */
  log(line: string): void;
}

export function resumeFromDisk(conn: WalkConnection, from: number, steps: DiskResyncSteps): void {
  const first = steps.backlog();
  let cursor = from;
  const step = (): void => {
    if (conn.closed) return;
    steps.flushStream();
    const backlog = steps.backlog();
    if (backlog === undefined || backlog !== first) return lost("the backlog was replaced");
    while (conn.outputQueued() < MAX_QUEUED) {
      if (cursor >= backlog.firstByteOffset) {
        const tail = backlog.since(cursor);
        if (tail === undefined) return lost("the stream moved past its offset");
        conn.raw(tail);
        conn.flush();
        steps.attach();
        steps.log(`Replica resumed from the disk backlog at offset ${from} (${cursor - from} bytes read from disk)`);
        return;
      }
      const piece = backlog.disk?.read(cursor, PIECE);
      if (piece === undefined) return lost("the disk backlog no longer holds its offset");
      conn.raw(piece);
      cursor += piece.length;
    }
    conn.flush();
    conn.onWritable = step;
  };
  const lost = (why: string): void => {
    steps.log(`Partial resync from the disk backlog abandoned: ${why}`);
    conn.kill();
  };
  step();
}
