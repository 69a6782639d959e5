import { afterAll, describe, expect, it } from 'vitest';
import { Conv2d, Linear } from '../../../src/nn/layers/index.js';
import { SGD } from '../../../src/nn/optim/index.js';
import { noGrad } from '../../../src/tensor/autograd.js';
import { withBackend } from '../../../src/tensor/backend.js';
import { requestedThreads, setWasmThreads, wasmRuntime } from '../../../src/tensor/kernels/wasm/index.js';
import type { Module } from '../../../src/nn/module.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { maxRelErr, randomArray } from './arbitraries.js';

/**
 * The wasm backend keeps weights packed between calls (weight-stationary). Whatever changes a weight
 * in place — an optimizer step, loadStateDict, a write announced with markModified, even a bulk write
 * that is not announced — the next forward pass must use the new values, never the packed old ones.
 */
const previousThreads = requestedThreads();
afterAll(() => setWasmThreads(previousThreads));

const forward = (backend: string, layer: Module, x: Tensor): Float32Array =>
  withBackend(backend, () => noGrad(() => layer.call(x).data));
const TOL = 1e-5;

function expectFresh(layer: Module, x: Tensor): void {
  expect(maxRelErr(forward('wasm', layer, x), forward('reference', layer, x))).toBeLessThanOrEqual(TOL);
}

describe.each([
  ['Linear (packed panels)', () => new Linear(48, 24), [16, 48]],
  ['Linear at batch 1 (weight rows)', () => new Linear(48, 24), [1, 48]],
  ['Conv2d (packed strips)', () => new Conv2d(8, 6, 3, { padding: 1 }), [2, 8, 5, 5]],
] as const)('wasm weight cache: %s', (_label, make, xShape) => {
  const x = new Tensor(
    randomArray(
      xShape.reduce((a: number, b: number) => a * b, 1),
      5,
    ),
    [...xShape],
  );

  it('reuses the packed weight while it is unchanged', () => {
    setWasmThreads(2);
    const layer = make();
    const cache = wasmRuntime().cache;
    expectFresh(layer, x);
    const hits = cache.hits;
    const misses = cache.misses;
    expectFresh(layer, x);
    expect(cache.hits).toBe(hits + 1);
    expect(cache.misses).toBe(misses);
  });

  it('repacks after an optimizer step', () => {
    const layer = make();
    expectFresh(layer, x);
    const before = forward('wasm', layer, x);
    const opt = new SGD(layer.parameters(), { lr: 0.5 });
    withBackend('wasm', () => layer.call(x).sum().backward());
    opt.step();
    expect(maxRelErr(forward('wasm', layer, x), before)).toBeGreaterThan(1e-3);
    expectFresh(layer, x);
  });

  it('repacks after loadStateDict and after a write announced with markModified', () => {
    const layer = make();
    expectFresh(layer, x);
    const other = make();
    layer.loadStateDict(other.stateDict());
    expectFresh(layer, x);
    const w = layer.namedParameters().find(([n]) => n === 'weight')![1];
    w.data[3] = 7;
    w.markModified();
    expectFresh(layer, x);
  });

  it('repacks after a bulk write that bypassed markModified (sampled check)', () => {
    const layer = make();
    expectFresh(layer, x);
    const w = layer.namedParameters().find(([n]) => n === 'weight')![1];
    w.data.set(randomArray(w.size, 99));
    expectFresh(layer, x);
  });
});
