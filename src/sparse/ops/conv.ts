import { ShapeError, ValueError } from '../../tensor/errors.js';
import { convOutputSize, expandParam, toTriple } from '../../tensor/kernels/geometry.js';
import type { ConvParams } from '../../tensor/kernels/types.js';
import type { ConvOptions } from '../../tensor/ops/conv.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CompressedNM } from '../compressed.js';
import { sparseKernels } from '../kernels/index.js';
import { sparseResult } from './common.js';

/**
 * An N-d convolution with a compressed weight (`compressWeight` of a [K, C/groups, ...kernel]
 * weight): PyTorch's F.convNd semantics, stride, padding, dilation and groups included; batched
 * [B, C, ...] or unbatched [C, ...] input. Forward only.
 */
function sparseConvNd(dims: 1 | 2 | 3, x: Tensor, w: CompressedNM, bias: Tensor | null, opts: ConvOptions): Tensor {
  const name = `sparseConv${dims}d`;
  const ws = w.weightShape;
  if (ws === null || ws.length !== dims + 2) {
    throw new ShapeError(
      `${name}: compressed weight must come from compressWeight of a ${dims + 2}-d [out, in/groups, ...kernel] weight, found ${ws === null ? 'a plain matrix (no weight shape)' : `weight shape [${ws.join(', ')}]`}`,
    );
  }
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(`${name}: input must be ${dims + 1}-d (unbatched) or ${dims + 2}-d (batched), got ${formatShape(x.shape)}`);
  }
  const unbatched = x.ndim === dims + 1;
  const xShape = unbatched ? [1, ...x.shape] : [...x.shape];
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
  const [batch, inChannels] = [xShape[0]!, xShape[1]!];
  const outChannels = ws[0]!;
  if (inChannels % groups !== 0 || outChannels % groups !== 0 || ws[1]! * groups !== inChannels) {
    throw new ShapeError(
      `${name}: weight [${ws.join(', ')}] with groups = ${groups} expects ${ws[1]! * groups} input channels (and out channels divisible by groups) but input ${formatShape(x.shape)} has ${inChannels}`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${name}: bias must be [${outChannels}] for weight [${ws.join(', ')}], got ${formatShape(bias.shape)}`);
  }
  const kernelSize = ws.slice(2);
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
  const y = sparseKernels().conv(x.data, w, bias === null ? null : bias.data, p);
  const outShape = unbatched ? [outChannels, ...outSize] : [batch, outChannels, ...outSize];
  return sparseResult(name, y, outShape, bias === null ? [x] : [x, bias], {
    stride,
    padding,
    dilation,
    groups,
    kernelSize,
    inChannels,
    outChannels,
    bias: bias !== null,
    n: w.n,
    m: w.m,
  });
}

/** F.conv1d with a compressed weight: x [N, C, L] or [C, L], weight [K, C/groups, kl]. */
export function sparseConv1d(x: Tensor, weight: CompressedNM, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return sparseConvNd(1, x, weight, bias, opts);
}

/** F.conv2d with a compressed weight: x [N, C, H, W] or [C, H, W], weight [K, C/groups, kh, kw]. */
export function sparseConv2d(x: Tensor, weight: CompressedNM, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return sparseConvNd(2, x, weight, bias, opts);
}

/** F.conv3d with a compressed weight: x [N, C, D, H, W] or [C, D, H, W], weight [K, C/groups, kd, kh, kw]. */
export function sparseConv3d(x: Tensor, weight: CompressedNM, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return sparseConvNd(3, x, weight, bias, opts);
}
