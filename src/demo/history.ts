/** Reading `train`'s per-epoch results: report points, the last evaluation, mean epoch time. */
import type { EpochResult } from '../nn/index.js';
import type { EpochPoint } from './types.js';

export function points(history: readonly EpochResult[], phase: EpochPoint['phase'], offset: number): EpochPoint[] {
  return history.map((h, i) => ({
    phase,
    epoch: offset + i + 1,
    trainLoss: h.trainLoss,
    testLoss: h.testLoss ?? Number.NaN,
    testAccuracy: h.testAccuracy ?? Number.NaN,
    seconds: h.seconds,
  }));
}

/** The test loss and accuracy `train` measured after its last epoch (saves a pass over the test set). */
export function lastEval(history: readonly EpochResult[]): { loss: number; accuracy: number } | null {
  const last = history.at(-1);
  return last?.testLoss === undefined || last.testAccuracy === undefined
    ? null
    : { loss: last.testLoss, accuracy: last.testAccuracy };
}

export function meanSeconds(history: readonly EpochResult[]): number {
  return history.length === 0 ? 0 : history.reduce((s, h) => s + h.seconds, 0) / history.length;
}
