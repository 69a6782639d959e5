import fc from 'fast-check';
import { convOutputSize, toTriple } from '../../../src/tensor/kernels/geometry.js';
import type { ConvParams } from '../../../src/tensor/kernels/types.js';
import { compressWeight } from '../../../src/sparse/compressed.js';
import type { CompressedNM } from '../../../src/sparse/compressed.js';
import { createMask } from '../../../src/sparse/create_mask.js';

/** Mask patterns the sparse kernels are checked with: apex 2:4 and general N:M (1:4 gives odd row lengths). */
export const PATTERNS = [
  { pattern: 'm4n2_1d', n: 2, m: 4 },
  { pattern: '1:4', n: 1, m: 4 },
  { pattern: '2:8', n: 2, m: 8 },
] as const;
export type PatternCase = (typeof PATTERNS)[number];

export const patternArb: fc.Arbitrary<PatternCase> = fc.constantFrom(...PATTERNS);

/** Values in [-1, 1) from a seed, with some exact zeros and ties so masks meet their edge cases. */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 4294967296;
    out[i] = r < 0.05 ? 0 : r < 0.1 ? 0.5 : r * 2 - 1;
  }
  return out;
}

/** A compressed weight of `shape` (cols along shape[1]) with its pattern's mask, and the masked dense weight. */
export function compressedWeight(
  shape: number[],
  pc: PatternCase,
  seed: number,
): { compressed: CompressedNM; masked: Float32Array } {
  const w = randomValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  );
  const mask = createMask(w, shape, pc.pattern);
  const masked = w.map((v, i) => (mask[i] === 0 ? 0 : v));
  return { compressed: compressWeight(w, mask, shape, pc.n, pc.m), masked };
}

/** max |a - b| / (1 + |b|), or Infinity when lengths differ. */
export function maxRelErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return e;
}

export interface ConvCase {
  dims: 1 | 2 | 3;
  batch: number;
  groups: number;
  /** Input channels per group: a multiple of 8 so every pattern's M divides it. */
  cg: number;
  kg: number;
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  inSize: number[];
  bias: boolean;
  unbatched: boolean;
}

const dimArb = fc
  .record({
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 2 }),
    d: fc.integer({ min: 1, max: 2 }),
    p: fc.integer({ min: 0, max: 2 }),
    extra: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ k, s, d, p, extra }) => ({ k, s, d, p, n: Math.max(1, d * (k - 1) + 1 - 2 * p + extra) }));

export const convCaseArb: fc.Arbitrary<ConvCase> = fc
  .record({
    dims: fc.constantFrom(1 as const, 2 as const, 3 as const),
    batch: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cg: fc.constantFrom(8, 16),
    kg: fc.integer({ min: 1, max: 3 }),
    bias: fc.boolean(),
    unbatched: fc.boolean(),
    spatial: fc.array(dimArb, { minLength: 3, maxLength: 3 }),
  })
  .map(({ spatial, ...c }) => {
    const ds = spatial.slice(0, c.dims);
    return {
      ...c,
      kernel: ds.map((d) => d.k),
      stride: ds.map((d) => d.s),
      padding: ds.map((d) => d.p),
      dilation: ds.map((d) => d.d),
      inSize: ds.map((d) => d.n),
    };
  });

/** The kernel-level ConvParams of a case (stated in 3-D, as the ops pass them). */
export function convParamsOf(c: ConvCase): ConvParams {
  const out = convOutputSize(c.inSize, c.kernel, c.stride, c.padding, c.dilation);
  return {
    batch: c.batch,
    inChannels: c.groups * c.cg,
    outChannels: c.groups * c.kg,
    groups: c.groups,
    inSize: toTriple(c.inSize, 1),
    kernelSize: toTriple(c.kernel, 1),
    stride: toTriple(c.stride, 1),
    padding: toTriple(c.padding, 0),
    dilation: toTriple(c.dilation, 1),
    outSize: toTriple(out, 1),
  };
}

/** A compressed [rows, cols] matrix times a dense operand with n columns (or n rows of x for Linear). */
export const spmmCase = fc.record({
  pc: patternArb,
  rows: fc.integer({ min: 1, max: 9 }),
  cols: fc.integer({ min: 1, max: 4 }).map((g) => g * 8),
  n: fc.integer({ min: 1, max: 11 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
