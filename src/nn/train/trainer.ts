import { ValueError } from '../../tensor/index.js';
import type { Batch } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import type { LRScheduler } from '../optim/lr_scheduler.js';
import type { BaseHyper, Optimizer } from '../optim/optimizer.js';
import type { TensorModule } from '../layers/container.js';
import { type LossFn, applyLoss, countCorrect, defaultLoss, evaluate } from './metrics.js';
import { type ProgressOptions, Progress } from './progress.js';

/** A source of training batches; `length` (batches per epoch) feeds the progress bar when present. */
export type BatchSource = Iterable<Batch> & { readonly length?: number };

/** What `onStep` sees, after the optimizer (and a per-batch scheduler) stepped. */
export interface StepContext {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** 0-based step counted over the whole run (from `startEpoch`). */
  globalStep: number;
  /** This batch's loss. */
  loss: number;
  batch: Batch;
  model: TensorModule;
  optimizer: Optimizer<BaseHyper>;
}

/** One epoch of the history. */
export interface EpochResult {
  /** 0-based. */
  epoch: number;
  /** Mean training loss over the epoch's examples (batches weighted by size), measured during training. */
  trainLoss: number;
  /** Training accuracy measured during the epoch (NaN when outputs are not [N, C] class scores). */
  trainAccuracy: number;
  /** Loss and accuracy on `testLoader` after the epoch (absent without one). */
  testLoss?: number;
  testAccuracy?: number;
  /** Wall time of the epoch, evaluation included. */
  seconds: number;
  /** The first group's lr at the end of the epoch. */
  lr: number;
}

export interface EpochContext {
  epoch: number;
  result: EpochResult;
  history: readonly EpochResult[];
  model: TensorModule;
  optimizer: Optimizer<BaseHyper>;
}

export interface TrainOptions {
  model: TensorModule;
  trainLoader: BatchSource;
  /** Evaluated after every epoch (loss and accuracy). */
  testLoader?: Iterable<Batch>;
  optimizer: Optimizer<BaseHyper>;
  /** Default cross-entropy; it should return the batch mean. */
  loss?: LossFn;
  /** Train until this epoch count is reached (epochs `startEpoch` .. `epochs - 1`). */
  epochs: number;
  /** First epoch to run (default 0); set it to the saved epoch + 1 to resume from a checkpoint. */
  startEpoch?: number;
  scheduler?: LRScheduler;
  /** When the scheduler steps: after every batch or after every epoch (default 'epoch'). */
  schedulerStep?: 'batch' | 'epoch';
  /** After every optimizer step (ASP's sparse fine-tuning hooks in here). */
  onStep?: (ctx: StepContext) => void;
  /** After every epoch's evaluation; returning `false` ends training early. */
  onEpoch?: (ctx: EpochContext) => void | boolean;
  /** No progress output (same as `progress.quiet`). */
  quiet?: boolean;
  progress?: ProgressOptions;
}

function checkEpochs(epochs: number, startEpoch: number): void {
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new ValueError(`train: epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch > epochs) {
    throw new ValueError(`train: startEpoch must be an integer in [0, epochs = ${epochs}], got ${startEpoch}`);
  }
}

/**
 * A plain supervised training loop: per batch zero the gradients, forward, loss, backward,
 * optimizer step (and scheduler step if per batch), then `onStep`; per epoch evaluate
 * `testLoader`, step a per-epoch scheduler, report, `onEpoch`. Returns the per-epoch history.
 *
 * Reproducibility: with `manualSeed(s)` before the model is built and a `DataLoader` built with a
 * `seed`, a run is bit-for-bit repeatable. A seeded (or unshuffled) DataLoader is told which
 * epoch it is running (`setEpoch`), so a run resumed at `startEpoch` sees the same batches as an
 * uninterrupted one. Randomness drawn inside the model (dropout) comes from the global generator,
 * whose state a checkpoint does not hold.
 */
export function train(options: TrainOptions): EpochResult[] {
  const { model, trainLoader, testLoader, optimizer, scheduler, onStep, onEpoch } = options;
  const lossFn = options.loss ?? defaultLoss;
  const startEpoch = options.startEpoch ?? 0;
  const schedulerStep = options.schedulerStep ?? 'epoch';
  checkEpochs(options.epochs, startEpoch);
  if (schedulerStep !== 'batch' && schedulerStep !== 'epoch') {
    throw new ValueError(`train: schedulerStep must be 'batch' or 'epoch', got '${String(schedulerStep)}'`);
  }
  const progress = new Progress({
    ...options.progress,
    quiet: options.quiet === true || options.progress?.quiet === true,
  });
  const history: EpochResult[] = [];
  let globalStep = 0;

  for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
    const t0 = performance.now();
    if (trainLoader instanceof DataLoader && (trainLoader.seed !== null || !trainLoader.shuffle))
      trainLoader.setEpoch(epoch);
    const steps = trainLoader.length ?? 0;
    progress.startEpoch(epoch, options.epochs, steps);
    model.train();
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    let classification = true;
    let step = 0;
    for (const batch of trainLoader) {
      optimizer.zeroGrad();
      const out = model.call(batch.x);
      const lossT = applyLoss(lossFn, out, batch.y);
      lossT.backward();
      optimizer.step();
      if (scheduler !== undefined && schedulerStep === 'batch') scheduler.step();
      const loss = lossT.item();
      const b = batch.x.shape[0] ?? 1;
      lossSum += loss * b;
      count += b;
      classification &&= out.ndim === 2 && batch.y.ndim === 1;
      if (classification) correct += countCorrect(out, batch.y);
      onStep?.({ epoch, step, globalStep, loss, batch, model, optimizer });
      step++;
      globalStep++;
      progress.update(step, lossSum / count);
    }
    if (scheduler !== undefined && schedulerStep === 'epoch') scheduler.step();
    const test = testLoader === undefined ? undefined : evaluate(model, testLoader, { loss: lossFn });
    const result: EpochResult = {
      epoch,
      trainLoss: count === 0 ? Number.NaN : lossSum / count,
      trainAccuracy: classification && count > 0 ? correct / count : Number.NaN,
      ...(test === undefined ? {} : { testLoss: test.loss, testAccuracy: test.accuracy }),
      seconds: (performance.now() - t0) / 1000,
      lr: optimizer.paramGroups[0]!.lr,
    };
    history.push(result);
    progress.endEpoch({ ...result, epochs: options.epochs });
    if (onEpoch?.({ epoch, result, history, model, optimizer }) === false) break;
  }
  return history;
}
