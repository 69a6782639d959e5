/**
 * Affine int8 quantization and its fake (quantize-dequantize) form for QAT.
 *
 *   q = clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax),   x̂ = (q − zeroPoint) · scale
 *
 * computed in float64 and stored as float32. Symmetric: zeroPoint 0 and q in [−127, 127] (the
 * restricted range TensorRT uses, so −x quantizes to −q), scale = max|x| / 127. Asymmetric: q in
 * [−128, 127] and a zero point that makes the range [min(x, 0), max(x, 0)] fit. Either way real 0
 * is exactly representable (x̂ = 0 for x = 0), so a pruned weight stays 0 after fake
 * quantization; only the stored integer of an asymmetric quantizer is the zero point, not 0.
 *
 * The gradient is the straight-through estimator: it passes unchanged where x / scale +
 * zeroPoint rounds inside [qmin, qmax] and is zero where the value was clamped. Scales get no
 * gradient (they come from observers, not learned).
 */
import { ShapeError, Tensor, ValueError } from '../../tensor/index.js';

export type QuantScheme = 'symmetric' | 'asymmetric';

/** Scale and zero point per channel (axis 0) or for the whole tensor (one entry). */
export interface QuantParams {
  readonly scale: Float64Array;
  readonly zeroPoint: Int32Array;
  readonly qmin: number;
  readonly qmax: number;
}

/** fakeQuantize joins the typed op list (src/tensor/op_list.ts) by declaration merging. */
declare module '../../tensor/op_list.js' {
  interface OpAttrs {
    /**
     * `channels`: how many scales (1 per tensor, else one per channel of axis 0); `scale` and
     * `zeroPoint` the quantization parameters themselves (what an ONNX QuantizeLinear needs).
     */
    fakeQuantize: { channels: number; qmin: number; qmax: number; scale: number[]; zeroPoint: number[] };
  }
}

export function qRange(scheme: QuantScheme): { qmin: number; qmax: number } {
  return scheme === 'symmetric' ? { qmin: -127, qmax: 127 } : { qmin: -128, qmax: 127 };
}

/** Round half to even (torch.round / nearbyint), so ±0.5 steps do not drift one way. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantization parameters for the ranges [min[i], max[i]]. A zero range gets scale 1 (any scale maps 0 to 0). */
export function paramsFromRange(min: ArrayLike<number>, max: ArrayLike<number>, scheme: QuantScheme): QuantParams {
  const { qmin, qmax } = qRange(scheme);
  const n = min.length;
  const scale = new Float64Array(n);
  const zeroPoint = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.min(min[i]!, 0);
    const hi = Math.max(max[i]!, 0);
    if (!Number.isFinite(lo) || !Number.isFinite(hi))
      throw new ValueError(`quantization range [${min[i]}, ${max[i]}] of channel ${i} is not finite`);
    if (scheme === 'symmetric') {
      const amax = Math.max(-lo, hi);
      scale[i] = amax > 0 ? amax / qmax : 1;
    } else {
      scale[i] = hi > lo ? (hi - lo) / (qmax - qmin) : 1;
      zeroPoint[i] = Math.min(qmax, Math.max(qmin, qmin - roundHalfEven(lo / scale[i]!)));
    }
  }
  return { scale, zeroPoint, qmin, qmax };
}

/** Min and max of each of `rows` equal row-major slices (axis 0); rows = 1 gives the whole tensor. */
export function rangeOf(data: Float32Array, rows: number): { min: Float64Array; max: Float64Array } {
  const min = new Float64Array(rows).fill(Infinity);
  const max = new Float64Array(rows).fill(-Infinity);
  const per = data.length / rows;
  for (let r = 0; r < rows; r++) {
    for (let i = r * per; i < (r + 1) * per; i++) {
      const v = data[i]!;
      if (v < min[r]!) min[r] = v;
      if (v > max[r]!) max[r] = v;
    }
  }
  return { min, max };
}

function channelOf(p: QuantParams, shape: readonly number[], size: number): (i: number) => number {
  const n = p.scale.length;
  if (n === 1) return () => 0;
  if (shape[0] !== n)
    throw new ShapeError(
      `quantization has ${n} channel scales but the tensor's dim 0 is ${shape[0]} (shape [${shape.join(', ')}])`,
    );
  const per = size / n;
  return (i) => Math.floor(i / per);
}

/** The integers q of `x` (Int32Array; every value lies in [qmin, qmax]). */
export function quantizeValues(data: Float32Array, shape: readonly number[], p: QuantParams): Int32Array {
  const ch = channelOf(p, shape, data.length);
  const q = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = ch(i);
    q[i] = Math.min(p.qmax, Math.max(p.qmin, roundHalfEven(data[i]! / p.scale[c]!) + p.zeroPoint[c]!));
  }
  return q;
}

/** x̂ = fake-quantized x, differentiable with the straight-through estimator (see the top of this file). */
export function fakeQuantize(x: Tensor, p: QuantParams): Tensor {
  const ch = channelOf(p, x.shape, x.size);
  const out = new Float32Array(x.size);
  const pass = new Uint8Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const c = ch(i);
    const s = p.scale[c]!;
    const z = p.zeroPoint[c]!;
    const r = roundHalfEven(x.data[i]! / s) + z;
    const q = Math.min(p.qmax, Math.max(p.qmin, r));
    pass[i] = q === r ? 1 : 0;
    // (q − z)·s is exactly 0 for q = z, whatever s: a pruned weight stays 0.
    out[i] = (q - z) * s;
  }
  return Tensor.fromOp('fakeQuantize', out, x.shape, [x], (g) => [g.map((v, i) => (pass[i] === 1 ? v : 0))], {
    channels: p.scale.length,
    qmin: p.qmin,
    qmax: p.qmax,
    scale: Array.from(p.scale),
    zeroPoint: Array.from(p.zeroPoint),
  });
}
