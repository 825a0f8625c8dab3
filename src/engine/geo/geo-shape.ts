// The area a geo search looks at (geohash_helper.c: geohashCalculateAreasByShapeWGS84): a cell
// of the estimated step around the centre and its eight neighbours, the useless ones zeroed, and
// the score ranges of those cells in the order Redis queries them.
import { distanceIfInRadius, distanceIfInRectangle, degRad, EARTH_RADIUS_IN_METERS, MERCATOR_MAX, radDeg } from "./geo-distance.ts";
import {
  align52, geoDecodeScoreInto, geohashDecode, geohashEncode, geohashNeighbors, WGS84_LAT_RANGE, WGS84_LONG_RANGE, type GeoHashBits,
} from "./geohash.ts";

/** A search shape: a circle of `radius` or a `width` × `height` box, in units of `conversion` metres. */
export type GeoShape =
  | { kind: "radius"; lon: number; lat: number; conversion: number; radius: number }
  | { kind: "box"; lon: number; lat: number; conversion: number; width: number; height: number };

/** geohashEstimateStepsByRadius. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.kind === "radius" ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.kind === "radius" ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const southern = lat < 0;
  return [southern ? lon - lonDeltaBottom : lon - lonDeltaTop, lat - latDelta, southern ? lon + lonDeltaBottom : lon + lonDeltaTop, lat + latDelta];
}

const ZERO: GeoHashBits = { bits: 0n, step: 0 };
const isZero = (h: GeoHashBits): boolean => h.bits === 0n && h.step === 0;

/**
 * The [min, max) score ranges to scan, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW),
 * skipping zeroed cells and a cell equal to the one scanned before it.
 */
export function searchRanges(shape: GeoShape): [number, number][] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    (shape.kind === "radius" ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  const at = (step: number) => {
    const hash = geohashEncode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, shape.lon, shape.lat, step) ?? { bits: 0n, step };
    return { hash, n: geohashNeighbors(hash), area: geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, hash) };
  };
  let cell = at(steps);
  const north = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell.n.north);
  const south = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell.n.south);
  const east = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell.n.east);
  const west = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell.n.west);
  const decrease =
    (north !== undefined && north.latitude.max < maxLat) ||
    (south !== undefined && south.latitude.min > minLat) ||
    (east !== undefined && east.longitude.max < maxLon) ||
    (west !== undefined && west.longitude.min > minLon);
  if (steps > 1 && decrease) {
    steps--;
    cell = at(steps);
  }
  const n = { ...cell.n };
  const area = cell.area;
  if (steps >= 2 && area !== undefined) {
    if (area.latitude.min < minLat) n.south = n.southWest = n.southEast = ZERO;
    if (area.latitude.max > maxLat) n.north = n.northEast = n.northWest = ZERO;
    if (area.longitude.min < minLon) n.west = n.southWest = n.northWest = ZERO;
    if (area.longitude.max > maxLon) n.east = n.southEast = n.northEast = ZERO;
  }
  const cells = [cell.hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
  const out: [number, number][] = [];
  let last: GeoHashBits | undefined;
  for (const h of cells) {
    if (isZero(h)) continue;
    if (last !== undefined && last !== cell.hash && h.bits === last.bits && h.step === last.step) continue;
    out.push([align52(h), align52({ bits: h.bits + 1n, step: h.step })]);
    last = h;
  }
  return out;
}

/** A member inside the shape: its coordinates and distance (metres) from the centre. */
export interface GeoHit {
  lon: number;
  lat: number;
  dist: number;
}

const xy = new Float64Array(2);

/** geoWithinShape: the decoded point and its distance when the score is inside the shape. */
export function withinShape(shape: GeoShape, score: number): GeoHit | undefined {
  geoDecodeScoreInto(score, xy);
  const lon = xy[0]!;
  const lat = xy[1]!;
  const dist =
    shape.kind === "radius"
      ? distanceIfInRadius(shape.lon, shape.lat, lon, lat, shape.radius * shape.conversion)
      : distanceIfInRectangle(shape.width * shape.conversion, shape.height * shape.conversion, shape.lon, shape.lat, lon, lat);
  return dist === undefined ? undefined : { lon, lat, dist };
}
