import { MT19937, ValueError } from '../../tensor/index.js';

/**
 * A random permutation of 0..n-1, drawn exactly as NumPy's legacy `RandomState.permutation(n)`:
 * Fisher–Yates from the last position down, each swap partner drawn by masked rejection
 * (`nextInt(0, i + 1)`). So `np.random.seed(0); np.random.permutation(10)` is reproduced:
 * [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
 */
export function randomPermutation(n: number, generator: MT19937): Int32Array {
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`randomPermutation: n must be a non-negative integer, got ${n}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.nextInt(0, i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
