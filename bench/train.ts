/**
 * Trains a small CNN with the library's training loop and prints test accuracy and seconds per
 * epoch. Not a test: timings depend on the machine and on whatever else uses its CPUs.
 *
 *   npx tsx bench/train.ts [--dataset digits|fashion-mnist] [--epochs N] [--limit N] [--batch N] [--seed N]
 *
 * `--limit` caps the training examples (Fashion-MNIST has 60,000); the test split is always whole.
 */
import { parseArgs } from 'node:util';
import { manualSeed } from '../src/tensor/index.js';
import { Adam, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, train } from '../src/nn/index.js';
import { DataLoader, type TensorDataset, digitsDataset, fashionMnist } from '../src/nn/data/index.js';

/** Two 3×3 conv + relu + 2×2 max-pool stages and a linear classifier, for square one-channel images. */
function smallCnn(side: number, c1: number, c2: number): Sequential {
  const out = Math.floor(Math.floor(side / 2) / 2);
  return new Sequential(
    new Conv2d(1, c1, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c1, c2, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(c2 * out * out, 10),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'digits' },
      epochs: { type: 'string', default: '5' },
      limit: { type: 'string' },
      batch: { type: 'string', default: '32' },
      seed: { type: 'string', default: '0' },
    },
  });
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  let trainSet: TensorDataset;
  let testSet: TensorDataset;
  let side: number;
  if (values.dataset === 'digits') {
    trainSet = digitsDataset({ split: 'train', layout: 'image', normalize: true });
    testSet = digitsDataset({ split: 'test', layout: 'image', normalize: true });
    side = 8;
  } else if (values.dataset === 'fashion-mnist') {
    trainSet = await fashionMnist({ split: 'train', ...(limit !== undefined && { limit }) });
    testSet = await fashionMnist({ split: 'test' });
    side = 28;
  } else {
    throw new Error(`--dataset must be digits or fashion-mnist, got ${values.dataset}`);
  }
  manualSeed(seed);
  const model = smallCnn(side, 8, 16);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const trainLoader = new DataLoader(trainSet, { batchSize: Number(values.batch), shuffle: true, seed });
  const testLoader = new DataLoader(testSet, { batchSize: 500 });
  console.log(
    `${values.dataset}: ${trainSet.length} train / ${testSet.length} test examples, ${epochs} epochs, node ${process.version}`,
  );
  const history = train({ model, trainLoader, testLoader, optimizer, epochs });
  for (const e of history) {
    console.log(
      `epoch ${e.epoch + 1}: test accuracy ${((e.testAccuracy ?? NaN) * 100).toFixed(2)}%  ${e.seconds.toFixed(2)} s`,
    );
  }
  const secs = history.map((e) => e.seconds);
  console.log(
    `mean ${(secs.reduce((a, b) => a + b, 0) / secs.length).toFixed(2)} s/epoch; final test accuracy ${((history.at(-1)?.testAccuracy ?? NaN) * 100).toFixed(2)}%`,
  );
}

await main();
