import { describe, expect, it } from 'vitest';
import { BasicBlock, mobilenetSmall, resnetSmall } from '../../src/nn/index.js';
import { type Tensor, manualSeed, randn, sum, traceGraph } from '../../src/tensor/index.js';

function scopes(out: Tensor): Set<string | null> {
  const seen = new Set<string | null>();
  const stack = [out];
  const visited = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (visited.has(t)) continue;
    visited.add(t);
    seen.add(t.scope);
    stack.push(...(t.trace?.inputs ?? []));
  }
  return seen;
}

describe('resnetSmall', () => {
  it('has torchvision state-dict keys', () => {
    const m = resnetSmall({ inChannels: 1, numClasses: 10, width: 4 });
    const keys = [...m.stateDict().keys()];
    expect(keys.slice(0, 7)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'bn1.running_mean',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'layer1.0.conv1.weight',
    ]);
    for (const k of [
      'layer1.0.bn2.running_var',
      'layer2.0.downsample.0.weight',
      'layer2.0.downsample.1.num_batches_tracked',
      'layer3.0.conv2.weight',
      'fc.weight',
      'fc.bias',
    ]) {
      expect(keys).toContain(k);
    }
    expect(keys.some((k) => k.startsWith('layer1.0.downsample'))).toBe(false);
    expect(m.fc.weight.shape).toEqual([10, 16]);
  });

  it('runs forward and backward, reaching every parameter, and tags ops with module names', () => {
    manualSeed(0);
    const m = resnetSmall({ inChannels: 1, numClasses: 3, width: 2, layers: [2, 1] });
    const out = traceGraph(() => m.call(randn([2, 1, 6, 6])));
    expect(out.shape).toEqual([2, 3]);
    const s = scopes(out);
    for (const name of ['conv1', 'layer1.0.conv1', 'layer1.1.bn2', 'layer2.0.downsample.0', 'fc'])
      expect(s).toContain(name);
    sum(out).backward();
    const missing = m
      .namedParameters()
      .filter(([, p]) => p.grad === null)
      .map(([n]) => n);
    expect(missing).toEqual([]);
  });

  it('BasicBlock keeps the shape when no downsample is needed', () => {
    const b = new BasicBlock(3, 3);
    expect(b.call(randn([1, 3, 4, 4])).shape).toEqual([1, 3, 4, 4]);
    expect(b.downsample).toBeNull();
  });
});

describe('mobilenetSmall', () => {
  it('has torchvision MobileNetV2 keys: depthwise + pointwise inside features.i.conv', () => {
    const m = mobilenetSmall({ inChannels: 1, numClasses: 10, width: 4 });
    const keys = [...m.stateDict().keys()];
    expect(keys[0]).toBe('features.0.0.weight');
    for (const k of [
      'features.0.1.running_mean',
      'features.1.conv.0.0.weight',
      'features.1.conv.1.weight',
      'features.1.conv.2.weight',
      'features.2.conv.1.0.weight',
      'features.2.conv.2.weight',
      'classifier.1.weight',
    ]) {
      expect(keys).toContain(k);
    }
    const dw = m.getSubmodule('features.2.conv.1.0');
    expect(m.stateDict().get('features.2.conv.1.0.weight')!.shape).toEqual([16, 1, 3, 3]);
    expect(dw).toBeDefined();
  });

  it('runs forward and backward in training mode', () => {
    manualSeed(1);
    const m = mobilenetSmall({ inChannels: 1, numClasses: 4, width: 2 });
    const out = m.call(randn([2, 1, 8, 8]));
    expect(out.shape).toEqual([2, 4]);
    sum(out).backward();
    expect(m.namedParameters().filter(([, p]) => p.grad === null)).toEqual([]);
    m.eval();
    expect(m.call(randn([1, 1, 8, 8])).shape).toEqual([1, 4]);
  });
});
