/**
 * Whole-matrix exhaustive search for narrow matrices: every canonical permutation of all columns
 * (35 for 8 columns, 5,775 for 12, 2,627,625 for 16), the first strictly best one wins. This is the
 * true optimum of the 2:4 objective over column permutations, unless the clock's time limit
 * stops it first (checked every 16 quads scored and every 65,536 permutations): then the best
 * permutation seen so far is applied.
 */
import { ValueError } from '../../tensor/errors.js';
import { canonicalTable } from './canonical.js';
import type { SearchClock } from './clock.js';
import type { Workspace } from './workspace.js';

export const MAX_EXHAUSTIVE_COLUMNS = 16;

/** Rearranges `ws` into the best canonical permutation of all its columns. */
export function exhaustiveSearch(ws: Workspace, clock: SearchClock): void {
  const C = ws.cols;
  if (C > MAX_EXHAUSTIVE_COLUMNS) {
    throw new ValueError(
      `exhaustive search: ${C} columns is too wide (at most ${MAX_EXHAUSTIVE_COLUMNS}); use osg or channel-swap`,
    );
  }
  const { width, count, groups, quads, permutations } = canonicalTable(C);
  const qs = new Float64Array(quads.count);
  const q = quads.quads;
  for (let i = 0; i < quads.count; i++) {
    if ((i & 15) === 0 && clock.expired()) return; // no permutation fully scored yet: keep the identity
    qs[i] = ws.quadScore(q[4 * i]!, q[4 * i + 1]!, q[4 * i + 2]!, q[4 * i + 3]!);
  }
  const g = width / 4;
  let base = 0;
  for (let j = 0; j < g; j++) base += qs[groups[j]!]!;
  let best = 0;
  let bestGain = 0;
  for (let p = 1; p < count; p++) {
    if ((p & 0xffff) === 0) {
      if (clock.expired()) break;
      if (clock.due()) clock.report(`permutation ${p}/${count}`);
    }
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
