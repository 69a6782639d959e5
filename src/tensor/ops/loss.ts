import { ShapeError, ValueError } from '../errors.js';
import { formatShape, numel, shapeEquals } from '../shape.js';
import type { LossOpName, OpAttrs, Reduction } from '../op_list.js';
import { Tensor } from '../tensor.js';

export type { Reduction };

export interface NllLossOptions {
  reduction?: Reduction;
  /** Targets equal to this contribute nothing and are left out of the mean. */
  ignoreIndex?: number;
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
}

export interface CrossEntropyOptions extends NllLossOptions {
  labelSmoothing?: number;
}

/**
 * The class-indexed loss layout: input [N, C, d1, ...] (or [C] unbatched) seen as [N, C, S]
 * with S the product of the trailing dimensions; target [N, d1, ...] (or []) seen as [N, S].
 */
interface ClassLayout {
  batch: number;
  classes: number;
  spatial: number;
  /** Shape of the per-position loss ('none' reduction): the target's shape. */
  positionsShape: readonly number[];
  /** Validated targets, one per position; ignored positions hold -1. */
  target: Int32Array;
  /** Class weights, all 1 when none are given. */
  weight: Float64Array;
}

function classLayout(op: string, input: Tensor, target: Tensor, opts: NllLossOptions): ClassLayout {
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have shape [N, C, ...] or [C], got a scalar`);
  const unbatched = input.ndim === 1;
  const batch = unbatched ? 1 : input.shape[0]!;
  const classes = unbatched ? input.shape[0]! : input.shape[1]!;
  const expected = unbatched ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!shapeEquals(target.shape, expected)) {
    throw new ShapeError(
      `${op}: target must have shape ${formatShape(expected)} for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const w = opts.weight ?? null;
  if (w !== null && !shapeEquals(w.shape, [classes])) {
    throw new ShapeError(`${op}: weight must have shape [${classes}] (one per class), got ${formatShape(w.shape)}`);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const t = new Int32Array(target.size);
  for (let i = 0; i < target.size; i++) {
    const v = target.data[i]!;
    if (v === ignoreIndex) {
      t[i] = -1;
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(
        `${op}: target ${v} at position ${i} is out of range: expected a class index in [0, ${classes}) or ignoreIndex ${ignoreIndex}`,
      );
    }
    t[i] = v;
  }
  return {
    batch,
    classes,
    spatial: unbatched ? 1 : numel(input.shape.slice(2)),
    positionsShape: target.shape,
    target: t,
    weight: w === null ? new Float64Array(classes).fill(1) : Float64Array.from(w.data),
  };
}

function checkReduction(op: string, r: string): void {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  }
}

/**
 * Reduces per-position losses. PyTorch's 'mean' divides by the summed class weight of the
 * non-ignored targets (their count when unweighted), not by the number of positions; with every
 * target ignored that is 0/0 = NaN, as in torch 1.13. `backward` receives, per position, the
 * gradient of the reduced output with respect to that position's loss.
 */
function reduce<K extends LossOpName>(
  op: K,
  losses: Float64Array,
  L: ClassLayout,
  reduction: Reduction,
  inputs: Tensor[],
  backward: (gradPerPosition: Float64Array) => (Float32Array | null)[],
  attrs: OpAttrs[K],
): Tensor {
  const n = losses.length;
  if (reduction === 'none') {
    return Tensor.fromOp(
      op,
      Float32Array.from(losses),
      L.positionsShape,
      inputs,
      (g) => backward(Float64Array.from(g)),
      attrs,
    );
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += losses[i]!;
  let denom = 1;
  if (reduction === 'mean') {
    denom = 0;
    for (let i = 0; i < n; i++) if (L.target[i]! >= 0) denom += L.weight[L.target[i]!]!;
  }
  return Tensor.fromOp(
    op,
    new Float32Array([total / denom]),
    [],
    inputs,
    (g) => backward(new Float64Array(n).fill(g[0]! / denom)),
    attrs,
  );
}

/** Flat offset in the [N, C, S] input of class `c` at position `pos` = n·S + s. */
function offset(L: ClassLayout, pos: number, c: number): number {
  const nIdx = Math.floor(pos / L.spatial);
  const s = pos % L.spatial;
  return (nIdx * L.classes + c) * L.spatial + s;
}

/**
 * PyTorch's `F.nll_loss`: the negated input at each target class, times that class's weight.
 * `logProbs` is [N, C, d1, ...] (or [C]), `target` holds class indices of shape [N, d1, ...].
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  const reduction = opts.reduction ?? 'mean';
  checkReduction(op, reduction);
  const L = classLayout(op, logProbs, target, opts);
  const positions = L.target.length;
  const losses = new Float64Array(positions);
  for (let i = 0; i < positions; i++) {
    const t = L.target[i]!;
    if (t >= 0) losses[i] = -L.weight[t]! * logProbs.data[offset(L, i, t)]!;
  }
  const inputs = opts.weight ? [logProbs, target, opts.weight] : [logProbs, target];
  return reduce(
    op,
    losses,
    L,
    reduction,
    inputs,
    (gp) => {
      if (!logProbs.requiresGrad) return inputs.map(() => null);
      const gx = new Float32Array(logProbs.size);
      for (let i = 0; i < positions; i++) {
        const t = L.target[i]!;
        if (t >= 0) gx[offset(L, i, t)] = -L.weight[t]! * gp[i]!;
      }
      return [gx, ...inputs.slice(1).map(() => null)];
    },
    { reduction, ignoreIndex: opts.ignoreIndex ?? -100 },
  );
}

/**
 * PyTorch 1.13's `F.cross_entropy` with class-index targets: log-softmax over dim 1, then
 * (1 - ε)·nll + (ε/C)·smooth, where smooth = -Σ_c w_c·log p_c over all classes, zeroed at
 * ignored positions, and (for 'mean') divided by the same weight total as the nll term.
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = opts.reduction ?? 'mean';
  checkReduction(op, reduction);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const L = classLayout(op, logits, target, opts);
  const C = L.classes;
  const positions = L.target.length;
  const w = L.weight;
  let wSum = 0;
  for (let c = 0; c < C; c++) wSum += w[c]!;
  // Softmax probabilities per position, kept for the backward pass.
  const prob = new Float64Array(logits.size);
  const losses = new Float64Array(positions);
  const x = logits.data;
  for (let i = 0; i < positions; i++) {
    const t = L.target[i]!;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, x[offset(L, i, c)]!);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(x[offset(L, i, c)]! - mx);
    const logZ = mx + Math.log(z);
    let smooth = 0;
    for (let c = 0; c < C; c++) {
      const o = offset(L, i, c);
      const logp = x[o]! - logZ;
      prob[o] = Math.exp(logp);
      smooth -= w[c]! * logp;
    }
    if (t >= 0) losses[i] = (1 - eps) * -w[t]! * (x[offset(L, i, t)]! - logZ) + (eps / C) * smooth;
  }
  const inputs = opts.weight ? [logits, target, opts.weight] : [logits, target];
  return reduce(
    op,
    losses,
    L,
    reduction,
    inputs,
    (gp) => {
      if (!logits.requiresGrad) return inputs.map(() => null);
      const gx = new Float32Array(logits.size);
      for (let i = 0; i < positions; i++) {
        const t = L.target[i]!;
        if (t < 0) continue;
        // d/dz_c of (1-ε)·w_t·(-log p_t) + (ε/C)·Σ_k w_k·(-log p_k).
        for (let c = 0; c < C; c++) {
          const o = offset(L, i, c);
          const p = prob[o]!;
          const nll = (1 - eps) * w[t]! * (p - (c === t ? 1 : 0));
          const smooth = (eps / C) * (p * wSum - w[c]!);
          gx[o] = gp[i]! * (nll + smooth);
        }
      }
      return [gx, ...inputs.slice(1).map(() => null)];
    },
    { reduction, ignoreIndex: opts.ignoreIndex ?? -100, labelSmoothing: eps },
  );
}

export interface MseLossOptions {
  reduction?: Reduction;
}

/** Mean squared error between same-shaped `input` and `target`; both may require grad. */
export function mseLoss(input: Tensor, target: Tensor, opts: MseLossOptions = {}): Tensor {
  const op = 'mseLoss';
  const reduction = opts.reduction ?? 'mean';
  checkReduction(op, reduction);
  if (!shapeEquals(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: target shape ${formatShape(target.shape)} must equal input shape ${formatShape(input.shape)}`,
    );
  }
  const n = input.size;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = input.data[i]! - target.data[i]!;
  const grads = (scaleAt: (i: number) => number): (Float32Array | null)[] => {
    const gi = new Float32Array(n);
    for (let i = 0; i < n; i++) gi[i] = 2 * diff[i]! * scaleAt(i);
    const gt = target.requiresGrad ? gi.map((v) => -v) : null;
    return [input.requiresGrad ? gi : null, gt];
  };
  if (reduction === 'none') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = diff[i]! * diff[i]!;
    return Tensor.fromOp(op, out, input.shape, [input, target], (g) => grads((i) => g[i]!), { reduction });
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += diff[i]! * diff[i]!;
  const denom = reduction === 'mean' ? n : 1;
  return Tensor.fromOp(op, new Float32Array([total / denom]), [], [input, target], (g) => grads(() => g[0]! / denom), {
    reduction,
  });
}
