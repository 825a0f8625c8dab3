// What persistence holds: the numbered databases of one shard (engine/databases.ts), or a single
// Keyspace (the embedded Cache, tests), seen through one interface.
//
// A snapshot walks the databases that exist when it starts, each under the number it had then.
// A SWAPDB during the walk is consistent with that: its frame (seq > the snapshot's) is replayed
// after the snapshot is loaded and swaps the two sets of entries back where they belong, and every
// change after the swap is a later frame with absolute state (absoluteFrames), as for one keyspace.
import type { Keyspace } from "../engine/keyspace.ts";
import type { Milliseconds, ValueType } from "../engine/types.ts";
import type { SnapshotSource } from "./snapshot.ts";

export interface KeyspaceSet {
  /** Database `db`, created on first use. */
  at(db: number): Keyspace;
  /** Every database that exists, lowest number first. */
  each(visit: (db: number, ks: Keyspace) => void): void;
  /** Keys in every database. */
  readonly totalKeys: number;
  /** SWAPDB (replayed from the WAL). */
  swap(a: number, b: number): void;
}

/** A single keyspace as a set of one database; frames of another database are refused. */
export class SingleKeyspace implements KeyspaceSet {
  constructor(private readonly ks: Keyspace) {}

  at(db: number): Keyspace {
    if (db !== 0) throw new RangeError(`the data holds database ${db}; this keyspace is database 0 only`);
    return this.ks;
  }

  each(visit: (db: number, ks: Keyspace) => void): void {
    visit(0, this.ks);
  }

  get totalKeys(): number {
    return this.ks.size;
  }

  swap(a: number, b: number): void {
    if (a !== b) throw new RangeError(`the data swaps databases ${a} and ${b}; this keyspace is database 0 only`);
  }
}

export const keyspaceSetOf = (t: Keyspace | KeyspaceSet): KeyspaceSet => ("each" in t ? t : new SingleKeyspace(t));

/** Sets `absoluteFrames` on every database (and, through `Databases`, on ones made later). */
export function setAbsoluteFrames(set: KeyspaceSet, on: boolean): void {
  const withFlag = set as KeyspaceSet & { absoluteFrames?: boolean };
  if ("absoluteFrames" in withFlag) withFlag.absoluteFrames = on;
  else set.each((_db, ks) => void (ks.absoluteFrames = on));
}

/** The databases that exist now, walked one after the other as one snapshot source. */
export class SnapshotOfSet implements SnapshotSource {
  private readonly parts: { db: number; ks: Keyspace }[] = [];
  private part = 0;
  private local = 0;

  constructor(set: KeyspaceSet) {
    set.each((db, ks) => this.parts.push({ db, ks }));
  }

  get db(): number {
    return this.parts[this.part]?.db ?? 0;
  }

  /** Cursor 0 starts the walk; any other value continues it (the position is kept here). */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    if (cursor === 0) this.part = this.local = 0;
    while (this.part < this.parts.length) {
      const next = this.parts[this.part]!.ks.scan(this.local, count, visit);
      if (next !== 0) {
        this.local = next;
        return 1;
      }
      this.local = 0;
      if (this.part + 1 >= this.parts.length) return 0;
      this.part++;
      return 1;
    }
    return 0;
  }

  private get cur(): Keyspace {
    return this.parts[this.part]!.ks;
  }

  keyView(slot: number): Uint8Array {
    return this.cur.keyView(slot);
  }

  serializedValue(slot: number): Uint8Array {
    return this.cur.serializedValue(slot);
  }

  typeOf(slot: number): ValueType {
    return this.cur.typeOf(slot);
  }

  expireAt(slot: number): Milliseconds {
    return this.cur.expireAt(slot);
  }
}
