/**
 * Whole-matrix exhaustive search for narrow matrices: every canonical permutation of all columns
 * (35 for 8 columns, 5,775 for 12, 2,627,625 for 16), the first strictly best one wins. This is the
 * true optimum of the 2:4 objective over column permutations.
 */
import { ValueError } from '../../tensor/errors.js';
import { canonicalTable } from './canonical.js';
import type { Workspace } from './workspace.js';

export const MAX_EXHAUSTIVE_COLUMNS = 16;

/** Rearranges `ws` into the best canonical permutation of all its columns. */
export function exhaustiveSearch(ws: Workspace): void {
  const C = ws.cols;
  if (C > MAX_EXHAUSTIVE_COLUMNS) {
    throw new ValueError(`exhaustive search: ${C} columns is too wide (at most ${MAX_EXHAUSTIVE_COLUMNS}); use osg or channel-swap`);
  }
  const { width, count, groups, quads, permutations } = canonicalTable(C);
  const qs = new Float64Array(quads.count);
  const q = quads.quads;
  for (let i = 0; i < quads.count; i++) qs[i] = ws.quadScore(q[4 * i]!, q[4 * i + 1]!, q[4 * i + 2]!, q[4 * i + 3]!);
  const g = width / 4;
  let base = 0;
  for (let j = 0; j < g; j++) base += qs[groups[j]!]!;
  let best = 0;
  let bestGain = 0;
  for (let p = 1; p < count; p++) {
    let v = 0;
    for (let j = 0; j < g; j++) v += qs[groups[g * p + j]!]!;
    if (v - base > bestGain) {
      bestGain = v - base;
      best = p;
    }
  }
  const all = Array.from({ length: C / 4 }, (_, s) => s);
  ws.applyLocal(all, permutations.subarray(best * width, best * width + width));
}
