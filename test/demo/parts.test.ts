import { describe, expect, it } from 'vitest';
import {
  SearchProgress,
  compareModels,
  demoCnn,
  forwardTimes,
  keptUnderPattern,
  maskedMagnitude,
  median,
  totalMagnitude,
} from '../../src/demo/index.js';
import { Linear } from '../../src/nn/index.js';
import { Tensor, ValueError, manualSeed } from '../../src/tensor/index.js';

describe('magnitude', () => {
  it('sums |w|, the 2:4-kept |w| per group of 4 input channels, and |w·mask|', () => {
    const w = new Tensor(Float32Array.from([1, -4, 2, 3, -0.5, 0, 0.25, -1]), [2, 4]);
    expect(totalMagnitude(w.data)).toBe(11.75);
    // Row 0 keeps -4 and 3; row 1 keeps -1 and -0.5.
    expect(keptUnderPattern(w, 'm4n2_1d')).toBe(8.5);
    expect(keptUnderPattern(w, '1:4')).toBe(5);
    expect(maskedMagnitude(w.data, Float32Array.from([1, 0, 0, 1, 0, 0, 1, 0]))).toBe(4.25);
  });
});

describe('compareModels and timing', () => {
  it('reports zero difference and the accuracy for a model against itself, and a known difference otherwise', () => {
    manualSeed(3);
    const a = new Linear(4, 3);
    const b = new Linear(4, 3);
    b.weight.data.set(a.weight.data);
    b.bias!.data.set(a.bias!.data);
    const x = new Tensor(Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]), [2, 4]);
    const logits = a.call(x).data;
    const argmax = (row: number): number =>
      [0, 1, 2].reduce((best, j) => (logits[row * 3 + j]! > logits[row * 3 + best]! ? j : best), 0);
    const y = new Tensor(Float32Array.from([argmax(0), (argmax(1) + 1) % 3]), [2]);
    expect(compareModels(a, b, [{ x, y }])).toEqual({ maxAbsDiff: 0, accuracy: 0.5 });
    b.bias!.data[1]! += 0.25;
    expect(compareModels(a, b, [{ x, y }]).maxAbsDiff).toBeCloseTo(0.25, 6);
  });

  it('takes medians of alternating runs after a warm-up, with an injected clock', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(() => median([])).toThrow(ValueError);
    const calls: string[] = [];
    const mk = (name: string): Linear => {
      const m = new Linear(2, 2);
      const call = m.call.bind(m);
      m.call = (x: Tensor): Tensor => (calls.push(name), call(x));
      return m;
    };
    let t = 0;
    // Each clock read advances 1 ms, so every timed run measures exactly 1 ms.
    const times = forwardTimes([mk('a'), mk('b')], new Tensor(new Float32Array(2), [1, 2]), 3, () => t++);
    expect(times).toEqual([1, 1]);
    expect(calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    expect(() => forwardTimes([], new Tensor(new Float32Array(2), [1, 2]), 0)).toThrow(
      /runs must be a positive integer, got 0/,
    );
  });
});

describe('SearchProgress', () => {
  it('redraws a bar on a TTY and writes plain lines otherwise', () => {
    const tty: string[] = [];
    const bar = new SearchProgress({ isTTY: true, write: (s: string) => void tty.push(s) });
    bar.update(0, 2, 'pinned');
    bar.update(1, 2, 'permuted');
    expect(tty).toEqual([
      '\rpermutation search [============>           ] 1/2 groups\x1b[K',
      '\rpermutation search [========================] 2/2 groups\x1b[K\n',
    ]);
    const plain: string[] = [];
    new SearchProgress({ write: (s: string) => void plain.push(s) }).update(0, 3, 'dense');
    expect(plain).toEqual(['permutation group 1/3: dense\n']);
  });
});

describe('demoCnn', () => {
  it('flattens to a multiple of 16 and has the sparsifiable layers the recipe expects', () => {
    for (const [size, features] of [
      [8, 128],
      [28, 432],
    ] as const) {
      const m = demoCnn(size);
      const out = m.call(new Tensor(new Float32Array(2 * size * size), [2, 1, size, size]));
      expect(out.shape).toEqual([2, 10]);
      const fc1 = m.namedParameters().find(([n]) => n === '9.weight')![1];
      expect(fc1.shape).toEqual([64, features]);
    }
    expect(() => demoCnn(16)).toThrow(/imageSize must be 8 \(digits\) or 28 \(Fashion-MNIST\), got 16/);
  });
});
