// The member scan of a geo search (geo.c: membersOfAllNeighbors, geoGetPointsInRange): each cell's
// score range [min, max) walked in sorted set order through the zset type API, members inside the
// shape collected, stopping at `limit` (COUNT ANY) as Redis does.
import { searchRanges, withinShape, type GeoShape } from "../../engine/geo/geo-shape.ts";
import { zsetCountBeforeScore, zsetWalkRefs } from "../../engine/zset/zset-type.ts";
import type { Keyspace } from "../../engine/keyspace.ts";

export interface GeoPoint {
  member: Uint8Array;
  score: number;
  lon: number;
  lat: number;
  /** Metres from the centre. */
  dist: number;
}

/** Members of the sorted set at `slot` inside `shape`, in Redis's discovery order. */
export function geoPointsInShape(ks: Keyspace, slot: number, shape: GeoShape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  for (const [min, max] of searchRanges(shape)) {
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const from = zsetCountBeforeScore(ks, slot, (s) => s < min);
    zsetWalkRefs(ks, slot, from, false, (src, off, len, score) => {
      if (!(score < max)) return false;
      const hit = withinShape(shape, score);
      if (hit !== undefined) out.push({ member: src.slice(off, off + len), score, lon: hit.lon, lat: hit.lat, dist: hit.dist });
      if (out.length > 0 && limit > 0 && out.length >= limit) return false;
      return true;
    });
  }
  return out;
}

/**
 * Orders points by distance, ascending or descending (Redis sorts only the first COUNT with
 * pqsort; a full sort gives the same first COUNT, up to members at equal distances, whose order
 * Redis leaves undefined).
 */
export function sortByDistance(points: GeoPoint[], desc: boolean): void {
  points.sort(desc ? (a, b) => b.dist - a.dist : (a, b) => a.dist - b.dist);
}
