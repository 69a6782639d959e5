import { performance } from 'node:perf_hooks';
import { isDigitsTestIndex, loadDigits } from '../../nn/data/digits.js';
import { MT19937, Tensor, argmax, crossEntropy, linear, noGrad, relu, setBackend } from '../../tensor/index.js';
import type { Command } from '../command.js';
import { intOption, numberOption } from '../util/options.js';

/** Kaiming-uniform-like init from the seeded generator: U(-1/√fanIn, 1/√fanIn). */
function param(rows: number, cols: number, g: MT19937): Tensor {
  const bound = 1 / Math.sqrt(cols);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = (2 * g.nextDouble() - 1) * bound;
  return new Tensor(data, cols === 1 ? [rows] : [rows, cols], true);
}

function rowsOf(images: Float32Array, labels: Int32Array, idx: number[]): { x: Tensor; y: Tensor } {
  const x = new Float32Array(idx.length * 64);
  const y = new Float32Array(idx.length);
  idx.forEach((r, i) => {
    x.set(images.subarray(r * 64, r * 64 + 64), i * 64);
    y[i] = labels[r]!;
  });
  return { x: new Tensor(x, [idx.length, 64]), y: new Tensor(y, [idx.length]) };
}

/**
 * A small end-to-end run of the tensor core: a 64→hidden→10 MLP trained with plain SGD on the
 * embedded digits, through the autograd engine and the active kernel backend.
 */
export const exampleCommand: Command = {
  name: 'example',
  summary: 'train a small MLP on the embedded digits with the tensor core (end-to-end check)',
  help: [
    'Usage: sparse24 example [options]',
    '',
    'Trains a 64→hidden→10 MLP with SGD on the embedded UCI digits (1,438 train / 359 test images)',
    'and reports the test accuracy — an end-to-end run of tensors, autograd and kernels.',
    '',
    'Options:',
    '  --epochs N        training epochs (default 30)',
    '  --hidden N        hidden units (default 64)',
    '  --lr X            learning rate (default 0.1)',
    '  --batch-size N    minibatch size (default 32)',
    '  --seed N          random seed (default 0)',
    '  --backend NAME    reference | fast | gpu (default: $SPARSE24_BACKEND or reference)',
    '  --json            print one JSON object instead of log lines',
  ].join('\n'),
  options: {
    epochs: { type: 'string' },
    hidden: { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    const epochs = intOption(v['epochs'], 'epochs', 30, 1);
    const hidden = intOption(v['hidden'], 'hidden', 64, 1);
    const batchSize = intOption(v['batch-size'], 'batch-size', 32, 1);
    const seed = intOption(v['seed'], 'seed', 0, 0);
    const lr = numberOption(v['lr'], 'lr', 0.1);
    const json = v['json'] === true;
    if (typeof v['backend'] === 'string') setBackend(v['backend']);
    const started = performance.now();

    const data = loadDigits();
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < data.count; i++) (isDigitsTestIndex(i) ? testIdx : trainIdx).push(i);
    const test = rowsOf(data.images, data.labels, testIdx);

    const g = new MT19937(seed);
    const params = [param(hidden, 64, g), param(hidden, 1, g), param(10, hidden, g), param(10, 1, g)];
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const forward = (x: Tensor): Tensor => linear(relu(linear(x, w1, b1)), w2, b2);

    let lastLoss = NaN;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      // Fisher–Yates with the seeded generator: the same seed gives the same run.
      const order = trainIdx.slice();
      for (let i = order.length - 1; i > 0; i--) {
        const j = g.nextInt(0, i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let total = 0;
      for (let s = 0; s < order.length; s += batchSize) {
        const batch = rowsOf(data.images, data.labels, order.slice(s, s + batchSize));
        const loss = crossEntropy(forward(batch.x), batch.y);
        for (const p of params) p.grad = null;
        loss.backward();
        for (const p of params) {
          const grad = p.grad!.data;
          for (let i = 0; i < p.data.length; i++) p.data[i]! -= lr * grad[i]!;
          p.markModified();
        }
        total += loss.item() * batch.y.size;
      }
      lastLoss = total / order.length;
      if (!json) io.err(`epoch ${epoch}/${epochs}: train loss ${lastLoss.toFixed(4)}`);
    }
    const predicted = noGrad(() => argmax(forward(test.x), 1));
    let correct = 0;
    for (let i = 0; i < test.y.size; i++) if (predicted.data[i] === test.y.data[i]) correct++;
    const accuracy = correct / test.y.size;
    const seconds = (performance.now() - started) / 1000;
    if (json) io.out(JSON.stringify({ dataset: 'digits', epochs, hidden, trainLoss: lastLoss, accuracy, seconds }));
    else
      io.out(
        `digits MLP 64→${hidden}→10: test accuracy ${(accuracy * 100).toFixed(1)}% (${correct}/${test.y.size}) after ${epochs} epochs in ${seconds.toFixed(1)} s`,
      );
    return 0;
  },
};
