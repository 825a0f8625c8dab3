// The latency histogram's bucket math against values redis-server 7.0.15 prints (its HdrHistogram
// with 2 significant digits): percentile values and LATENCY HISTOGRAM bucket labels.
import { expect, test } from "bun:test";
import { bucketOf, cumulativeBuckets, LATENCY_COUNTS, valueAtPercentile } from "../../src/commands/latency-histogram.ts";

const histogramOf = (samples: number[]): Uint32Array => {
  const h = new Uint32Array(LATENCY_COUNTS);
  for (const ns of samples) h[bucketOf(ns)]! += 1;
  return h;
};

test("percentiles are the highest value equivalent to the sample, as Redis prints them", () => {
  // redis-server printed p50=200.703 (µs) for a 200.x µs call, 11.007 for 11 µs, 4.015 for 4 µs.
  expect(valueAtPercentile(histogramOf([200_500]), 1, 50)).toBe(200_703);
  expect(valueAtPercentile(histogramOf([11_000]), 1, 50)).toBe(11_007);
  expect(valueAtPercentile(histogramOf([4_010]), 1, 99.9)).toBe(4_015);
  expect(valueAtPercentile(histogramOf([1]), 1, 50)).toBe(1); // 0.001 µs
  expect(valueAtPercentile(histogramOf([0]), 1, 50)).toBe(1); // clamped to 1 ns
  expect(valueAtPercentile(histogramOf([5e9]), 1, 50)).toBeGreaterThanOrEqual(1e9); // clamped to 1 s
  const h = histogramOf([1000, 2000, 3000, 4000, 100_000]);
  expect(valueAtPercentile(h, 5, 50)).toBe(3007);
  expect(valueAtPercentile(h, 5, 100)).toBeGreaterThanOrEqual(100_000);
});

test("every bucket index stays in range and grows with the value", () => {
  let last = -1;
  for (let v = 1; v <= 1e9; v = Math.ceil(v * 1.01)) {
    const i = bucketOf(v);
    expect(i).toBeGreaterThanOrEqual(last);
    expect(i).toBeLessThan(LATENCY_COUNTS);
    last = i;
  }
});

test("LATENCY HISTOGRAM buckets: Redis's labels at powers of two, cumulative counts, empty levels left out", () => {
  // Redis's log iteration labels: 1024 ns * 2^j, highest equivalent value / 1000.
  const one = (ns: number): [number, number][] => cumulativeBuckets(histogramOf([ns]));
  expect(one(500)).toEqual([[1, 1]]);
  expect(one(4_010)).toEqual([[4, 1]]);
  expect(one(16_000)).toEqual([[16, 1]]);
  expect(one(200_703)).toEqual([[264, 1]]);
  const labels = cumulativeBuckets(histogramOf([1_000_000])).map(([us]) => us);
  expect(labels).toEqual([1056]);
  const h = histogramOf([500, 1500, 1600, 30_000, 30_000, 600_000]);
  expect(cumulativeBuckets(h)).toEqual([
    [1, 1],
    [2, 3],
    [33, 5],
    [1056, 6],
  ]);
});
