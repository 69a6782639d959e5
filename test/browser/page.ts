/**
 * The browser half of test/browser/gpu.test.ts, bundled by it with esbuild (engine sources,
 * fast-check and the Node tests' arbitraries, gpu.js as its browser build) and run in headless
 * Chromium. `globalThis.runGpuSuite(mode)` runs every gpu.js kernel against the reference on random
 * shapes, plus the masked-dense == sparse-forward property, and resolves to one row per check;
 * the Node side asserts on the rows. Synchronous GL modes run the synchronous kernel sets and the
 * `gpu` backend; webgpu runs the asynchronous sets and `runAsync`.
 */
import fc from 'fast-check';
import {
  createGpuSparseKernels,
  createGpuSparseKernelsAsync,
  referenceSparseKernels as refSparse,
} from '../../src/sparse/kernels/index.js';
import { sparseConv1d, sparseConv2d, sparseConv3d } from '../../src/sparse/ops/conv.js';
import { sparseLinear } from '../../src/sparse/ops/linear.js';
import { runAsync } from '../../src/tensor/async.js';
import { setBackend, setGpuMode, withBackend } from '../../src/tensor/backend.js';
import { createGpuKernels, createGpuKernelsAsync } from '../../src/tensor/kernels/gpu/index.js';
import { createGpu } from '../../src/tensor/kernels/gpu/runtime.js';
import { compressNM } from '../../src/sparse/compressed.js';
import { createMask } from '../../src/sparse/create_mask.js';
import { referenceKernels as ref } from '../../src/tensor/kernels/reference/index.js';
import { conv1d, conv2d, conv3d } from '../../src/tensor/ops/conv.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  compressedWeight,
  convCaseArb,
  convParamsOf,
  patternArb,
  randomValues,
  spmmCase,
} from '../sparse/kernels/arbitraries.js';
import {
  convParams,
  convSizes,
  gemmParams,
  maxRelErr,
  poolParams,
  poolSizes,
  randomArray,
  TIES_AND_NAN,
} from '../tensor/kernels/arbitraries.js';

export interface CheckRow {
  mode: string;
  check: string;
  runs: number;
  maxErr: number;
  tol: number;
  error: string | null;
  ms: number;
}

/** What the suite needs of a kernel: its result, now or later (awaiting a plain value is harmless). */
type Later<T> = T | Promise<T>;
type Loose<K> = { [P in keyof K]: K[P] extends (...a: infer A) => infer R ? (...a: A) => Later<R> : K[P] };

const seed = fc.integer({ min: 1, max: 1_000_000 });

async function check<T>(
  mode: string,
  name: string,
  tol: number,
  runs: number,
  arb: fc.Arbitrary<T>,
  body: (v: T) => Promise<number>,
): Promise<CheckRow> {
  const started = performance.now();
  let worst = 0;
  let error: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (v) => {
        const e = await body(v);
        worst = Math.max(worst, e);
        if (!(e <= tol)) throw new Error(`max relative error ${e} > tolerance ${tol}`);
      }),
      { numRuns: runs },
    );
  } catch (e) {
    error = (e instanceof Error ? e.message : String(e)).slice(0, 3000);
  }
  return { mode, check: name, runs, maxErr: worst, tol, error, ms: Math.round(performance.now() - started) };
}

const sameInts = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

async function kernelChecks(
  mode: string,
  tol: number,
  runs: number,
  dense: Loose<typeof ref>,
  sparse: Loose<typeof refSparse>,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  rows.push(
    await check(mode, 'dense gemm', tol, runs, fc.tuple(gemmParams, seed), async ([p, s]) => {
      const a = randomArray(p.strideA === 0 ? p.m * p.k : p.batch * p.m * p.k, s);
      const b = randomArray(p.strideB === 0 ? p.k * p.n : p.batch * p.k * p.n, s + 1);
      return maxRelErr(await dense.gemm(a, b, p), ref.gemm(a, b, p));
    }),
  );
  rows.push(
    await check(mode, 'dense conv fwd/bwd', tol, runs, fc.tuple(convParams, seed, fc.boolean()), async ([p, s, wb]) => {
      const n = convSizes(p);
      const [x, w, dy] = [randomArray(n.x, s), randomArray(n.w, s + 1), randomArray(n.y, s + 2)];
      const bias = wb ? randomArray(p.outChannels, s + 3) : null;
      return Math.max(
        maxRelErr(await dense.conv(x, w, bias, p), ref.conv(x, w, bias, p)),
        maxRelErr(await dense.convBackwardInput(dy, w, p), ref.convBackwardInput(dy, w, p)),
        maxRelErr(await dense.convBackwardWeight(dy, x, p), ref.convBackwardWeight(dy, x, p)),
      );
    }),
  );
  rows.push(
    await check(mode, 'dense pooling fwd/bwd', tol, runs, fc.tuple(poolParams, seed), async ([p, s]) => {
      const n = poolSizes(p);
      const [x, dy] = [randomArray(n.x, s), randomArray(n.y, s + 1)];
      const got = await dense.maxPool(x, p);
      const want = ref.maxPool(x, p);
      if (!sameInts(got.argmax, want.argmax)) throw new Error(`argmax ${[...got.argmax]} != ${[...want.argmax]}`);
      return Math.max(
        maxRelErr(got.values, want.values),
        maxRelErr(await dense.maxPoolBackward(dy, want.argmax, p), ref.maxPoolBackward(dy, want.argmax, p)),
        maxRelErr(await dense.avgPool(x, p), ref.avgPool(x, p)),
        maxRelErr(await dense.avgPoolBackward(dy, p), ref.avgPoolBackward(dy, p)),
      );
    }),
  );
  rows.push(
    await check(mode, 'sparse linear/spmm', tol, runs, spmmCase, async ({ pc, rows: r, cols, n, seed: s }) => {
      const { compressed } = compressedWeight([r, cols], pc, s);
      const b = randomValues(cols * n, s + 1);
      const x = randomValues(n * cols, s + 2);
      const bias = randomValues(r, s + 3);
      return Math.max(
        maxRelErr(await sparse.spmm(compressed, b, n), refSparse.spmm(compressed, b, n)),
        maxRelErr(await sparse.linear(x, compressed, bias, n), refSparse.linear(x, compressed, bias, n)),
      );
    }),
  );
  rows.push(
    await check(mode, 'sparse conv', tol, runs, fc.tuple(convCaseArb, patternArb, seed), async ([c, pc, s]) => {
      const p = convParamsOf(c);
      const { compressed } = compressedWeight([p.outChannels, c.cg, ...c.kernel], pc, s);
      const x = randomValues(convSizes(p).x, s + 1);
      const bias = c.bias ? randomValues(p.outChannels, s + 2) : null;
      return maxRelErr(await sparse.conv(x, compressed, bias, p), refSparse.conv(x, compressed, bias, p));
    }),
  );
  return rows;
}

const sparseConvs = { 1: sparseConv1d, 2: sparseConv2d, 3: sparseConv3d } as const;
const denseConvs = { 1: conv1d, 2: conv2d, 3: conv3d } as const;

/** The masked-dense (reference) forward == the sparse forward on the gpu backend, through the ops. */
async function forwardChecks(
  mode: string,
  tol: number,
  runs: number,
  onGpu: <T>(fn: () => T) => Promise<T>,
): Promise<CheckRow[]> {
  const linearCase = fc.record({
    pc: patternArb,
    inF: fc.integer({ min: 1, max: 4 }).map((g) => g * 8),
    outF: fc.integer({ min: 1, max: 9 }),
    batch: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 2 }),
    withBias: fc.boolean(),
    s: seed,
  });
  const rows = [
    await check(mode, 'forward: sparseLinear == masked linear', tol, runs, linearCase, async (v) => {
      const { compressed, masked } = compressedWeight([v.outF, v.inF], v.pc, v.s);
      const rowsN = v.batch.reduce((a, b) => a * b, 1);
      const x = new Tensor(randomValues(rowsN * v.inF, v.s + 1), [...v.batch, v.inF]);
      const bias = v.withBias ? new Tensor(randomValues(v.outF, v.s + 2), [v.outF]) : null;
      const dense = withBackend('reference', () => linear(x, new Tensor(masked, [v.outF, v.inF]), bias));
      const sparse = await onGpu(() => sparseLinear(x, compressed, bias));
      return sparse.shape.join() === dense.shape.join() ? maxRelErr(sparse.data, dense.data) : Infinity;
    }),
  ];
  for (const dims of [1, 2, 3] as const) {
    const arb = fc.tuple(
      convCaseArb.filter((c) => c.dims === dims),
      patternArb,
      seed,
    );
    rows.push(
      await check(mode, `forward: sparseConv${dims}d == masked conv${dims}d`, tol, runs, arb, async ([c, pc, s]) => {
        const inC = c.cg * c.groups;
        const outC = c.kg * c.groups;
        const wShape = [outC, c.cg, ...c.kernel];
        const { compressed, masked } = compressedWeight(wShape, pc, s);
        const xShape = c.unbatched ? [inC, ...c.inSize] : [c.batch, inC, ...c.inSize];
        const x = new Tensor(
          randomValues(
            xShape.reduce((a, b) => a * b, 1),
            s + 1,
          ),
          xShape,
        );
        const bias = c.bias ? new Tensor(randomValues(outC, s + 2), [outC]) : null;
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
        const dense = withBackend('reference', () => denseConvs[dims](x, new Tensor(masked, wShape), bias, opts));
        const sparse = await onGpu(() => sparseConvs[dims](x, compressed, bias, opts));
        return sparse.shape.join() === dense.shape.join() ? maxRelErr(sparse.data, dense.data) : Infinity;
      }),
    );
  }
  return rows;
}

/** A deterministic check: `body` returns its error (0 for an exact match) or throws. */
async function exact(mode: string, name: string, body: () => Promise<number>): Promise<CheckRow> {
  const started = performance.now();
  let maxErr = 0;
  let error: string | null = null;
  try {
    maxErr = await body();
    if (maxErr !== 0) error = `expected an exact result, error ${maxErr}`;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return { mode, check: name, runs: 1, maxErr, tol: 0, error, ms: Math.round(performance.now() - started) };
}

const expectEqual = (got: Float32Array | Int32Array, want: number[]): number => {
  if (got.length !== want.length) throw new Error(`length ${got.length}, expected ${want.length}`);
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Object.is(got[i], want[i]) ? 0 : Math.abs(got[i]! - want[i]!));
  if (Number.isNaN(e)) throw new Error(`got [${[...got]}], expected [${want}]`);
  return e;
};

/** GL/WGSL edge cases: loops past the 1000-iteration default, ties and NaN in max pooling, the backend that ran. */
async function edgeChecks(
  mode: string,
  dense: Loose<typeof ref>,
  sparse: Loose<typeof refSparse>,
): Promise<CheckRow[]> {
  const p = { batch: 1, m: 2, k: 4096, n: 3, transA: false, transB: true, strideA: 0, strideB: 0 };
  const w = new Float32Array(2 * 4096).fill(1);
  const c = compressNM(w, createMask(w, [2, 4096]), 2, 4096, 2, 4);
  return [
    await exact(mode, 'edge: gemm K = 4096 (loop limit)', async () =>
      expectEqual(
        await dense.gemm(new Float32Array(2 * 4096).fill(1), new Float32Array(3 * 4096).fill(1), p),
        [4096, 4096, 4096, 4096, 4096, 4096],
      ),
    ),
    await exact(mode, 'edge: sparse linear, 2048 kept values per row', async () =>
      expectEqual(
        await sparse.linear(new Float32Array(3 * 4096).fill(1), c, null, 3),
        [2048, 2048, 2048, 2048, 2048, 2048],
      ),
    ),
    await exact(mode, 'edge: max pool ties keep the first, NaN wins', async () => {
      const got = await dense.maxPool(TIES_AND_NAN.x, TIES_AND_NAN.p);
      return expectEqual(got.argmax, TIES_AND_NAN.argmax) + expectEqual(got.values, TIES_AND_NAN.values);
    }),
    await exact(mode, 'edge: the gpu.js backend is the mode asked for', async () => {
      const k = createGpu(mode).createKernel(
        function () {
          return 1;
        },
        { output: [1] },
      );
      await (k() as unknown);
      const ran = (k as unknown as { kernel: { constructor: { name: string } } }).kernel.constructor.name;
      const want = { webgl2: 'WebGL2Kernel', webgl: 'WebGLKernel', webgpu: 'WebGPUKernel' }[mode];
      if (ran !== want) throw new Error(`gpu.js ran ${ran}, not ${want} (mode ${mode})`);
      return 0;
    }),
  ];
}

/** Runs the whole suite in one gpu.js mode. */
async function runGpuSuite(mode: string, tol: number, runs: number): Promise<CheckRow[]> {
  if (mode === 'webgpu') {
    const [dense, sparse] = [createGpuKernelsAsync(mode), createGpuSparseKernelsAsync(mode)];
    const rows = [...(await edgeChecks(mode, dense, sparse)), ...(await kernelChecks(mode, tol, runs, dense, sparse))];
    return [...rows, ...(await forwardChecks(mode, tol, runs, (fn) => runAsync(fn, { mode })))];
  }
  const [dense, sparse] = [createGpuKernels(mode), createGpuSparseKernels(mode)];
  const rows = [...(await edgeChecks(mode, dense, sparse)), ...(await kernelChecks(mode, tol, runs, dense, sparse))];
  setGpuMode(mode);
  setBackend('reference');
  return [...rows, ...(await forwardChecks(mode, tol, runs, async (fn) => withBackend('gpu', fn)))];
}

(globalThis as { runGpuSuite?: typeof runGpuSuite }).runGpuSuite = runGpuSuite;
