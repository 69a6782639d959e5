import { type MT19937, type Tensor, ValueError, defaultGenerator, formatShape } from '../tensor/index.js';

/**
 * PyTorch's `nn.init`, in place, drawing from the seeded global generator unless one is given.
 * Values are drawn in storage order, one double each, so a seed fixes every weight.
 */

/** [fanIn, fanOut] as PyTorch's `_calculate_fan_in_and_fan_out`: dims 1 and 0 times the receptive field. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new ValueError(`fan in and fan out need a tensor with at least 2 dims, got shape ${formatShape(t.shape)}`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

export function uniform_(t: Tensor, low = 0, high = 1, generator: MT19937 = defaultGenerator()): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * generator.nextDouble();
  return t.markModified();
}

export function normal_(t: Tensor, mean = 0, std = 1, generator: MT19937 = defaultGenerator()): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * generator.nextGauss();
  return t.markModified();
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t.markModified();
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/** PyTorch's `calculate_gain`. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (PyTorch's `a`, default 0). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
  generator?: MT19937;
}

/** He initialisation, uniform: bound = gain·√(3 / fan). Linear and Conv use a = √5, giving 1/√fanIn. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const bound = fan === 0 ? 0 : gain * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound, opts.generator);
}

/** He initialisation, normal: std = gain / √fan (torchvision's ResNet uses fanOut, relu). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return normal_(t, 0, fan === 0 ? 0 : gain / Math.sqrt(fan), opts.generator);
}

/** Glorot initialisation, uniform: bound = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: MT19937): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, generator);
}

/** Linear/Conv default: weight kaiming-uniform with a = √5, bias U(−1/√fanIn, 1/√fanIn). */
export function resetLinearLike(weight: Tensor, bias: Tensor | null, generator?: MT19937): void {
  kaimingUniform_(weight, { a: Math.sqrt(5), generator });
  if (bias !== null) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, generator);
  }
}
