import { describe, expect, it } from 'vitest';
import { type Dtype, fromTensor, toFloat32, toTensor } from '../../src/io/index.js';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';

const t = new Tensor(new Float32Array([0, 1, -2, 100]), [2, 2]);

describe('fromTensor / toTensor', () => {
  it.each<Dtype>(['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8'])(
    'round-trips small integers through %s',
    (dtype) => {
      const stored = fromTensor(t, dtype);
      expect(stored.dtype).toBe(dtype);
      expect(stored.shape).toEqual([2, 2]);
      const back = toTensor(stored);
      expect(back.shape).toEqual([2, 2]);
      expect([...back.data]).toEqual([0, 1, -2, 100]);
    },
  );

  it('rounds to float16 and bfloat16 to nearest even', () => {
    const x = new Tensor(new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000]), [3]);
    expect([...toFloat32(fromTensor(x, 'F16'))]).toEqual([1, 1 + 2 ** -9, Infinity]);
    expect([...fromTensor(x, 'BF16').data]).toEqual([0x3f80, 0x3f80, 0x4789]);
  });

  it('refuses values an integer dtype cannot hold, naming the element', () => {
    expect(() => fromTensor(t, 'U8')).toThrow(/element 2 is -2, which U8 cannot hold/);
    expect(() => fromTensor(new Tensor(new Float32Array([0.5]), [1]), 'I32')).toThrow(ValueError);
    expect(() => fromTensor(new Tensor(new Float32Array([2]), [1]), 'BOOL')).toThrow(ValueError);
    expect(() => fromTensor(new Tensor(new Float32Array([NaN]), [1]), 'I64')).toThrow(ValueError);
    expect(fromTensor(new Tensor(new Float32Array([1, 0]), [2]), 'BOOL').data).toEqual(new Uint8Array([1, 0]));
  });

  it('converts I64 beyond 2^53 to the nearest float32', () => {
    const stored = { dtype: 'I64' as const, shape: [2], data: new BigInt64Array([2n ** 62n, -3n]) };
    expect([...toFloat32(stored)]).toEqual([2 ** 62, -3]);
  });

  it('toTensor checks that shape and data agree', () => {
    expect(() => toTensor({ dtype: 'F32', shape: [3], data: new Float32Array(2) })).toThrow(ShapeError);
  });

  it('returns fresh storage', () => {
    const stored = fromTensor(t);
    stored.data[0] = 9;
    expect(t.data[0]).toBe(0);
    expect(toFloat32(stored)).not.toBe(stored.data);
  });
});
