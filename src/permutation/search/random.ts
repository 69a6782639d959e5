/**
 * Random search, best of N (apex's `permutation_test.py` baseline, docs/apex-asp.md §3.11d). Like apex, each trial
 * shuffles the previous trial's permutation (`np.random.permutation(permutation)`, a Fisher–Yates
 * shuffle drawing NumPy's bounded integers), so a seed reproduces apex's sequence of candidates.
 */
import type { MT19937 } from '../../tensor/random.js';
import type { SearchClock } from './clock.js';
import { sumAfter24 } from './objective.js';

/** Best of `trials` shuffles, or of those tried before the clock's time limit. */
export function randomSearch(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  trials: number,
  rng: MT19937,
  clock: SearchClock,
): Int32Array {
  const current = new Int32Array(cols);
  for (let c = 0; c < cols; c++) current[c] = c;
  let best = current.slice();
  let bestSum = sumAfter24(matrix, rows, cols);
  for (let t = 0; t < trials; t++) {
    if (clock.expired()) break;
    if (clock.due()) clock.report(`trial ${t}/${trials}`, bestSum, false, undefined, best);
    for (let i = cols - 1; i > 0; i--) {
      const j = rng.nextInt(0, i + 1);
      const v = current[i]!;
      current[i] = current[j]!;
      current[j] = v;
    }
    const s = sumAfter24(matrix, rows, cols, current);
    if (s > bestSum) {
      bestSum = s;
      best = current.slice();
    }
  }
  return best;
}
