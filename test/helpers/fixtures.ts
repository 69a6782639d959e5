import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/index.js';

/** A tensor as the fixture script writes it: shape plus flat row-major float32 values. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export type FixtureArgs = Record<string, number | string | boolean | number[]>;

/** One PyTorch reference run (see tools/make_torch_fixtures.py for the meaning of each field). */
export interface FixtureCase {
  name: string;
  args: FixtureArgs;
  inputs: Record<string, FixtureTensor>;
  outputs: Record<string, FixtureTensor>;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

export interface TorchFixture {
  op: string;
  torch: string;
  cases: FixtureCase[];
}

/** Reads test/fixtures/torch/<op>.json. */
export function loadTorchFixture(op: string): TorchFixture {
  const url = new URL(`../fixtures/torch/${op}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as TorchFixture;
}

/** A fresh tensor from a fixture entry (its own storage, so ops that update in place don't leak). */
export function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  return new Tensor(Float32Array.from(t.data), t.shape, requiresGrad);
}

/**
 * The first element where |actual - expected| > atol + rtol·|expected|, described, or null when
 * all are close. Shapes must match exactly.
 */
export function mismatch(actual: Tensor, expected: FixtureTensor, atol: number, rtol: number): string | null {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}] vs expected [${expected.shape.join(', ')}]`;
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const bothNaN = Number.isNaN(a) && Number.isNaN(e);
    if (!bothNaN && !(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      return `element ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`;
    }
  }
  return null;
}
