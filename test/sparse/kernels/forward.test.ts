import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sparseConv1d, sparseConv2d, sparseConv3d } from '../../../src/sparse/ops/conv.js';
import { sparseLinear } from '../../../src/sparse/ops/linear.js';
import { getBackend, setBackend, setGpuMode, withBackend } from '../../../src/tensor/backend.js';
import { conv1d, conv2d, conv3d } from '../../../src/tensor/ops/conv.js';
import { linear } from '../../../src/tensor/ops/matmul.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { type ConvCase, compressedWeight, convCaseArb, maxRelErr, patternArb, randomValues } from './arbitraries.js';

/**
 * The property the sparse format exists for: the sparse-kernel forward equals the masked dense
 * forward. The dense side is always the reference backend's dense op with the masked weight; the
 * sparse side runs in each backend. Tolerance |sparse - dense| / (1 + |dense|) <= 1e-5 for the
 * float64-accumulating reference and fast kernels (only the summation order differs), 1e-4 for wasm
 * and gpu.js (float32 accumulation).
 */
const BACKENDS = [
  { label: 'reference', backend: 'reference', mode: null, tol: 1e-5 },
  { label: 'fast', backend: 'fast', mode: null, tol: 1e-5 },
  { label: 'wasm', backend: 'wasm', mode: null, tol: 1e-4 },
  { label: 'gpu webasm', backend: 'gpu', mode: 'webasm', tol: 1e-4 },
  { label: 'gpu cpu', backend: 'gpu', mode: 'cpu', tol: 1e-4 },
] as const;
const RUNS = 15;
const seedArb = fc.integer({ min: 1, max: 1_000_000 });

const previous = getBackend();
afterAll(() => setBackend(previous));

const sparseConvs = { 1: sparseConv1d, 2: sparseConv2d, 3: sparseConv3d } as const;
const denseConvs = { 1: conv1d, 2: conv2d, 3: conv3d } as const;

describe.each(BACKENDS)('sparse forward == masked dense forward ($label)', ({ backend, mode, tol }) => {
  const inBackend = <T>(fn: () => T): T => {
    if (mode !== null) setGpuMode(mode);
    return withBackend(backend, fn);
  };

  it('sparseLinear, any batch shape, with and without bias', () => {
    fc.assert(
      fc.property(
        patternArb,
        fc.integer({ min: 1, max: 4 }).map((g) => g * 8),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 2 }),
        fc.boolean(),
        seedArb,
        (pc, inF, outF, batchShape, withBias, seed) => {
          const { compressed, masked } = compressedWeight([outF, inF], pc, seed);
          const x = new Tensor(randomValues(batchShape.reduce((a, b) => a * b, 1) * inF, seed + 1), [
            ...batchShape,
            inF,
          ]);
          const bias = withBias ? new Tensor(randomValues(outF, seed + 2), [outF]) : null;
          const dense = withBackend('reference', () => linear(x, new Tensor(masked, [outF, inF]), bias));
          const sparse = inBackend(() => sparseLinear(x, compressed, bias));
          expect(sparse.shape).toEqual(dense.shape);
          expect(maxRelErr(sparse.data, dense.data)).toBeLessThanOrEqual(tol);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('sparseConv1d/2d/3d with stride, padding, dilation, groups, bias, unbatched input', () => {
    fc.assert(
      fc.property(convCaseArb, patternArb, seedArb, (c: ConvCase, pc, seed) => {
        const inC = c.cg * c.groups;
        const outC = c.kg * c.groups;
        const wShape = [outC, c.cg, ...c.kernel];
        const { compressed, masked } = compressedWeight(wShape, pc, seed);
        const xShape = c.unbatched ? [inC, ...c.inSize] : [c.batch, inC, ...c.inSize];
        const x = new Tensor(
          randomValues(
            xShape.reduce((a, b) => a * b, 1),
            seed + 1,
          ),
          xShape,
        );
        const bias = c.bias ? new Tensor(randomValues(outC, seed + 2), [outC]) : null;
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
        const dense = withBackend('reference', () => denseConvs[c.dims](x, new Tensor(masked, wShape), bias, opts));
        const sparse = inBackend(() => sparseConvs[c.dims](x, compressed, bias, opts));
        expect(sparse.shape).toEqual(dense.shape);
        expect(maxRelErr(sparse.data, dense.data)).toBeLessThanOrEqual(tol);
      }),
      { numRuns: RUNS },
    );
  });
});
