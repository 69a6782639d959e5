/** Dense vs compressed model: output agreement and forward time on the same batch. */
import type { TensorModule } from '../nn/index.js';
import { type Tensor, ValueError, noGrad } from '../tensor/index.js';

/** Largest |a − b| over the outputs of two models on the same inputs (both in eval mode). */
export function maxAbsDiff(a: TensorModule, b: TensorModule, batches: Iterable<Tensor>): number {
  let worst = 0;
  noGrad(() => {
    for (const x of batches) {
      const ya = a.call(x).data;
      const yb = b.call(x).data;
      if (ya.length !== yb.length) throw new ValueError(`maxAbsDiff: the models give ${ya.length} and ${yb.length} outputs for the same batch`);
      for (let i = 0; i < ya.length; i++) {
        const d = Math.abs(ya[i]! - yb[i]!);
        // NaN must not hide behind a max: it is the worst possible disagreement.
        worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
      }
    }
  });
  return worst;
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
export function forwardTimes(models: readonly TensorModule[], x: Tensor, runs: number, now: () => number = () => performance.now()): number[] {
  if (!Number.isInteger(runs) || runs < 1) throw new ValueError(`forwardTimes: runs must be a positive integer, got ${runs}`);
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
