import { ShapeError } from '../../tensor/errors.js';
import type { ConvOptions } from '../../tensor/ops/conv.js';
import { convCall } from '../../tensor/ops/conv_params.js';
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
  const name = `sparseConv${dims}d` as const;
  const ws = w.weightShape;
  if (ws === null || ws.length !== dims + 2) {
    throw new ShapeError(
      `${name}: compressed weight must come from compressWeight of a ${dims + 2}-d [out, in/groups, ...kernel] weight, found ${ws === null ? 'a plain matrix (no weight shape)' : `weight shape [${ws.join(', ')}]`}`,
    );
  }
  const { p, outShape, stride, padding, dilation, kernelSize } = convCall(
    name,
    dims,
    x,
    ws,
    bias,
    opts,
    (groups, inChannels) =>
      `${name}: weight [${ws.join(', ')}] with groups = ${groups} expects ${ws[1]! * groups} input channels (and out channels divisible by groups) but input ${formatShape(x.shape)} has ${inChannels}`,
  );
  const { inChannels, outChannels, groups } = p;
  const y = sparseKernels().conv(x.data, w, bias === null ? null : bias.data, p);
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
export function sparseConv1d(
  x: Tensor,
  weight: CompressedNM,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return sparseConvNd(1, x, weight, bias, opts);
}

/** F.conv2d with a compressed weight: x [N, C, H, W] or [C, H, W], weight [K, C/groups, kh, kw]. */
export function sparseConv2d(
  x: Tensor,
  weight: CompressedNM,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return sparseConvNd(2, x, weight, bias, opts);
}

/** F.conv3d with a compressed weight: x [N, C, D, H, W] or [C, D, H, W], weight [K, C/groups, kd, kh, kw]. */
export function sparseConv3d(
  x: Tensor,
  weight: CompressedNM,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return sparseConvNd(3, x, weight, bias, opts);
}
