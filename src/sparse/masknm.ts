/**
 * General N:M masks along the input channels: in every group of M consecutive columns of the 2-D
 * view, keep the N positions whose |w| sum is largest.
 *
 * Exact rule (so results are reproducible anywhere): every N-subset of the group is scored by
 * adding its |w| in ascending position order, rounding to float32 after each addition; the first
 * subset with the maximal score wins. Subsets are ordered lexicographically by their kept positions
 * ({0,1}, {0,2}, ...), so among equal magnitudes the lower channel index is kept - except for 2:4,
 * which uses apex's pattern order (`APEX_24_PATTERNS`) so that `'2:4'` equals `m4n2_1d` bit for bit.
 * Without float32 ties this is simply "keep the N largest |w|". NaN counts as the largest score,
 * as in `torch.argmax`.
 *
 * Cost is C(M, N) * N per group: fine for the usual 1:4, 2:4, 2:8, 4:8; slow for 8:16 and beyond.
 */
import { checkGroupedColumns, checkNM, firstBest } from './groups.js';
import { APEX_24_PATTERNS } from './mask1d.js';
import type { MatrixView } from './view2d.js';

const cache = new Map<string, readonly Int8Array[]>();

function lexSubsets(n: number, m: number): Int8Array[] {
  const out: Int8Array[] = [];
  const pick: number[] = [];
  const walk = (start: number): void => {
    if (pick.length === n) {
      out.push(Int8Array.from(pick));
      return;
    }
    for (let i = start; i <= m - (n - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

/** The candidate subsets (kept positions, ascending) in tie-break order. */
export function nmPatterns(n: number, m: number): readonly Int8Array[] {
  checkNM(n, m);
  const key = `${n}:${m}`;
  let patterns = cache.get(key);
  if (patterns === undefined) {
    patterns = n === 2 && m === 4 ? APEX_24_PATTERNS.map((p) => Int8Array.from(p)) : lexSubsets(n, m);
    cache.set(key, patterns);
  }
  return patterns;
}

/** The N:M mask of a 2-D view: 1 = keep, 0 = prune. */
export function nmMask(view: MatrixView, n: number, m: number): Uint8Array {
  const patterns = nmPatterns(n, m);
  checkGroupedColumns(view, m, `${n}:${m} mask`);
  const { data } = view;
  const mask = new Uint8Array(data.length);
  const abs = new Float64Array(m);
  for (let g = 0; g < data.length; g += m) {
    for (let i = 0; i < m; i++) abs[i] = Math.abs(data[g + i]!);
    const choice = patterns[
      firstBest(patterns.length, (k) => {
        const p = patterns[k]!;
        let score = 0;
        for (let t = 0; t < n; t++) score = Math.fround(score + abs[p[t]!]!);
        return score;
      })
    ]!;
    for (let t = 0; t < n; t++) mask[g + choice[t]!] = 1;
  }
  return mask;
}
