import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Conv3d,
  Linear,
  isPrunableLayer,
  prunableLayer,
  prunableLayerKind,
} from '../../src/nn/index.js';

class WideLinear extends Linear {}

describe('prunableLayer', () => {
  it('tells Linear and Conv1d/2d/3d (subclasses included) from other modules', () => {
    expect(prunableLayerKind(new Linear(4, 8))).toBe('linear');
    expect(prunableLayerKind(new WideLinear(4, 8))).toBe('linear');
    expect(prunableLayerKind(new Conv1d(4, 8, 3))).toBe('conv1d');
    expect(prunableLayerKind(new Conv2d(4, 8, 3))).toBe('conv2d');
    expect(prunableLayerKind(new Conv3d(4, 8, 3))).toBe('conv3d');
    const bn = new BatchNorm2d(4);
    expect(prunableLayerKind(bn)).toBeNull();
    expect(isPrunableLayer(bn)).toBe(false);
    const conv = new Conv2d(4, 8, 3);
    expect(prunableLayer(conv)).toEqual({ kind: 'conv2d', layer: conv });
  });
});
