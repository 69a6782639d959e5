import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataLoader,
  type Dataset,
  type Example,
  MT19937,
  Tensor,
  TensorDataset,
  ValueError,
  manualSeed,
  randomPermutation,
} from './imports.js';

/** n examples whose x row is [i, -i] and whose label is i, so a batch tells which indices it holds. */
function indexed(n: number): TensorDataset {
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) [x[2 * i], x[2 * i + 1]] = [i, -i];
  return new TensorDataset(
    new Tensor(x, [n, 2]),
    new Tensor(
      Float32Array.from({ length: n }, (_, i) => i),
      [n],
    ),
  );
}

function epochLabels(loader: DataLoader): number[][] {
  return [...loader].map((b) => [...b.y.data]);
}

describe('randomPermutation (NumPy legacy RandomState.permutation)', () => {
  it('reproduces np.random.seed(0); np.random.permutation(10)', () => {
    expect([...randomPermutation(10, new MT19937(0))]).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  });

  it('reproduces the second permutation(300) of RandomState(12345)', () => {
    const g = new MT19937(12345);
    randomPermutation(300, g);
    const p = randomPermutation(300, g);
    expect([...p.subarray(0, 12)]).toEqual([16, 180, 97, 133, 275, 7, 98, 89, 164, 146, 161, 125]);
    expect([...p.subarray(296)]).toEqual([83, 167, 290, 88]);
  });

  it('handles n = 0 and n = 1 without drawing', () => {
    const g = new MT19937(7);
    expect([...randomPermutation(0, g)]).toEqual([]);
    expect([...randomPermutation(1, g)]).toEqual([0]);
    expect(g.nextUint32()).toBe(new MT19937(7).nextUint32());
  });
});

describe('DataLoader batching', () => {
  it('stacks examples in index order without shuffle; the last batch is short', () => {
    const loader = new DataLoader(indexed(7), { batchSize: 3 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([
      [3, 2],
      [3, 2],
      [1, 2],
    ]);
    expect(batches.map((b) => b.y.shape)).toEqual([[3], [3], [1]]);
    expect([...batches[1]!.x.data]).toEqual([3, -3, 4, -4, 5, -5]);
    expect(epochLabels(loader)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('dropLast drops the short batch and counts only full ones', () => {
    const loader = new DataLoader(indexed(7), { batchSize: 3, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epochLabels(loader)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(new DataLoader(indexed(2), { batchSize: 3, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(indexed(2), { batchSize: 3, dropLast: true })]).toEqual([]);
  });

  it('defaults to batches of one', () => {
    expect(epochLabels(new DataLoader(indexed(3)))).toEqual([[0], [1], [2]]);
  });

  it('stacks through get() for datasets without getItems', () => {
    const plain: Dataset<Example> = {
      length: 3,
      get: (i) => ({
        x: new Tensor(Float32Array.from([i, i, i, i]), [1, 2, 2]),
        y: new Tensor(Float32Array.from([i]), []),
      }),
    };
    const [b0, b1] = [...new DataLoader(plain, { batchSize: 2 })];
    expect(b0!.x.shape).toEqual([2, 1, 2, 2]);
    expect([...b0!.x.data]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect([...b1!.y.data]).toEqual([2]);
  });

  it('rejects bad options, naming the option', () => {
    expect(() => new DataLoader(indexed(3), { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(indexed(3), { batchSize: 2.5 })).toThrow(ValueError);
    expect(() => new DataLoader(indexed(3), { shuffle: true, seed: -1 })).toThrow(
      /seed must be an integer in \[0, 2\^32 - 1\], got -1/,
    );
    expect(() => new DataLoader(indexed(3), { seed: 1, generator: new MT19937(1) })).toThrow(
      /either seed or generator/,
    );
  });
});

describe('DataLoader shuffling', () => {
  it('epoch e follows the (e+1)-th NumPy permutation of RandomState(seed)', () => {
    // np.random.seed(3); np.random.permutation(7) twice: [4 6 5 3 1 0 2], [6 4 1 2 3 5 0]
    const loader = new DataLoader(indexed(7), { batchSize: 7, shuffle: true, seed: 3 });
    expect(epochLabels(loader)).toEqual([[4, 6, 5, 3, 1, 0, 2]]);
    expect(epochLabels(loader)).toEqual([[6, 4, 1, 2, 3, 5, 0]]);
    expect(loader.epoch).toBe(2);
  });

  it('same seed, same epochs; setEpoch replays an epoch on a fresh loader', () => {
    const a = new DataLoader(indexed(20), { batchSize: 6, shuffle: true, seed: 11 });
    const b = new DataLoader(indexed(20), { batchSize: 6, shuffle: true, seed: 11 });
    const epochsA = [epochLabels(a), epochLabels(a), epochLabels(a)];
    expect([epochLabels(b), epochLabels(b), epochLabels(b)]).toEqual(epochsA);
    expect(epochsA[0]).not.toEqual(epochsA[1]);
    const resumed = new DataLoader(indexed(20), { batchSize: 6, shuffle: true, seed: 11 });
    resumed.setEpoch(2);
    expect(epochLabels(resumed)).toEqual(epochsA[2]);
    expect([...resumed.epochOrder(1)]).toEqual(epochsA[1]!.flat());
    expect([...resumed.epochOrder(0)]).toEqual(epochsA[0]!.flat());
  });

  it('a different seed gives a different order', () => {
    const a = new DataLoader(indexed(30), { shuffle: true, seed: 1 });
    const b = new DataLoader(indexed(30), { shuffle: true, seed: 2 });
    expect([...a.epochOrder(0)]).not.toEqual([...b.epochOrder(0)]);
  });

  it('without a seed, draws one from the global generator (manualSeed makes runs repeatable)', () => {
    manualSeed(5);
    const first = epochLabels(new DataLoader(indexed(12), { batchSize: 12, shuffle: true }));
    manualSeed(5);
    const again = new DataLoader(indexed(12), { batchSize: 12, shuffle: true });
    expect(epochLabels(again)).toEqual(first);
    expect(again.seed).not.toBeNull();
  });

  it('with a generator, each epoch draws the next permutation from it and replay is refused', () => {
    const loader = new DataLoader(indexed(7), { batchSize: 7, shuffle: true, generator: new MT19937(3) });
    expect(epochLabels(loader)).toEqual([[4, 6, 5, 3, 1, 0, 2]]);
    expect(epochLabels(loader)).toEqual([[6, 4, 1, 2, 3, 5, 0]]);
    expect(() => loader.setEpoch(0)).toThrow(/needs a loader built with a seed/);
    expect(() => loader.epochOrder(0)).toThrow(ValueError);
  });

  it("visits every index exactly once per epoch (dropLast: only the epoch order's full batches)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (n, batchSize, shuffle, dropLast, seed) => {
          const loader = new DataLoader(indexed(n), { batchSize, shuffle, dropLast, seed });
          for (let epoch = 0; epoch < 2; epoch++) {
            const order = [...loader.epochOrder(epoch)];
            const batches = epochLabels(loader);
            expect(batches.length).toBe(loader.length);
            const seen = batches.flat();
            expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
            if (dropLast) {
              expect(batches.every((b) => b.length === batchSize)).toBe(true);
              expect(seen).toEqual(order.slice(0, Math.floor(n / batchSize) * batchSize));
            } else {
              expect(seen).toEqual(order);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
