// The five-minute tour: train, prune to 2:4 with channel permutation, fine-tune, save, compress.
import {
  ASP,
  Adam,
  Conv2d,
  DataLoader,
  Flatten,
  Linear,
  ReLU,
  Sequential,
  digitsDataset,
  evaluate,
  exportCompressed,
  manualSeed,
  saveCheckpoint,
  setBackend,
  toSparseInference,
  train,
} from 'sparse24';

manualSeed(0);
setBackend('wasm'); // WebAssembly SIMD on every core; 'fast' is plain JS, 'reference' the oracle, 'gpu' runs gpu.js
const trainData = new DataLoader(digitsDataset({ split: 'train', layout: 'image' }), {
  batchSize: 32,
  shuffle: true,
  seed: 0,
});
const testData = new DataLoader(digitsDataset({ split: 'test', layout: 'image' }), { batchSize: 128 });

// A CNN whose pruned layers have input channels in multiples of 16.
const model = new Sequential(
  new Conv2d(1, 16, 3, { padding: 1 }),
  new ReLU(),
  new Conv2d(16, 32, 3, { padding: 1 }),
  new ReLU(),
  new Flatten(),
  new Linear(32 * 8 * 8, 10),
);
const optimizer = new Adam(model.parameters(), { lr: 0.002 });
train({ model, trainLoader: trainData, testLoader: testData, optimizer, epochs: 3, quiet: true });
console.log('dense', evaluate(model, testData).accuracy);

// apex's recipe: masks + optimizer hooks, permutation traced on an example input.
const [example] = trainData;
const asp = ASP.initModelForPruning(model, { maskCalculator: 'm4n2_1d', exampleInput: example!.x, verbosity: 0 });
asp.initOptimizerForPruning(optimizer);
asp.computeSparseMasks();
console.log('pruned', evaluate(model, testData).accuracy);

train({ model, trainLoader: trainData, testLoader: testData, optimizer, epochs: 2, quiet: true });
console.log('fine-tuned', evaluate(model, testData).accuracy);

// Checkpoint with apex's key names (conv.__weight_mma_mask), then compressed 2:4 inference.
await saveCheckpoint('tour.safetensors', model, { optimizer });
const sparse = toSparseInference(model);
console.log('compressed', evaluate(sparse, testData).accuracy);
await exportCompressed(model, 'tour.cutlass24.safetensors', { format: 'cutlass-24' });
