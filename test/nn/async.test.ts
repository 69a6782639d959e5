import { describe, expect, it } from 'vitest';
import { forwardAsync } from '../../src/nn/async.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';
import { compressWeight } from '../../src/sparse/compressed.js';
import { createMask } from '../../src/sparse/create_mask.js';
import { sparseLinear } from '../../src/sparse/ops/linear.js';
import { runAsync } from '../../src/tensor/async.js';
import { getBackend, listBackends, setGpuMode, getGpuMode, withBackend } from '../../src/tensor/backend.js';
import { BackendError } from '../../src/tensor/errors.js';
import { createGpuKernels } from '../../src/tensor/kernels/gpu/index.js';
import { createGpuSparseKernels } from '../../src/sparse/kernels/index.js';
import { add, noGrad, randn, manualSeed, Tensor } from '../../src/tensor/index.js';
import { linear, matmul } from '../../src/tensor/ops/matmul.js';

/**
 * runAsync / forwardAsync on Node, where every gpu.js mode is synchronous underneath: the replay
 * must give exactly what the same mode gives through the synchronous `gpu` backend (same kernels,
 * same float32 arithmetic). The webgpu path itself runs in test/browser/gpu.test.ts.
 */
function model(): Sequential {
  manualSeed(3);
  const m = new Sequential(new Conv2d(3, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(36, 5));
  m.eval();
  return m;
}

describe('runAsync and forwardAsync', () => {
  it('give bit for bit what the synchronous gpu backend gives in the same mode', async () => {
    const m = model();
    const x = randn([2, 3, 8, 8]);
    const before = getGpuMode();
    setGpuMode('cpu');
    try {
      const sync = withBackend('gpu', () => noGrad(() => m.call(x)));
      const replayed = await forwardAsync(m, x, { mode: 'cpu' });
      expect(replayed.shape).toEqual(sync.shape);
      expect([...replayed.data]).toEqual([...sync.data]);
    } finally {
      setGpuMode(before);
    }
  });

  it('run the sparse ops on the async sparse kernels, and leave no temporary backend behind', async () => {
    const w = randn([6, 16]).data;
    const c = compressWeight(w, createMask(w, [6, 16]), [6, 16], 2, 4);
    const x = randn([3, 16]);
    const backends = listBackends();
    const y = await runAsync(() => add(sparseLinear(x, c), sparseLinear(x, c)), { mode: 'webasm' });
    const once = createGpuSparseKernels('webasm').linear(x.data, c, null, 3);
    expect([...y.data]).toEqual([...once.map((v) => v + v)]);
    expect(listBackends()).toEqual(backends);
    expect(getBackend()).toBe('reference');
  });

  it('hand every replay a fresh copy of a kernel result (ops may write into it)', async () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4]), [1, 4]);
    const w = new Tensor(Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2]), [2, 4]);
    const bias = new Tensor(Float32Array.from([1, 1]), [2]);
    const y = await runAsync(() => add(linear(x, w, bias), linear(x, w, bias)), { mode: 'cpu' });
    expect([...y.data]).toEqual([22, 42]);
  });

  it('refuse a model in training mode and a function whose kernel calls change between runs', async () => {
    const m = model();
    m.train();
    expect(() => forwardAsync(m, randn([1, 3, 8, 8]), { mode: 'cpu' })).toThrow(/call model.eval\(\) first/);
    let n = 4;
    const changing = () => {
      n += 1;
      return matmul(randn([2, n]), randn([n, 2]));
    };
    await expect(runAsync(changing, { mode: 'cpu' })).rejects.toThrow(BackendError);
    await expect(runAsync(changing, { mode: 'cpu' })).rejects.toThrow(/must make the same kernel calls on every run/);
  });
});

describe("gpu.js mode 'webgpu'", () => {
  it('has no synchronous kernel set: a BackendError names the async way', () => {
    expect(() => createGpuKernels('webgpu')).toThrow(BackendError);
    expect(() => createGpuKernels('webgpu')).toThrow(/await forwardAsync\(model, x\)/);
    expect(() => createGpuSparseKernels('webgpu')).toThrow(/no synchronous readback/);
  });

  it('is not available on Node, even asynchronously', async () => {
    await expect(runAsync(() => randn([1]), { mode: 'webgpu' })).rejects.toThrow(/not supported in this environment/);
  });
});
