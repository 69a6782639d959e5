import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type AnyModule,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Conv3d,
  GroupNorm,
  LayerNorm,
  Linear,
  MultiheadAttention,
} from '../../src/nn/index.js';
import { type Tensor, mul, sum } from '../../src/tensor/index.js';
import { type FixtureTensor, mismatch, toTensor } from '../helpers/fixtures.js';

interface LayerCase {
  name: string;
  kind: string;
  args: Record<string, number | boolean | number[] | null>;
  train: boolean;
  stateDict: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor>;
  outputs: Record<string, FixtureTensor>;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  buffersAfter: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/nn/layers.json', import.meta.url)), 'utf8'),
) as { cases: LayerCase[] };

type Args = LayerCase['args'];
const num = (a: Args, k: string): number => a[k] as number;
const opt = <T>(a: Args, k: string): T | undefined => (k in a ? (a[k] as T) : undefined);

function build(c: LayerCase): AnyModule {
  const a = c.args;
  const convOpts = {
    stride: opt<number>(a, 'stride'),
    padding: opt<number>(a, 'padding'),
    dilation: opt<number>(a, 'dilation'),
    groups: opt<number>(a, 'groups'),
    bias: opt<boolean>(a, 'bias'),
  };
  const kernel = a['kernelSize'] as number | number[];
  switch (c.kind) {
    case 'Linear':
      return new Linear(num(a, 'inFeatures'), num(a, 'outFeatures'), { bias: opt<boolean>(a, 'bias') });
    case 'Conv1d':
      return new Conv1d(num(a, 'inChannels'), num(a, 'outChannels'), kernel, convOpts);
    case 'Conv2d':
      return new Conv2d(num(a, 'inChannels'), num(a, 'outChannels'), kernel, convOpts);
    case 'Conv3d':
      return new Conv3d(num(a, 'inChannels'), num(a, 'outChannels'), kernel, convOpts);
    case 'BatchNorm1d':
      return new BatchNorm1d(num(a, 'numFeatures'), { momentum: a['momentum'] as number | null });
    case 'BatchNorm2d':
      return new BatchNorm2d(num(a, 'numFeatures'), { momentum: a['momentum'] as number | null });
    case 'LayerNorm':
      return new LayerNorm(a['normalizedShape'] as number[]);
    case 'GroupNorm':
      return new GroupNorm(num(a, 'numGroups'), num(a, 'numChannels'));
    case 'MultiheadAttention':
      return new MultiheadAttention(num(a, 'embedDim'), num(a, 'numHeads'), {
        batchFirst: opt<boolean>(a, 'batchFirst'),
      });
    default:
      throw new Error(`fixture kind ${c.kind} has no builder`);
  }
}

function run(m: AnyModule, c: LayerCase, inputs: Record<string, Tensor>): [Tensor, Tensor | null] {
  if (m instanceof MultiheadAttention) {
    return m.call(inputs['query']!, inputs['key']!, inputs['value']!, {
      keyPaddingMask: inputs['keyPaddingMask'] ?? null,
    });
  }
  const f = m as unknown as { call(x: Tensor): Tensor };
  return [f.call(inputs['x']!), null];
}

describe('layers against torch 1.13 (test/fixtures/nn/layers.json)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const m = build(c);
      const sd = new Map(Object.entries(c.stateDict).map(([k, t]) => [k, toTensor(t)] as const));
      m.loadStateDict(sd);
      m.train(c.train);
      const inputs: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(c.inputs)) inputs[k] = toTensor(t, k !== 'keyPaddingMask');
      const [out, weights] = run(m, c, inputs);
      expect(mismatch(out, c.outputs['out']!, 1e-5, 1e-4)).toBeNull();
      if (c.outputs['weights']) expect(mismatch(weights!, c.outputs['weights'], 1e-6, 1e-4)).toBeNull();
      sum(mul(out, toTensor(c.upstream))).backward();
      for (const [k, g] of Object.entries(c.grads)) {
        const own = inputs[k] ?? (m.namedParameters().find(([n]) => n === k)?.[1] as Tensor | undefined);
        expect(own, `tensor ${k}`).toBeDefined();
        expect(own!.grad, `grad of ${k}`).not.toBeNull();
        expect(mismatch(own!.grad!, g, 1e-5, 1e-4), `grad of ${k}`).toBeNull();
      }
      const buffers = new Map(m.namedBuffers());
      for (const [k, b] of Object.entries(c.buffersAfter)) {
        expect(mismatch(buffers.get(k)!, b, 1e-6, 1e-5), `buffer ${k}`).toBeNull();
      }
      expect([...buffers.keys()].sort()).toEqual(Object.keys(c.buffersAfter).sort());
    });
  }
});
