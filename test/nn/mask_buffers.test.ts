import { describe, expect, it } from 'vitest';
import {
  isAspBufferKey,
  isMaskBufferKey,
  maskBufferKey,
  maskBufferName,
  prunedBufferKey,
  prunedBufferName,
} from '../../src/nn/index.js';

describe("apex's mask buffer names", () => {
  it('names the buffers of a parameter on its module and in the state dict', () => {
    expect(maskBufferName('weight')).toBe('__weight_mma_mask');
    expect(prunedBufferName('in_proj_weight')).toBe('__in_proj_weight_mma_pruned_p');
    expect(maskBufferKey('layer1.0.conv1.weight')).toBe('layer1.0.conv1.__weight_mma_mask');
    expect(prunedBufferKey('fc1.weight')).toBe('fc1.__weight_mma_pruned_p');
    expect(maskBufferKey('weight')).toBe('__weight_mma_mask');
  });

  it('recognises the keys by their last component', () => {
    expect(isMaskBufferKey('fc1.__weight_mma_mask')).toBe(true);
    expect(isMaskBufferKey('fc1.__weight_mma_pruned_p')).toBe(false);
    expect(isMaskBufferKey('fc1.weight_mma_mask')).toBe(false);
    expect(isAspBufferKey('fc1.__weight_mma_pruned_p')).toBe(true);
    expect(isAspBufferKey('__weight_mma_mask')).toBe(true);
    expect(isAspBufferKey('fc1.weight')).toBe(false);
  });
});
