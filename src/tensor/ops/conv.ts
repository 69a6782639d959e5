import { kernels } from '../backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { type IntOrTuple, convOutputSize, expandParam, toTriple } from '../kernels/geometry.js';
import type { ConvParams } from '../kernels/types.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface ConvOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
}

/**
 * An N-d convolution (N = 1, 2, 3) on the 3-D kernels. Accepts batched [B, C, ...spatial] or
 * unbatched [C, ...spatial] input, as PyTorch does.
 */
function convNd(dims: 1 | 2 | 3, x: Tensor, w: Tensor, bias: Tensor | null, opts: ConvOptions): Tensor {
  const name = `conv${dims}d`;
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(`${name}: input must be ${dims + 1}-d (unbatched) or ${dims + 2}-d (batched), got ${formatShape(x.shape)}`);
  }
  if (w.ndim !== dims + 2) {
    throw new ShapeError(
      `${name}: weight must be ${dims + 2}-d [out, in/groups, ...kernel], got ${formatShape(w.shape)} (input ${formatShape(x.shape)})`,
    );
  }
  const unbatched = x.ndim === dims + 1;
  const xShape = unbatched ? [1, ...x.shape] : [...x.shape];
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
  const [batch, inChannels] = [xShape[0]!, xShape[1]!];
  const outChannels = w.shape[0]!;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ShapeError(
      `${name}: input channels and output channels must be divisible by groups = ${groups}; input ${formatShape(x.shape)}, weight ${formatShape(w.shape)}`,
    );
  }
  if (w.shape[1]! * groups !== inChannels) {
    throw new ShapeError(
      `${name}: weight ${formatShape(w.shape)} expects ${w.shape[1]! * groups} input channels (groups = ${groups}) but input ${formatShape(x.shape)} has ${inChannels}`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${name}: bias must be [${outChannels}] for weight ${formatShape(w.shape)}, got ${formatShape(bias.shape)}`);
  }
  const kernelSize = w.shape.slice(2);
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
  const K = kernels();
  const y = K.conv(x.data, w.data, bias === null ? null : bias.data, p);
  const spatial = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const outShape = unbatched ? [outChannels, ...outSize] : [batch, outChannels, ...outSize];
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return Tensor.fromOp(
    name,
    y,
    outShape,
    inputs,
    (g) => {
      const gx = x.requiresGrad ? K.convBackwardInput(g, w.data, p) : null;
      const gw = w.requiresGrad ? K.convBackwardWeight(g, x.data, p) : null;
      if (bias === null) return [gx, gw];
      let gb: Float32Array | null = null;
      if (bias.requiresGrad) {
        const acc = new Float64Array(outChannels);
        for (let n = 0; n < batch; n++)
          for (let k = 0; k < outChannels; k++)
            for (let s = 0; s < spatial; s++) acc[k]! += g[(n * outChannels + k) * spatial + s]!;
        gb = Float32Array.from(acc);
      }
      return [gx, gw, gb];
    },
    { stride, padding, dilation, groups, kernelSize, inChannels, outChannels, bias: bias !== null },
  );
}

/** PyTorch's F.conv1d: x [N, C, L] or [C, L], weight [K, C/groups, kl]. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd(1, x, weight, bias, opts);
}

/** PyTorch's F.conv2d: x [N, C, H, W] or [C, H, W], weight [K, C/groups, kh, kw]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd(2, x, weight, bias, opts);
}

/** PyTorch's F.conv3d: x [N, C, D, H, W] or [C, D, H, W], weight [K, C/groups, kd, kh, kw]. */
export function conv3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd(3, x, weight, bias, opts);
}
