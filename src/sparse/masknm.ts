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
 * The rule is defined by enumeration, but computed without it (`topn.ts`): a sort per group, and a
 * small dynamic program only where float32 rounding makes near-ties. So 16:32 or 1:256 cost about
 * what 2:8 does; M is capped at `MAX_GROUP_SIZE` (256, see `groups.ts`).
 */
import { SparsityError } from './errors.js';
import { checkGroupedColumns, checkNM } from './groups.js';
import { APEX_24_PATTERNS, m4n2_1d } from './mask1d.js';
import { TopNSelector } from './topn.js';
import type { MatrixView } from './view2d.js';

/** `nmPatterns` refuses to list more subsets than this (8:16 has 12,870; 16:32 has 601 million). */
export const MAX_LISTED_PATTERNS = 100_000;

const cache = new Map<string, readonly Uint8Array[]>();

function subsetCount(n: number, m: number): number {
  let c = 1;
  for (let i = 0; i < n; i++) c = (c * (m - i)) / (i + 1);
  return Math.round(c);
}

function lexSubsets(n: number, m: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pick: number[] = [];
  const walk = (start: number): void => {
    if (pick.length === n) {
      out.push(Uint8Array.from(pick));
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

/**
 * The candidate subsets (kept positions, ascending) in tie-break order: the order the rule above
 * is stated in. For reading and small tests; `nmMask` does not use it.
 */
export function nmPatterns(n: number, m: number): readonly Uint8Array[] {
  checkNM(n, m);
  const count = subsetCount(n, m);
  if (count > MAX_LISTED_PATTERNS) {
    throw new SparsityError(
      `nmPatterns(${n}, ${m}): ${n}:${m} has ${count} subsets, more than the ${MAX_LISTED_PATTERNS} this list is for; ` +
        'nmMask selects without enumerating them',
    );
  }
  const key = `${n}:${m}`;
  let patterns = cache.get(key);
  if (patterns === undefined) {
    patterns = n === 2 && m === 4 ? APEX_24_PATTERNS.map((p) => Uint8Array.from(p)) : lexSubsets(n, m);
    cache.set(key, patterns);
  }
  return patterns;
}

/** The N:M mask of a 2-D view: 1 = keep, 0 = prune. */
export function nmMask(view: MatrixView, n: number, m: number): Uint8Array {
  checkNM(n, m);
  checkGroupedColumns(view, m, `${n}:${m} mask`);
  if (n === 2 && m === 4) return m4n2_1d(view);
  const { data } = view;
  const mask = new Uint8Array(data.length);
  const selector = new TopNSelector(n, m);
  const abs = new Float64Array(m);
  for (let g = 0; g < data.length; g += m) {
    for (let i = 0; i < m; i++) abs[i] = Math.abs(data[g + i]!);
    selector.select(abs, mask, g);
  }
  return mask;
}
