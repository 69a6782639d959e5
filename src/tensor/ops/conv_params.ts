import { ShapeError, ValueError } from '../errors.js';
import { convOutputSize, expandParam, toTriple } from '../kernels/geometry.js';
import type { ConvParams } from '../kernels/types.js';
import { type Shape, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { ConvOptions } from './conv.js';

/** A checked N-d convolution call, stated in the kernels' 3-D form and in the caller's N-d terms. */
export interface ConvCall {
  p: ConvParams;
  /** The input had no batch dimension (the output drops it too). */
  unbatched: boolean;
  outShape: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  kernelSize: number[];
}

/**
 * Validates an N-d convolution's input, weight shape, groups and bias, as PyTorch's F.convNd
 * does, and builds its kernel parameters. Shared by the dense and the sparse (compressed weight)
 * ops, which differ only in where the weight shape comes from. `channelMismatch`, when given,
 * words one error for every channel/groups mismatch; without it the two cases (channels not
 * divisible by groups, weight expecting other input channels) get separate messages.
 */
export function convCall(
  name: string,
  dims: 1 | 2 | 3,
  x: Tensor,
  weightShape: Shape,
  bias: Tensor | null,
  opts: ConvOptions,
  channelMismatch?: (groups: number, inChannels: number) => string,
): ConvCall {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(
      `${name}: input must be ${dims + 1}-d (unbatched) or ${dims + 2}-d (batched), got ${formatShape(x.shape)}`,
    );
  }
  const ws = formatShape(weightShape);
  if (weightShape.length !== dims + 2) {
    throw new ShapeError(
      `${name}: weight must be ${dims + 2}-d [out, in/groups, ...kernel], got ${ws} (input ${formatShape(x.shape)})`,
    );
  }
  const unbatched = x.ndim === dims + 1;
  const xShape = unbatched ? [1, ...x.shape] : [...x.shape];
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
  const [batch, inChannels] = [xShape[0]!, xShape[1]!];
  const outChannels = weightShape[0]!;
  const divisible = inChannels % groups === 0 && outChannels % groups === 0;
  const expected = weightShape[1]! * groups;
  if (channelMismatch !== undefined && (!divisible || expected !== inChannels)) {
    throw new ShapeError(channelMismatch(groups, inChannels));
  }
  if (!divisible) {
    throw new ShapeError(
      `${name}: input channels and output channels must be divisible by groups = ${groups}; input ${formatShape(x.shape)}, weight ${ws}`,
    );
  }
  if (expected !== inChannels) {
    throw new ShapeError(
      `${name}: weight ${ws} expects ${expected} input channels (groups = ${groups}) but input ${formatShape(x.shape)} has ${inChannels}`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${name}: bias must be [${outChannels}] for weight ${ws}, got ${formatShape(bias.shape)}`);
  }
  const kernelSize = weightShape.slice(2);
  const inSize = xShape.slice(2);
  const stride = expandParam(opts.stride ?? 1, dims, `${name} stride`, 1);
  const padding = expandParam(opts.padding ?? 0, dims, `${name} padding`, 0);
  const dilation = expandParam(opts.dilation ?? 1, dims, `${name} dilation`, 1);
  const outSize = convOutputSize(inSize, kernelSize, stride, padding, dilation);
  const p: ConvParams = {
    batch,
    inChannels,
    outChannels,
    groups,
    inSize: toTriple(inSize, 1),
    kernelSize: toTriple(kernelSize, 1),
    stride: toTriple(stride, 1),
    padding: toTriple(padding, 0),
    dilation: toTriple(dilation, 1),
    outSize: toTriple(outSize, 1),
  };
  const outShape = unbatched ? [outChannels, ...outSize] : [batch, outChannels, ...outSize];
  return { p, unbatched, outShape, stride, padding, dilation, kernelSize };
}
