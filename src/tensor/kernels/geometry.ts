import { ShapeError, ValueError } from '../errors.js';
import type { Triple } from './types.js';

/** An integer parameter given once for every spatial dimension, or once per dimension. */
export type IntOrTuple = number | readonly number[];

/**
 * Expands a PyTorch-style int-or-tuple argument to one value per spatial dimension. `min` is the
 * smallest allowed value (1 for strides and kernel sizes, 0 for padding).
 */
export function expandParam(value: IntOrTuple, dims: number, name: string, min: number): number[] {
  const out = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (out.length !== dims) {
    throw new ValueError(`${name} must be an int or ${dims} ints for a ${dims}-d operation, got [${out.join(', ')}]`);
  }
  for (const v of out) {
    if (!Number.isInteger(v) || v < min) {
      throw new ValueError(`${name} must hold integers >= ${min}, got [${out.join(', ')}]`);
    }
  }
  return out;
}

/** Left-pads a 1-, 2- or 3-element list to the kernels' 3-D form with a neutral value. */
export function toTriple(values: readonly number[], fill: number): Triple {
  const padded = [...new Array<number>(3 - values.length).fill(fill), ...values];
  return [padded[0]!, padded[1]!, padded[2]!];
}

/** One dimension of a convolution or pooling output: floor((in + 2p - d(k-1) - 1) / s) + 1. */
export function outputDim(input: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((input + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * The output spatial size of a convolution (or pooling) window sliding over `inSize`. Throws a
 * ShapeError when the (padded) input is smaller than the dilated kernel, as PyTorch does.
 */
export function convOutputSize(
  inSize: readonly number[],
  kernelSize: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  dilation: readonly number[],
): number[] {
  return inSize.map((n, i) => {
    const o = outputDim(n, kernelSize[i]!, stride[i]!, padding[i]!, dilation[i]!);
    if (o < 1) {
      throw new ShapeError(
        `input spatial size [${inSize.join(', ')}] with padding [${padding.join(', ')}] is smaller than the ` +
          `dilated kernel [${kernelSize.map((k, j) => dilation[j]! * (k - 1) + 1).join(', ')}] (output size would be ${o})`,
      );
    }
    return o;
  });
}

/** Pooling uses the same window arithmetic (floor mode; PyTorch's ceil_mode is not supported). */
export const poolOutputSize = convOutputSize;

/** PyTorch's adaptive pooling window for output index `i`: [floor(i·in/out), ceil((i+1)·in/out)). */
export function adaptiveWindow(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}
