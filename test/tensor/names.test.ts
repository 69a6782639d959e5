import { describe, expect, it } from 'vitest';
import { joinName } from '../../src/tensor/index.js';

describe('joinName', () => {
  it('joins dotted names as PyTorch does, the root module having the empty name', () => {
    expect(joinName('layer1.0', 'conv1')).toBe('layer1.0.conv1');
    expect(joinName('', 'weight')).toBe('weight');
    expect(joinName('fc1', '')).toBe('fc1');
    expect(joinName('', '')).toBe('');
  });
});
