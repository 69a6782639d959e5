/** Per model and dataset: epochs, batch size, learning rates (and a training budget) the demo uses. */
import type { DemoDataset, DemoModel } from './types.js';

export interface Recipe {
  readonly epochs: number;
  readonly finetuneEpochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly finetuneLr: number;
  /** Training images used when --train-limit is not given (undefined: all). */
  readonly trainLimit?: number;
}

/** The CNN's reach the README's accuracy figures; the ViT's keep its comparison within minutes on two cores. */
export const RECIPES: Readonly<Record<DemoModel, Readonly<Record<DemoDataset, Recipe>>>> = {
  cnn: {
    digits: { epochs: 4, finetuneEpochs: 3, batchSize: 16, lr: 0.01, finetuneLr: 0.002 },
    'fashion-mnist': { epochs: 3, finetuneEpochs: 1, batchSize: 32, lr: 0.004, finetuneLr: 0.001 },
  },
  vit: {
    digits: { epochs: 6, finetuneEpochs: 1, batchSize: 32, lr: 0.005, finetuneLr: 0.001 },
    'fashion-mnist': { epochs: 4, finetuneEpochs: 1, batchSize: 32, lr: 0.004, finetuneLr: 0.001, trainLimit: 3000 },
  },
};
