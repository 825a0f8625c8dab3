// Redis's geohash (geohash.c): coordinates as two interleaved fixed-point numbers, latitude in the
// even bits and longitude in the odd bits, `step` bits each (26 for sorted set scores: 52 bits,
// exact in a double). Hashes are held as BigInt only where bits move (neighbors, box bounds); the
// per-member decode works on the score's two 32-bit halves.

/** Longitude and latitude limits of EPSG:900913 / EPSG:3785 / OSGEO:41001, as Redis. */
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
/** Bits per coordinate of a sorted set score (GEO_STEP_MAX). */
export const GEO_STEP_MAX = 26;

export interface GeoRange {
  min: number;
  max: number;
}

/** A hash of `step` bits per coordinate; step 0 with bits 0 is the "zero" (unused) hash. */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface GeoArea {
  longitude: GeoRange;
  latitude: GeoRange;
}

export const WGS84_LONG_RANGE: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT_RANGE: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

const TWO32 = 4294967296;

/** Spreads the low 16 bits of `x` to the even bits of a 32-bit number. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit number into 16 bits. */
function squash16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x >>> 0;
}

/** interleave64(lat, lon) as [high, low] 32-bit halves. */
function interleave(lat: number, lon: number): [number, number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

const TWO63 = 2 ** 63;

/**
 * Splits a hash held in a double (a score) into its 32-bit halves, as `(uint64_t)score` does on
 * x86-64 (any score a client ZADDed: negatives wrap, NaN and values out of range give 2^63 or 0).
 */
function halves(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const v = Math.trunc(score);
    const hi = Math.floor(v / TWO32);
    return [hi >>> 0, (v - hi * TWO32) >>> 0];
  }
  let v: bigint;
  if (Number.isNaN(score) || score <= -TWO63) v = 1n << 63n;
  else if (score < 0) v = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  else if (score - TWO63 < TWO63) v = BigInt(score);
  else v = 0n;
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/**
 * geohashEncode: the hash of (longitude, latitude) in the given ranges at `step` bits, or
 * undefined when outside the limits (or the ranges).
 */
export function geohashEncode(lonRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): GeoHashBits | undefined {
  const halvesOf = encodeHalves(lonRange, latRange, longitude, latitude, step);
  if (halvesOf === undefined) return undefined;
  return { bits: (BigInt(halvesOf[0]) << 32n) | BigInt(halvesOf[1]), step };
}

function encodeHalves(lonRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): [number, number] | undefined {
  if (step > 32 || step === 0) return undefined;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return undefined;
  if (latitude < latRange.min || latitude > latRange.max || longitude < lonRange.min || longitude > lonRange.max) return undefined;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (longitude - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0);
}

/** The sorted set score of a point (geohashEncodeWGS84 at 26 steps, aligned to 52 bits). */
export function geoScore(longitude: number, latitude: number): number | undefined {
  const h = encodeHalves(WGS84_LONG_RANGE, WGS84_LAT_RANGE, longitude, latitude, GEO_STEP_MAX);
  if (h === undefined) return undefined;
  const [hi, lo] = h;
  if (hi < 0x200000) return hi * TWO32 + lo;
  return Number((BigInt(hi) << 32n) | BigInt(lo)); // past 2^53 (longitude 180): rounded as strtod
}

/** geohashDecode: the cell of `hash` in the given ranges. */
export function geohashDecode(lonRange: GeoRange, latRange: GeoRange, hash: GeoHashBits): GeoArea | undefined {
  if (hash.bits === 0n && hash.step === 0) return undefined;
  const bits = BigInt.asUintN(64, hash.bits);
  return decodeCell(lonRange, latRange, Number(bits >> 32n), Number(bits & 0xffffffffn), hash.step);
}

function decodeCell(lonRange: GeoRange, latRange: GeoRange, hi: number, lo: number, step: number): GeoArea {
  const ilato = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  const ilono = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  const div = 2 ** step;
  return {
    latitude: { min: latRange.min + (ilato * 1.0 / div) * latScale, max: latRange.min + (((ilato + 1) >>> 0) * 1.0 / div) * latScale },
    longitude: { min: lonRange.min + (ilono * 1.0 / div) * lonScale, max: lonRange.min + (((ilono + 1) >>> 0) * 1.0 / div) * lonScale },
  };
}

/** geohashDecodeAreaToLongLat: the cell's centre, clamped to the limits. */
function centreOf(area: GeoArea): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** decodeGeohash: a sorted set score back to [longitude, latitude], as Redis decodes it. */
export function geoDecodeScore(score: number): [number, number] {
  const [hi, lo] = halves(score);
  return centreOf(decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, hi, lo, GEO_STEP_MAX));
}

const CELLS = 2 ** GEO_STEP_MAX;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * geoDecodeScore without allocating (the search's per-member path): writes longitude to out[0]
 * and latitude to out[1]; the same arithmetic, so the same doubles.
 */
export function geoDecodeScoreInto(score: number, out: Float64Array): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 2 ** 53) {
    const v = Math.trunc(score);
    hi = Math.floor(v / TWO32);
    lo = (v - hi * TWO32) >>> 0;
  } else {
    [hi, lo] = halves(score);
  }
  const ilato = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  const ilono = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
  const latMin = GEO_LAT_MIN + (ilato * 1.0 / CELLS) * LAT_SCALE;
  const latMax = GEO_LAT_MIN + (((ilato + 1) >>> 0) * 1.0 / CELLS) * LAT_SCALE;
  const lonMin = GEO_LONG_MIN + (ilono * 1.0 / CELLS) * LONG_SCALE;
  const lonMax = GEO_LONG_MIN + (((ilono + 1) >>> 0) * 1.0 / CELLS) * LONG_SCALE;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  out[0] = x;
  out[1] = y;
}

const ODD = 0xaaaaaaaaaaaaaaaan;
const EVEN = 0x5555555555555555n;
const U64 = 0xffffffffffffffffn;

/** geohash_move_x / geohash_move_y: one cell east/west (odd bits) or north/south (even bits). */
function move(hash: GeoHashBits, d: number, lonBits: boolean): GeoHashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  const mine = lonBits ? ODD : EVEN;
  const other = lonBits ? EVEN : ODD;
  let x = hash.bits & mine;
  const y = hash.bits & other;
  const zz = other >> shift;
  if (d > 0) x = (x + (zz + 1n)) & U64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & U64;
  }
  x &= mine >> shift;
  return { bits: x | y, step: hash.step };
}

export interface GeoNeighbors {
  north: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  south: GeoHashBits;
  northEast: GeoHashBits;
  southEast: GeoHashBits;
  northWest: GeoHashBits;
  southWest: GeoHashBits;
}

/** geohashNeighbors: the eight cells around `hash` (wrapping around the map). */
export function geohashNeighbors(hash: GeoHashBits): GeoNeighbors {
  const at = (dx: number, dy: number): GeoHashBits => move(move(hash, dx, true), dy, false);
  return {
    east: at(1, 0),
    west: at(-1, 0),
    south: at(0, -1),
    north: at(0, 1),
    northWest: at(-1, 1),
    southWest: at(-1, -1),
    northEast: at(1, 1),
    southEast: at(1, -1),
  };
}

/** geohashAlign52Bits: the hash's prefix as a 52-bit score. */
export function align52(hash: GeoHashBits): number {
  return Number(BigInt.asUintN(64, hash.bits << BigInt(52 - hash.step * 2)));
}

const ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/** GEOHASH's 11-character base32 string of a score (re-encoded over latitude ±90, as Redis). */
export function geohashString(score: number): string {
  const [lon, lat] = geoDecodeScore(score);
  const h = encodeHalves(WGS84_LONG_RANGE, { min: -90, max: 90 }, lon, lat, GEO_STEP_MAX);
  const bits = h === undefined ? 0n : (BigInt(h[0]) << 32n) | BigInt(h[1]);
  let out = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += ALPHABET[idx];
  }
  return out;
}
