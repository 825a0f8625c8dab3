// The geohash engine on its own: encode/decode round trips within a cell, neighbours that touch
// their cell and wrap at the antimeridian, the score ranges a search scans covering every point
// inside the shape (checked against a brute-force scan of random points), and distances.
import { describe, expect, test } from "bun:test";
import { geoDistance } from "../../../src/engine/geo/geo-distance.ts";
import { estimateSteps, searchRanges, withinShape, type GeoShape } from "../../../src/engine/geo/geo-shape.ts";
import {
  align52, geoDecodeScore, geoDecodeScoreInto, geohashDecode, geohashEncode, geohashNeighbors, geohashString, geoScore, GEO_LAT_MAX, WGS84_LAT_RANGE, WGS84_LONG_RANGE,
} from "../../../src/engine/geo/geohash.ts";

/** mulberry32, so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("geohash", () => {
  test("a score decodes to the centre of its 26-step cell, within half a cell of the point", () => {
    const r = rng(1);
    const cellLon = 360 / 2 ** 26;
    const cellLat = (2 * GEO_LAT_MAX) / 2 ** 26;
    for (let i = 0; i < 10000; i++) {
      const lon = r() * 360 - 180;
      const lat = r() * 2 * GEO_LAT_MAX - GEO_LAT_MAX;
      const score = geoScore(lon, lat)!;
      expect(Number.isInteger(score) && score >= 0 && score < 2 ** 52).toBe(true);
      const [x, y] = geoDecodeScore(score);
      expect(Math.abs(x - lon)).toBeLessThanOrEqual(cellLon / 2 + 1e-12);
      expect(Math.abs(y - lat)).toBeLessThanOrEqual(cellLat / 2 + 1e-12);
      expect(geoScore(x, y)).toBe(score);
    }
  });

  test("the allocation-free decode gives the same doubles, for any score a client may have stored", () => {
    const r = rng(5);
    const out = new Float64Array(2);
    const scores = [0, 1.5, -1, -1.5, 2 ** 52, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 1e300, Infinity, -Infinity, NaN, -(2 ** 63)];
    for (let i = 0; i < 5000; i++) scores.push(Math.floor(r() * 2 ** 52), r() * 2 ** 60, -r() * 2 ** 40);
    for (const s of scores) {
      geoDecodeScoreInto(s, out);
      expect([out[0], out[1]]).toEqual(geoDecodeScore(s));
    }
  });

  test("outside the limits there is no score; the limits themselves encode", () => {
    expect(geoScore(180.000001, 0)).toBeUndefined();
    expect(geoScore(0, 85.05112879)).toBeUndefined();
    expect(geoScore(-180, -GEO_LAT_MAX)).toBe(0);
    expect(geoScore(180, GEO_LAT_MAX)).toBeGreaterThanOrEqual(2 ** 52); // the offset 1.0 spills a bit, as in Redis
  });

  test("neighbours touch their cell and wrap around the antimeridian", () => {
    const r = rng(2);
    for (let i = 0; i < 500; i++) {
      const step = 1 + Math.floor(r() * 26);
      const lon = r() * 360 - 180;
      const lat = r() * 160 - 80;
      const hash = geohashEncode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, lon, lat, step)!;
      const cell = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, hash)!;
      expect(cell.longitude.min <= lon && lon <= cell.longitude.max && cell.latitude.min <= lat && lat <= cell.latitude.max).toBe(true);
      const n = geohashNeighbors(hash);
      const north = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, n.north)!;
      const east = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, n.east)!;
      const west = geohashDecode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, n.west)!;
      if (cell.latitude.max < GEO_LAT_MAX) expect(north.latitude.min).toBeCloseTo(cell.latitude.max, 9);
      expect(north.longitude.min).toBeCloseTo(cell.longitude.min, 9);
      if (cell.longitude.max < 180) expect(east.longitude.min).toBeCloseTo(cell.longitude.max, 9);
      else expect(east.longitude.min).toBeCloseTo(-180, 9);
      if (cell.longitude.min > -180) expect(west.longitude.max).toBeCloseTo(cell.longitude.min, 9);
      else expect(west.longitude.max).toBeCloseTo(180, 9);
    }
  });

  test("GEOHASH strings (Redis's documented Palermo and Catania)", () => {
    expect(geohashString(geoScore(13.361389, 38.115556)!)).toBe("sqc8b49rny0");
    expect(geohashString(geoScore(15.087269, 37.502669)!)).toBe("sqdtr74hyu0");
  });

  test("align52 turns a cell into the score prefix range of its points", () => {
    const hash = geohashEncode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, 13.361389, 38.115556, 10)!;
    const score = geoScore(13.361389, 38.115556)!;
    expect(align52(hash)).toBeLessThanOrEqual(score);
    expect(align52({ bits: hash.bits + 1n, step: 10 })).toBeGreaterThan(score);
  });
});

describe("search areas", () => {
  test("the step estimate shrinks with the radius and near the poles", () => {
    expect(estimateSteps(0, 0)).toBe(26);
    expect(estimateSteps(0.1, 0)).toBe(26); // clamped
    expect(estimateSteps(1, 0)).toBe(24);
    expect(estimateSteps(1000, 0)).toBeGreaterThan(estimateSteps(100000, 0));
    expect(estimateSteps(1000, 70)).toBe(estimateSteps(1000, 0) - 1);
    expect(estimateSteps(1000, -85)).toBe(estimateSteps(1000, 0) - 2);
    expect(estimateSteps(5e7, 0)).toBe(1);
  });

  test("every point inside a circle or box falls in one of the scanned score ranges", () => {
    const r = rng(3);
    const points = Array.from({ length: 4000 }, () => geoScore(r() * 360 - 180, r() * 170 - 85)!);
    for (let i = 0; i < 150; i++) {
      const lon = r() * 360 - 180;
      const lat = r() * 160 - 80;
      const conversion = 1000;
      const shape: GeoShape = r() < 0.5
        ? { kind: "radius", lon, lat, conversion, radius: 10 ** (r() * 4) }
        : { kind: "box", lon, lat, conversion, width: 10 ** (r() * 4), height: 10 ** (r() * 4) };
      const ranges = searchRanges(shape);
      expect(ranges.length).toBeGreaterThan(0);
      for (const p of points) {
        if (withinShape(shape, p) === undefined) continue;
        expect(ranges.some(([min, max]) => min <= p && p < max)).toBe(true);
      }
    }
  });
});

describe("distances", () => {
  test("haversine over Redis's earth radius: symmetric, zero at a point, Palermo–Catania 166274.1516 m", () => {
    expect(geoDistance(13.361389338970184, 38.1155563954963, 15.087267458438873, 37.50266842333162).toFixed(4)).toBe("166274.1516");
    expect(geoDistance(1, 2, 1, 2)).toBe(0);
    const r = rng(4);
    for (let i = 0; i < 1000; i++) {
      const [a, b, c, d] = [r() * 360 - 180, r() * 170 - 85, r() * 360 - 180, r() * 170 - 85];
      expect(geoDistance(a, b, c, d)).toBeCloseTo(geoDistance(c, d, a, b), 6);
      expect(geoDistance(a, b, c, d)).toBeLessThanOrEqual(Math.PI * 6372797.560856 + 1e-6);
    }
  });
});
