/** Dense vs compressed model: output agreement and forward time on the same batch. */
import type { Batch } from '../nn/data/index.js';
import { type TensorModule, countCorrect } from '../nn/index.js';
import { type Tensor, ValueError, noGrad } from '../tensor/index.js';

/**
 * One pass over `batches` with both models (eval mode): the largest |a − b| over their outputs,
 * and the accuracy of `b`'s class scores against the labels.
 */
export function compareModels(
  a: TensorModule,
  b: TensorModule,
  batches: Iterable<Batch>,
): { maxAbsDiff: number; accuracy: number } {
  let worst = 0;
  let correct = 0;
  let count = 0;
  noGrad(() => {
    for (const { x, y } of batches) {
      const ya = a.call(x);
      const yb = b.call(x);
      if (ya.size !== yb.size)
        throw new ValueError(`compareModels: the models give ${ya.size} and ${yb.size} outputs for the same batch`);
      for (let i = 0; i < ya.size; i++) {
        const d = Math.abs(ya.data[i]! - yb.data[i]!);
        // NaN must not hide behind a max: it is the worst possible disagreement.
        worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
      }
      correct += countCorrect(yb, y);
      count += y.shape[0]!;
    }
  });
  return { maxAbsDiff: worst, accuracy: count === 0 ? Number.NaN : correct / count };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new ValueError('median: no values');
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Median forward time in ms of each model on `x`, after one untimed warm-up each (kernel
 * compilation, caches). Runs alternate between the models so a load change on a shared machine
 * hits both alike.
 */
export function forwardTimes(
  models: readonly TensorModule[],
  x: Tensor,
  runs: number,
  now: () => number = () => performance.now(),
): number[] {
  if (!Number.isInteger(runs) || runs < 1)
    throw new ValueError(`forwardTimes: runs must be a positive integer, got ${runs}`);
  const samples = models.map((): number[] => []);
  noGrad(() => {
    for (const m of models) m.call(x);
    for (let r = 0; r < runs; r++) {
      models.forEach((m, i) => {
        const t0 = now();
        m.call(x);
        samples[i]!.push(now() - t0);
      });
    }
  });
  return samples.map(median);
}
