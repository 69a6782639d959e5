import { MT19937, ValueError, defaultGenerator } from '../../tensor/index.js';
import { type Batch, type ExampleDataset, stackExamples } from './dataset.js';
import { randomPermutation } from './shuffle.js';

export interface DataLoaderOptions {
  /** Examples per batch (default 1, as in PyTorch). */
  batchSize?: number;
  /** Visit the examples in a new random order each epoch (default false: index order). */
  shuffle?: boolean;
  /** Drop the last batch when it would be smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /**
   * Seed of the shuffling generator; epoch e's order is then a pure function of (seed, e).
   * Without seed or generator, a seed is drawn once from the global generator (`manualSeed`).
   */
  seed?: number;
  /**
   * A generator to draw each epoch's order from instead of a seed. Orders then depend on
   * everything else drawn from it, so `setEpoch` and `epochOrder` are unavailable.
   */
  generator?: MT19937;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(`DataLoader: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Iterates a dataset in batches `{x, y}` stacked along a new first axis (`torch.utils.data.DataLoader`,
 * single process). Each `for (const batch of loader)` is one epoch.
 *
 * How the order is derived when shuffling with a seed: epoch e (counted from 0) visits the
 * examples in the (e+1)-th permutation drawn from `new MT19937(seed)` by `randomPermutation` —
 * the same as NumPy's `rs = np.random.RandomState(seed)` followed by e+1 calls of
 * `rs.permutation(n)`. The same seed gives the same sequence of epochs; each epoch differs from
 * the last; and any epoch can be replayed on its own with `setEpoch(e)` (to resume a run).
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: ExampleDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The seed that defines every epoch's order, or null when orders come from a shared generator. */
  readonly seed: number | null;
  private readonly generator: MT19937 | null;
  private nextEpoch = 0;
  /** A generator that has already drawn `drawn` permutations from `seed`, kept so epochs run in O(n). */
  private replay: { g: MT19937; drawn: number; last: Int32Array } | null = null;

  constructor(dataset: ExampleDataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = positiveInt(options.batchSize ?? 1, 'batchSize');
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    if (options.seed !== undefined && options.generator !== undefined) {
      throw new ValueError('DataLoader: pass either seed or generator, not both');
    }
    this.generator = options.generator ?? null;
    if (options.seed !== undefined) {
      if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
        throw new ValueError(`DataLoader: seed must be an integer in [0, 2^32 - 1], got ${options.seed}`);
      }
      this.seed = options.seed;
    } else {
      // Draw only when the seed will be used, so an unshuffled loader leaves the global stream alone.
      this.seed = this.generator === null && this.shuffle ? defaultGenerator().nextUint32() : null;
    }
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch the next iteration will run (0 for a fresh loader). */
  get epoch(): number {
    return this.nextEpoch;
  }

  /** Makes the next iteration run epoch `epoch`, e.g. to resume a run with the same orders. */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new ValueError(`DataLoader.setEpoch: epoch must be a non-negative integer, got ${epoch}`);
    if (this.generator !== null)
      throw new ValueError(
        'DataLoader.setEpoch: needs a loader built with a seed; one built with a generator cannot replay epochs',
      );
    this.nextEpoch = epoch;
  }

  /** The order in which epoch `epoch` visits the dataset's indices. */
  epochOrder(epoch: number): Int32Array {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new ValueError(`DataLoader.epochOrder: epoch must be a non-negative integer, got ${epoch}`);
    const n = this.dataset.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    if (this.seed === null)
      throw new ValueError(
        'DataLoader.epochOrder: needs a loader built with a seed; one built with a generator cannot replay epochs',
      );
    if (this.replay !== null && this.replay.drawn === epoch + 1) return this.replay.last.slice();
    if (this.replay === null || this.replay.drawn > epoch)
      this.replay = { g: new MT19937(this.seed), drawn: 0, last: new Int32Array(0) };
    while (this.replay.drawn <= epoch) {
      this.replay.last = randomPermutation(n, this.replay.g);
      this.replay.drawn++;
    }
    return this.replay.last.slice();
  }

  /** Starts the next epoch: its order is fixed now, even if the batches are taken later. */
  [Symbol.iterator](): Iterator<Batch> {
    const order =
      this.shuffle && this.generator !== null
        ? randomPermutation(this.dataset.length, this.generator)
        : this.epochOrder(this.nextEpoch);
    this.nextEpoch++;
    return this.batches(order);
  }

  private *batches(order: Int32Array): Generator<Batch> {
    const b = this.batchSize;
    const count = this.length;
    for (let k = 0; k < count; k++) {
      const indices = order.subarray(k * b, Math.min((k + 1) * b, order.length));
      yield this.dataset.getItems ? this.dataset.getItems(indices) : stackExamples(this.dataset, indices);
    }
  }
}
