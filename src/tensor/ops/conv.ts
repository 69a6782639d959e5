import { kernels } from '../backend.js';
import type { IntOrTuple } from '../kernels/geometry.js';
import { Tensor } from '../tensor.js';
import { convCall } from './conv_params.js';

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
  const name = `conv${dims}d` as const;
  const { p, outShape, stride, padding, dilation, kernelSize } = convCall(name, dims, x, w.shape, bias, opts);
  const { batch, inChannels, outChannels, groups } = p;
  const K = kernels();
  const y = K.conv(x.data, w.data, bias === null ? null : bias.data, { ...p, wStamp: w.weightStamp });
  const spatial = p.outSize[0] * p.outSize[1] * p.outSize[2];
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
