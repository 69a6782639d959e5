import { kernels } from '../backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { type IntOrTuple, adaptiveWindow, expandParam, poolOutputSize, toTriple } from '../kernels/geometry.js';
import type { PoolParams } from '../kernels/types.js';
import type { MaxPoolAttrs } from '../op_list.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface MaxPoolOptions {
  kernelSize: IntOrTuple;
  /** Defaults to kernelSize. */
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
}

export interface AvgPoolOptions {
  kernelSize: IntOrTuple;
  /** Defaults to kernelSize. */
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  /** Divide by the whole window, padding included (PyTorch's default, true). */
  countIncludePad?: boolean;
}

interface PoolSetup {
  p: PoolParams;
  outShape: number[];
  attrs: MaxPoolAttrs;
}

/** Validates a pooling call and states it in 3-D; input is [N, C, ...spatial] or [C, ...spatial]. */
function setup(
  name: string,
  dims: number,
  x: Tensor,
  kernelSize: IntOrTuple,
  stride: IntOrTuple | undefined,
  padding: IntOrTuple,
  dilation: IntOrTuple,
  countIncludePad: boolean,
): PoolSetup {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(
      `${name}: input must be ${dims + 1}-d (unbatched) or ${dims + 2}-d (batched), got ${formatShape(x.shape)}`,
    );
  }
  const unbatched = x.ndim === dims + 1;
  const lead = unbatched ? [1, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const inSize = x.shape.slice(x.ndim - dims);
  const k = expandParam(kernelSize, dims, `${name} kernelSize`, 1);
  const s = expandParam(stride ?? k, dims, `${name} stride`, 1);
  const pad = expandParam(padding, dims, `${name} padding`, 0);
  const dil = expandParam(dilation, dims, `${name} dilation`, 1);
  // PyTorch's rule; it also guarantees every window holds at least one real input element.
  if (pad.some((v, i) => v > Math.floor(k[i]! / 2))) {
    throw new ValueError(`${name}: padding [${pad.join(', ')}] must be at most half of kernelSize [${k.join(', ')}]`);
  }
  const outSize = poolOutputSize(inSize, k, s, pad, dil);
  const p: PoolParams = {
    batch: lead[0]!,
    channels: lead[1]!,
    inSize: toTriple(inSize, 1),
    kernelSize: toTriple(k, 1),
    stride: toTriple(s, 1),
    padding: toTriple(pad, 0),
    dilation: toTriple(dil, 1),
    outSize: toTriple(outSize, 1),
    countIncludePad,
  };
  const outShape = [...x.shape.slice(0, x.ndim - dims), ...outSize];
  return { p, outShape, attrs: { kernelSize: k, stride: s, padding: pad, dilation: dil } };
}

function maxPoolNd(dims: 1 | 2 | 3, x: Tensor, opts: MaxPoolOptions): Tensor {
  const name = `maxPool${dims}d` as const;
  const { p, outShape, attrs } = setup(
    name,
    dims,
    x,
    opts.kernelSize,
    opts.stride,
    opts.padding ?? 0,
    opts.dilation ?? 1,
    false,
  );
  const K = kernels();
  const { values, argmax } = K.maxPool(x.data, p);
  return Tensor.fromOp(name, values, outShape, [x], (g) => [K.maxPoolBackward(g, argmax, p)], attrs);
}

function avgPoolNd(dims: 1 | 2 | 3, x: Tensor, opts: AvgPoolOptions): Tensor {
  const name = `avgPool${dims}d` as const;
  const countIncludePad = opts.countIncludePad ?? true;
  const { p, outShape, attrs } = setup(
    name,
    dims,
    x,
    opts.kernelSize,
    opts.stride,
    opts.padding ?? 0,
    1,
    countIncludePad,
  );
  const K = kernels();
  const y = K.avgPool(x.data, p);
  return Tensor.fromOp(name, y, outShape, [x], (g) => [K.avgPoolBackward(g, p)], { ...attrs, countIncludePad });
}

export const maxPool1d = (x: Tensor, opts: MaxPoolOptions): Tensor => maxPoolNd(1, x, opts);
export const maxPool2d = (x: Tensor, opts: MaxPoolOptions): Tensor => maxPoolNd(2, x, opts);
export const maxPool3d = (x: Tensor, opts: MaxPoolOptions): Tensor => maxPoolNd(3, x, opts);
export const avgPool1d = (x: Tensor, opts: AvgPoolOptions): Tensor => avgPoolNd(1, x, opts);
export const avgPool2d = (x: Tensor, opts: AvgPoolOptions): Tensor => avgPoolNd(2, x, opts);
export const avgPool3d = (x: Tensor, opts: AvgPoolOptions): Tensor => avgPoolNd(3, x, opts);

/**
 * PyTorch's F.adaptive_avg_pool2d. `outputSize` is one size or [oh, ow]; a null entry keeps that
 * input dimension. When each output size divides its input size the windows are a plain average
 * pool (and run on the backend's kernel); otherwise window i covers
 * [floor(i·in/out), ceil((i+1)·in/out)), computed here directly.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new ShapeError(`adaptiveAvgPool2d: input must be [C, H, W] or [N, C, H, W], got ${formatShape(x.shape)}`);
  }
  const [H, W] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
  const sizes = typeof outputSize === 'number' ? [outputSize, outputSize] : [...outputSize];
  if (sizes.length !== 2)
    throw new ValueError(`adaptiveAvgPool2d: outputSize must be an int or 2 entries, got [${sizes.join(', ')}]`);
  const oh = sizes[0] ?? H;
  const ow = sizes[1] ?? W;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new ValueError(`adaptiveAvgPool2d: outputSize must be positive integers, got [${oh}, ${ow}]`);
  }
  if (H % oh === 0 && W % ow === 0) {
    return avgPool2d(x, { kernelSize: [H / oh, W / ow] });
  }
  const planes = x.size / (H * W);
  const y = new Float32Array(planes * oh * ow);
  const windowsH = Array.from({ length: oh }, (_, i) => adaptiveWindow(i, H, oh));
  const windowsW = Array.from({ length: ow }, (_, j) => adaptiveWindow(j, W, ow));
  for (let pl = 0; pl < planes; pl++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const [h0, h1] = windowsH[i]!;
        const [w0, w1] = windowsW[j]!;
        let acc = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) acc += x.data[(pl * H + h) * W + w]!;
        y[(pl * oh + i) * ow + j] = acc / ((h1 - h0) * (w1 - w0));
      }
  const outShape = [...x.shape.slice(0, -2), oh, ow];
  return Tensor.fromOp(
    'adaptiveAvgPool2d',
    y,
    outShape,
    [x],
    (g) => {
      const dx = new Float64Array(x.size);
      for (let pl = 0; pl < planes; pl++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const [h0, h1] = windowsH[i]!;
            const [w0, w1] = windowsW[j]!;
            const share = g[(pl * oh + i) * ow + j]! / ((h1 - h0) * (w1 - w0));
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[(pl * H + h) * W + w]! += share;
          }
      return [Float32Array.from(dx)];
    },
    { outputSize: [oh, ow] },
  );
}
