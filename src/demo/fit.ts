/** The demo's training runs: Adam under a per-batch cosine schedule, evaluated after every epoch. */
import type { DataLoader } from '../nn/data/index.js';
import {
  type BaseHyper,
  CosineAnnealingLR,
  type EpochResult,
  type Optimizer,
  type ProgressStream,
  type TensorModule,
  train,
} from '../nn/index.js';

export interface FitSetup {
  readonly trainLoader: DataLoader;
  readonly testLoader: DataLoader;
  /** Where training bars go; none: silent. */
  readonly stream?: ProgressStream | undefined;
}

/** `onEpoch` runs after each epoch's evaluation (e.g. to log a per-epoch metric). */
export function fit(
  model: TensorModule,
  optimizer: Optimizer<BaseHyper>,
  s: FitSetup,
  epochs: number,
  onEpoch?: (epoch: number) => void,
): EpochResult[] {
  const progress = s.stream === undefined ? { quiet: true } : { progress: { stream: s.stream } };
  return train({
    model,
    optimizer,
    trainLoader: s.trainLoader,
    testLoader: s.testLoader,
    epochs,
    ...progress,
    scheduler: new CosineAnnealingLR(optimizer, Math.max(1, epochs * s.trainLoader.length)),
    schedulerStep: 'batch',
    ...(onEpoch === undefined ? {} : { onEpoch: (ctx: { epoch: number }) => void onEpoch(ctx.epoch) }),
  });
}
