import { type Tensor, ShapeError, crossEntropy, formatShape, noGrad } from '../../tensor/index.js';
import type { Batch } from '../data/dataset.js';
import type { TensorModule } from '../layers/container.js';
import type { Module } from '../module.js';

/** A loss: a function `(output, target) => scalar` or a loss module (`CrossEntropyLoss`, ...). */
export type LossFn = ((output: Tensor, target: Tensor) => Tensor) | Module<[Tensor, Tensor], Tensor>;

/** Calls a loss function or loss module; modules go through `call` so their outputs are tagged. */
export function applyLoss(loss: LossFn, output: Tensor, target: Tensor): Tensor {
  return typeof loss === 'function' ? loss(output, target) : loss.call(output, target);
}

/** The default loss for classification, PyTorch's `F.cross_entropy` (mean over the batch). */
export const defaultLoss: LossFn = (output, target) => crossEntropy(output, target);

/**
 * How many rows of `logits` [N, C] have their largest entry at the class in `target` [N]. Ties go
 * to the lowest class index, as `torch.argmax` does.
 */
export function countCorrect(logits: Tensor, target: Tensor): number {
  if (logits.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== logits.shape[0]) {
    throw new ShapeError(
      `countCorrect: expected logits [N, C] and targets [N], got ${formatShape(logits.shape)} and ${formatShape(target.shape)}`,
    );
  }
  const [n, c] = logits.shape as [number, number];
  const x = logits.data;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (x[i * c + j]! > x[i * c + best]!) best = j;
    if (best === target.data[i]) correct++;
  }
  return correct;
}

/** Mean loss and accuracy over a data set. */
export interface EvalResult {
  /** Mean of the per-batch losses weighted by batch size (the per-example mean for a mean-reduced loss). */
  loss: number;
  /** Fraction of examples classified correctly, in [0, 1]. */
  accuracy: number;
}

export interface EvaluateOptions {
  /** The loss to report (default cross-entropy). */
  loss?: LossFn;
}

/**
 * Runs `model` over every batch of `loader` in eval mode without recording gradients, and restores
 * every module's previous training mode afterwards (even if a batch throws).
 */
export function evaluate(model: TensorModule, loader: Iterable<Batch>, options: EvaluateOptions = {}): EvalResult {
  const lossFn = options.loss ?? defaultLoss;
  // Per module, so a submodule deliberately kept in eval mode (a frozen batch norm) stays so.
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0;
      let correct = 0;
      let count = 0;
      for (const { x, y } of loader) {
        const out = model.call(x);
        const b = x.shape[0] ?? 1;
        lossSum += applyLoss(lossFn, out, y).item() * b;
        correct += countCorrect(out, y);
        count += b;
      }
      return count === 0
        ? { loss: Number.NaN, accuracy: Number.NaN }
        : { loss: lossSum / count, accuracy: correct / count };
    });
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
}
