// Distances on the sphere as Redis computes them (geohash_helper.c): the haversine formula over
// EARTH_RADIUS_IN_METERS, and the radius and box membership tests of the geo searches.

/** Earth's quadratic mean radius for WGS-84, as Redis. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
/** The width of the Mercator projection, for the step estimate. */
export const MERCATOR_MAX = 20037726.37;

const D_R = Math.PI / 180.0;
const R_D = 180.0 / Math.PI;

export const degRad = (ang: number): number => ang * D_R;
export const radDeg = (ang: number): number => ang * R_D;

/** Distance between two latitudes on one meridian. */
export function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: metres between two points (haversine). */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same longitude: the cheaper meridian distance.
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** geohashGetDistanceIfInRadius: the distance when within `radius` metres, else undefined. */
export function distanceIfInRadius(x1: number, y1: number, x2: number, y2: number, radius: number): number | undefined {
  const d = geoDistance(x1, y1, x2, y2);
  return d > radius ? undefined : d;
}

/**
 * geohashGetDistanceIfInRectangle: the distance from the centre (x1, y1) when (x2, y2) is in the
 * width × height metres box around it, else undefined.
 */
export function distanceIfInRectangle(widthM: number, heightM: number, x1: number, y1: number, x2: number, y2: number): number | undefined {
  const latD = latDistance(y2, y1);
  if (latD > heightM / 2) return undefined;
  const lonD = geoDistance(x2, y2, x1, y2);
  if (lonD > widthM / 2) return undefined;
  return geoDistance(x1, y1, x2, y2);
}
