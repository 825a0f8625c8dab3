// PFSELFTEST (hllSelftestCommand): dense registers keep what is written without touching their
// neighbours, and the estimate of an HLL built sparse (promoted on the way) stays within a few
// standard errors of the true count. Returns undefined when it passes, else the failure text.
import { HLL_HDR_SIZE, HLL_REGISTERS, denseGet, denseSet, emptySparse, patternOf } from "./hll-format.ts";
import { hllCount } from "./hll-count.ts";
import { HllBuffer } from "./hll-sparse.ts";

const CYCLES = 100;

export function hllSelfTest(): string | undefined {
  const regs = new Uint8Array(HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8);
  const model = new Uint8Array(HLL_REGISTERS);
  let seed = 0x2545f491;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 26;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) denseSet(regs, HLL_HDR_SIZE, i, (model[i] = rnd()));
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const got = denseGet(regs, HLL_HDR_SIZE, i);
      if (got !== model[i]) return `TESTFAILED Register ${i} should be ${model[i]} but is ${got}`;
    }
  }
  // Standard error 1.04/sqrt(16384) = 0.81%; like Redis, allow 5 of them.
  const h = new HllBuffer(emptySparse());
  const enc = new TextEncoder();
  for (let n = 1; n <= 100_000; n++) {
    const p = patternOf(enc.encode(`selftest:${n}`));
    if (h.dense) h.denseRaise(p.index, p.count);
    else h.sparseRaise(p.index, p.count, 3000);
    if (n % 10_000 !== 0 && n !== 1000) continue;
    const card = hllCount(h.value());
    const err = Math.abs(card - n);
    if (err > Math.ceil(n * 0.0081 * 5)) return `TESTFAILED Too big error. card:${card} error:${err}`;
  }
  return undefined;
}
