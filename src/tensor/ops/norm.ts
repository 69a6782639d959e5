import { ShapeError, ValueError } from '../errors.js';
import { formatShape, numel, shapeEquals } from '../shape.js';
import type { OpAttrs } from '../op_list.js';
import { Tensor } from '../tensor.js';

/**
 * Every normalization here is the same computation with a different partition of the elements:
 * each element belongs to one statistics set (whose mean and variance normalize it) and to one
 * affine channel (whose weight and bias scale and shift it). Only the maps differ between
 * batch, layer, group and instance norm, so one forward and one backward serve all four.
 */
interface Partition {
  /** Statistics-set index of each element. */
  stat: Int32Array;
  numStats: number;
  /** Affine-channel index of each element. */
  chan: Int32Array;
  numChan: number;
}

/** Mean and biased variance per statistics set, plus the element count of each set. */
interface Stats {
  mean: Float64Array;
  varBiased: Float64Array;
  count: Float64Array;
}

function batchStats(x: Float32Array, p: Partition): Stats {
  const mean = new Float64Array(p.numStats);
  const count = new Float64Array(p.numStats);
  for (let i = 0; i < x.length; i++) {
    mean[p.stat[i]!]! += x[i]!;
    count[p.stat[i]!]!++;
  }
  for (let s = 0; s < p.numStats; s++) mean[s]! /= count[s]!;
  // Two passes (sum of squared deviations) rather than E[x²] - E[x]², which cancels badly in float.
  const varBiased = new Float64Array(p.numStats);
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean[p.stat[i]!]!;
    varBiased[p.stat[i]!]! += d * d;
  }
  for (let s = 0; s < p.numStats; s++) varBiased[s]! /= count[s]!;
  return { mean, varBiased, count };
}

function checkAffine(param: Tensor | null, expected: readonly number[], what: string, op: string): void {
  if (param !== null && !shapeEquals(param.shape, expected)) {
    throw new ShapeError(`${op}: ${what} must have shape ${formatShape(expected)}, got ${formatShape(param.shape)}`);
  }
}

/**
 * Normalizes `x` by `stats` and applies the affine parameters. With `throughStats` the gradient
 * flows through the mean and variance (batch statistics); without, they are constants (running
 * statistics in eval mode).
 */
function normalize<K extends 'batchNorm' | 'instanceNorm' | 'layerNorm' | 'groupNorm'>(
  op: K,
  x: Tensor,
  p: Partition,
  stats: Stats,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
  throughStats: boolean,
  attrs: OpAttrs[K],
): Tensor {
  const rstd = new Float64Array(p.numStats);
  for (let s = 0; s < p.numStats; s++) rstd[s] = 1 / Math.sqrt(stats.varBiased[s]! + eps);
  const xd = x.data;
  const n = xd.length;
  const xhat = new Float64Array(n);
  const out = new Float32Array(n);
  const w = weight?.data ?? null;
  const b = bias?.data ?? null;
  for (let i = 0; i < n; i++) {
    const s = p.stat[i]!;
    const c = p.chan[i]!;
    const h = (xd[i]! - stats.mean[s]!) * rstd[s]!;
    xhat[i] = h;
    out[i] = h * (w === null ? 1 : w[c]!) + (b === null ? 0 : b[c]!);
  }
  const inputs: Tensor[] = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);

  return Tensor.fromOp(
    op,
    out,
    x.shape,
    inputs,
    (g) => {
      const dxhat = new Float64Array(n);
      for (let i = 0; i < n; i++) dxhat[i] = g[i]! * (w === null ? 1 : w[p.chan[i]!]!);
      let gx: Float32Array | null = null;
      if (x.requiresGrad) {
        gx = new Float32Array(n);
        if (throughStats) {
          // dx = rstd · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat)), means over the set.
          const m1 = new Float64Array(p.numStats);
          const m2 = new Float64Array(p.numStats);
          for (let i = 0; i < n; i++) {
            const s = p.stat[i]!;
            m1[s]! += dxhat[i]!;
            m2[s]! += dxhat[i]! * xhat[i]!;
          }
          for (let s = 0; s < p.numStats; s++) {
            m1[s]! /= stats.count[s]!;
            m2[s]! /= stats.count[s]!;
          }
          for (let i = 0; i < n; i++) {
            const s = p.stat[i]!;
            gx[i] = rstd[s]! * (dxhat[i]! - m1[s]! - xhat[i]! * m2[s]!);
          }
        } else {
          for (let i = 0; i < n; i++) gx[i] = dxhat[i]! * rstd[p.stat[i]!]!;
        }
      }
      const grads: (Float32Array | null)[] = [gx];
      if (weight !== null) {
        if (weight.requiresGrad) {
          const gw = new Float64Array(p.numChan);
          for (let i = 0; i < n; i++) gw[p.chan[i]!]! += g[i]! * xhat[i]!;
          grads.push(Float32Array.from(gw));
        } else grads.push(null);
      }
      if (bias !== null) {
        if (bias.requiresGrad) {
          const gb = new Float64Array(p.numChan);
          for (let i = 0; i < n; i++) gb[p.chan[i]!]! += g[i]!;
          grads.push(Float32Array.from(gb));
        } else grads.push(null);
      }
      return grads;
    },
    attrs,
  );
}

/**
 * The argument checks batch and instance norm share (eps, momentum, per-channel affine and running
 * buffers), in the order their errors are reported; returns the input's channel layout.
 */
function checkRunningStatsNorm(
  op: string,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  eps: number,
  momentum: number,
): { batch: number; channels: number; spatial: number } {
  checkEps(eps, op);
  checkMomentum(momentum, op);
  const layout = channelLayout(x, op);
  const c = [layout.channels];
  checkAffine(weight, c, 'weight', op);
  checkAffine(bias, c, 'bias', op);
  checkAffine(runningMean, c, 'runningMean', op);
  checkAffine(runningVar, c, 'runningVar', op);
  return layout;
}

/** Splits an [N, C, *] input into its batch size, channel count and spatial size. */
function channelLayout(x: Tensor, op: string): { batch: number; channels: number; spatial: number } {
  if (x.ndim < 2) throw new ShapeError(`${op} expects an input of shape [N, C, *], got ${formatShape(x.shape)}`);
  return { batch: x.shape[0]!, channels: x.shape[1]!, spatial: numel(x.shape.slice(2)) };
}

/** Partition where element (n, c, l) of an [N, C, L] tensor has statistics set `statOf(n, c)`. */
function channelPartition(
  batch: number,
  channels: number,
  spatial: number,
  numStats: number,
  statOf: (n: number, c: number) => number,
): Partition {
  const total = batch * channels * spatial;
  const stat = new Int32Array(total);
  const chan = new Int32Array(total);
  let i = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const s = statOf(n, c);
      for (let l = 0; l < spatial; l++, i++) {
        stat[i] = s;
        chan[i] = c;
      }
    }
  }
  return { stat, numStats, chan, numChan: channels };
}

function checkEps(eps: number, op: string): void {
  if (!(eps >= 0)) throw new ValueError(`${op}: eps must be a non-negative number, got ${eps}`);
}

function checkMomentum(momentum: number, op: string): void {
  if (!Number.isFinite(momentum)) throw new ValueError(`${op}: momentum must be a finite number, got ${momentum}`);
}

/**
 * Blends batch statistics into running buffers in place, as PyTorch does:
 * running = (1 - momentum)·running + momentum·batch, with the UNBIASED variance for running_var.
 */
function updateRunning(
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  stats: Stats,
  momentum: number,
  reduceTo: (s: number) => number,
  numTargets: number,
): void {
  // Instance norm keeps per-channel buffers but per-(n, c) statistics: average over the batch.
  const mean = new Float64Array(numTargets);
  const unbiased = new Float64Array(numTargets);
  const per = new Float64Array(numTargets);
  for (let s = 0; s < stats.mean.length; s++) {
    const t = reduceTo(s);
    const cnt = stats.count[s]!;
    mean[t]! += stats.mean[s]!;
    unbiased[t]! += cnt > 1 ? (stats.varBiased[s]! * cnt) / (cnt - 1) : NaN;
    per[t]!++;
  }
  // Written straight into the buffers' storage: the update is not part of the autograd graph.
  if (runningMean !== null) {
    const d = runningMean.data;
    for (let t = 0; t < numTargets; t++) d[t] = (1 - momentum) * d[t]! + momentum * (mean[t]! / per[t]!);
  }
  if (runningVar !== null) {
    const d = runningVar.data;
    for (let t = 0; t < numTargets; t++) d[t] = (1 - momentum) * d[t]! + momentum * (unbiased[t]! / per[t]!);
  }
}

export interface BatchNormOptions {
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * PyTorch's `F.batch_norm` over an [N, C, *] input. Training: normalizes with the batch
 * statistics (biased variance) and updates `runningMean`/`runningVar` in place (unbiased variance).
 * Eval: normalizes with the running statistics, which must then be given.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const { batch, channels, spatial } = checkRunningStatsNorm(
    op,
    x,
    weight,
    bias,
    runningMean,
    runningVar,
    eps,
    momentum,
  );
  const p = channelPartition(batch, channels, spatial, channels, (_n, c) => c);
  const attrs = { training, momentum, eps };
  if (training) {
    if (batch * spatial <= 1) {
      throw new ValueError(
        `${op}: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`,
      );
    }
    const stats = batchStats(x.data, p);
    updateRunning(runningMean, runningVar, stats, momentum, (s) => s, channels);
    return normalize(op, x, p, stats, weight, bias, eps, true, attrs);
  }
  if (runningMean === null || runningVar === null) {
    throw new ValueError(`${op}: runningMean and runningVar must be given in evaluation mode (training: false)`);
  }
  const stats: Stats = {
    mean: Float64Array.from(runningMean.data),
    varBiased: Float64Array.from(runningVar.data),
    count: new Float64Array(channels).fill(batch * spatial),
  };
  return normalize(op, x, p, stats, weight, bias, eps, false, attrs);
}

/**
 * PyTorch's `F.layer_norm`: statistics over the trailing dimensions given by `normalizedShape`,
 * with element-wise affine parameters of that shape.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const op = 'layerNorm';
  checkEps(eps, op);
  const norm = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - norm.length);
  if (norm.length === 0 || norm.length > x.ndim || !shapeEquals(tail, norm)) {
    throw new ShapeError(
      `${op}: normalizedShape ${formatShape(norm)} must be a non-empty suffix of the input shape ${formatShape(x.shape)}`,
    );
  }
  checkAffine(weight, norm, 'weight', op);
  checkAffine(bias, norm, 'bias', op);
  const inner = numel(norm);
  const outer = x.size / Math.max(inner, 1);
  const stat = new Int32Array(x.size);
  const chan = new Int32Array(x.size);
  for (let i = 0; i < x.size; i++) {
    stat[i] = Math.floor(i / inner);
    chan[i] = i % inner;
  }
  const p: Partition = { stat, numStats: outer, chan, numChan: inner };
  return normalize(op, x, p, batchStats(x.data, p), weight, bias, eps, true, { normalizedShape: norm, eps });
}

/**
 * PyTorch's `F.group_norm`: the C channels of an [N, C, *] input split into `numGroups`
 * consecutive groups, each normalized per sample; affine parameters are per channel.
 */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const op = 'groupNorm';
  checkEps(eps, op);
  const { batch, channels, spatial } = channelLayout(x, op);
  if (!Number.isInteger(numGroups) || numGroups <= 0 || channels % numGroups !== 0) {
    throw new ValueError(
      `${op}: numGroups must be a positive divisor of the channel count ${channels}, got ${numGroups}`,
    );
  }
  checkAffine(weight, [channels], 'weight', op);
  checkAffine(bias, [channels], 'bias', op);
  const perGroup = channels / numGroups;
  const p = channelPartition(
    batch,
    channels,
    spatial,
    batch * numGroups,
    (n, c) => n * numGroups + Math.floor(c / perGroup),
  );
  return normalize(op, x, p, batchStats(x.data, p), weight, bias, eps, true, { numGroups, eps });
}

export interface InstanceNormOptions {
  /** Normalize with each instance's own statistics (PyTorch's `use_input_stats`, default true). */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * PyTorch's `F.instance_norm`: each (sample, channel) plane of an [N, C, *] input normalized on
 * its own. Running buffers, when given, are updated with the batch average of the per-instance
 * statistics; with `useInputStats: false` they are used instead, as in eval mode.
 */
export function instanceNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: InstanceNormOptions = {},
): Tensor {
  const op = 'instanceNorm';
  const useInputStats = opts.useInputStats ?? true;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const { batch, channels, spatial } = checkRunningStatsNorm(
    op,
    x,
    weight,
    bias,
    runningMean,
    runningVar,
    eps,
    momentum,
  );
  const attrs = { useInputStats, momentum, eps };
  if (useInputStats) {
    if (spatial <= 1) {
      throw new ValueError(
        `${op}: expected more than 1 spatial element per channel when using input stats, got input of shape ${formatShape(x.shape)}`,
      );
    }
    const p = channelPartition(batch, channels, spatial, batch * channels, (n, c) => n * channels + c);
    const stats = batchStats(x.data, p);
    updateRunning(runningMean, runningVar, stats, momentum, (s) => s % channels, channels);
    return normalize(op, x, p, stats, weight, bias, eps, true, attrs);
  }
  if (runningMean === null || runningVar === null) {
    throw new ValueError(`${op}: runningMean and runningVar must be given when useInputStats is false`);
  }
  const p = channelPartition(batch, channels, spatial, channels, (_n, c) => c);
  const stats: Stats = {
    mean: Float64Array.from(runningMean.data),
    varBiased: Float64Array.from(runningVar.data),
    count: new Float64Array(channels).fill(batch * spatial),
  };
  return normalize(op, x, p, stats, weight, bias, eps, false, attrs);
}
