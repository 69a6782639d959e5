/** The demo's datasets: the embedded digits (default) or Fashion-MNIST from IDX files. */
import { type TensorDataset, Subset, digitsDataset, digitsStats, fashionMnist } from '../nn/data/index.js';
import type { ExampleDataset } from '../nn/data/index.js';
import { ValueError } from '../tensor/index.js';
import type { DemoDataset } from './types.js';

/** How raw pixels became model input: x = (pixel − subtract) / divide. A deployment must do the same. */
export interface InputNormalization {
  readonly subtract: number;
  readonly divide: number;
  /** What a raw pixel is: 'digits pixel 0–16' or 'byte 0–255'. */
  readonly pixel: string;
}

export interface DemoData {
  train: ExampleDataset;
  test: TensorDataset;
  /** Side of the square images: 8 (digits) or 28 (Fashion-MNIST). */
  imageSize: number;
  normalization: InputNormalization;
}

/** Loads train and test splits as [n, 1, s, s] images; `trainLimit` keeps the first N training examples. */
export async function loadDemoData(
  dataset: DemoDataset,
  dataDir: string | undefined,
  trainLimit?: number,
): Promise<DemoData> {
  if (trainLimit !== undefined && (!Number.isInteger(trainLimit) || trainLimit < 1)) {
    throw new ValueError(`demo: trainLimit must be a positive integer, got ${trainLimit}`);
  }
  if (dataset === 'digits') {
    const train = digitsDataset({ split: 'train', layout: 'image', normalize: true });
    const limited =
      trainLimit === undefined || trainLimit >= train.length
        ? train
        : new Subset(
            train,
            Array.from({ length: trainLimit }, (_, i) => i),
          );
    const { mean, std } = digitsStats();
    return {
      train: limited,
      test: digitsDataset({ split: 'test', layout: 'image', normalize: true }),
      imageSize: 8,
      // The dataset divides pixels by 16 before standardising: in raw pixels that is (v − 16·mean) / (16·std).
      normalization: { subtract: 16 * mean, divide: 16 * std, pixel: 'digits pixel 0–16' },
    };
  }
  if (dataset === 'fashion-mnist') {
    const dir = dataDir === undefined ? {} : { dir: dataDir };
    const [train, test] = await Promise.all([
      fashionMnist({ ...dir, split: 'train', ...(trainLimit === undefined ? {} : { limit: trainLimit }) }),
      fashionMnist({ ...dir, split: 'test' }),
    ]);
    // fashionMnist scales bytes to [0, 1].
    return { train, test, imageSize: 28, normalization: { subtract: 0, divide: 255, pixel: 'byte 0–255' } };
  }
  throw new ValueError(`demo: dataset must be 'digits' or 'fashion-mnist', got '${String(dataset)}'`);
}
