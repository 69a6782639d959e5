import { ShapeError, ValueError } from './errors.js';
import { type MT19937, defaultGenerator } from './random.js';
import { type Shape, checkShape, numel } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface CreationOptions {
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreationOptions {
  /** Defaults to the global generator that `manualSeed` seeds. */
  generator?: MT19937;
}

function make(data: Float32Array, shape: Shape, opts: CreationOptions): Tensor {
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

function alloc(shape: Shape): Float32Array {
  checkShape(shape);
  return new Float32Array(numel(shape));
}

export function zeros(shape: Shape, opts: CreationOptions = {}): Tensor {
  return make(alloc(shape), shape, opts);
}

export function ones(shape: Shape, opts: CreationOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export function full(shape: Shape, value: number, opts: CreationOptions = {}): Tensor {
  return make(alloc(shape).fill(value), shape, opts);
}

export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return zeros(t.shape, opts);
}

export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return ones(t.shape, opts);
}

/** Values start, start+step, ... below end (NumPy's arange, length ceil((end-start)/step)). */
export function arange(start: number, end?: number, step = 1, opts: CreationOptions = {}): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange step must be finite and nonzero, got ${step}`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return make(data, [n], opts);
}

/** Builds a tensor from a number, nested arrays, or a flat array plus a shape. */
export function fromArray(values: NestedArray | ArrayLike<number>, shape?: Shape, opts: CreationOptions = {}): Tensor {
  if (shape !== undefined) {
    if (typeof values === 'number') throw new ShapeError('fromArray with a shape needs a flat array, got a number');
    const flat = Float32Array.from(values as ArrayLike<number>);
    return make(flat, shape, opts);
  }
  const inferred: number[] = [];
  let probe: NestedArray | ArrayLike<number> = values;
  while (typeof probe !== 'number') {
    inferred.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as ArrayLike<NestedArray>)[0]!;
  }
  const flat = new Float32Array(numel(inferred));
  let k = 0;
  const walk = (v: NestedArray | ArrayLike<number>, dim: number): void => {
    if (dim === inferred.length) {
      if (typeof v !== 'number') throw new ShapeError('fromArray: ragged nested array (too deep at one position)');
      flat[k++] = v;
      return;
    }
    if (typeof v === 'number' || v.length !== inferred[dim]) {
      throw new ShapeError(`fromArray: ragged nested array at depth ${dim} (expected length ${inferred[dim]})`);
    }
    for (let i = 0; i < v.length; i++) walk((v as ArrayLike<NestedArray>)[i]!, dim + 1);
  };
  walk(values, 0);
  return make(flat, inferred, opts);
}

/** Alias of `fromArray`, as `torch.tensor`. */
export const tensor = fromArray;

/** Uniform [0, 1) samples, exactly NumPy's `np.random.rand(*shape)` for the same seed (rounded to float32). */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator();
  const data = alloc(shape);
  for (let i = 0; i < data.length; i++) data[i] = g.nextDouble();
  return make(data, shape, opts);
}

/** Standard normal samples, NumPy's legacy `np.random.randn` sequence. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator();
  const data = alloc(shape);
  for (let i = 0; i < data.length; i++) data[i] = g.nextGauss();
  return make(data, shape, opts);
}

/** Integers in [low, high), NumPy's legacy `np.random.randint(low, high, size)` sequence. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator();
  const data = alloc(shape);
  for (let i = 0; i < data.length; i++) data[i] = g.nextInt(low, high);
  return make(data, shape, opts);
}

/** Float64 uniform samples (no float32 rounding), for callers that need NumPy's exact doubles. */
export function randDoubles(count: number, generator: MT19937 = defaultGenerator()): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = generator.nextDouble();
  return out;
}
