/**
 * Optimize stripe groups (apex's "exhaustive" strategy, docs/apex-asp.md §3.11a). A stripe is four
 * aligned columns; a stripe group is `window/4` stripes. For every stripe group, all canonical
 * permutations of its columns are scored and the best gain over leaving it alone is recorded
 * (the improvement map). Then, in order of decreasing gain, non-overlapping groups are rearranged;
 * groups that touch a changed stripe are rescored, and this repeats until no group gains.
 *
 * Speed: a permutation's score is the sum of its groups' scores, and a group's score depends only
 * on which four columns it holds. So a stripe group scores each 4-column subset once (70 for 8
 * columns, 495 for 12) and each canonical permutation is then width/4 table lookups.
 *
 * Bounds: the search stops at the clock's time limit (checked before every stripe group is
 * scored, so within one group's scoring time); the groups scored so far still get their greedy
 * pass, and the best arrangement seen at a pass boundary is returned.
 * Wide matrices with a large window are split as apex splits them (docs/apex-asp.md §3.11a): above
 * `SPLIT_COLUMNS` columns, a window of 12 (apex) or 16 (the same rule, extended) solves the left
 * and right halves of the stripes on their own, then the whole matrix once more with a window of
 * 8 and max(escapes, 100) × 10 escapes.
 */
import type { MT19937 } from '../../tensor/random.js';
import { ValueError } from '../../tensor/errors.js';
import { type CanonicalTable, canonicalTable } from './canonical.js';
import type { SearchClock } from './clock.js';
import { BestKeeper, type Workspace } from './workspace.js';

/** Matrices wider than this are split in halves for windows of 12 and 16, as apex does for 12. */
export const SPLIT_COLUMNS = 512;

/**
 * How a rearranged stripe is recognised as changed. 'apex' copies apex's test (its columns'
 * local indices start at a multiple of 4 and are consecutive), which for windows above 8 misses a
 * stripe that received another stripe's intact block, leaving stale entries in the map. 'exact'
 * marks a stripe changed whenever its contents changed.
 */
export type StripeTracking = 'apex' | 'exact';

export interface OsgOptions {
  window: number;
  escapes: number;
  /** Absolute improvement at or below which greedy application stops. */
  threshold: number;
  tracking: StripeTracking;
  rng: MT19937;
  clock: SearchClock;
  /** Split matrices wider than this for windows of 12 and 16 (default `SPLIT_COLUMNS`, apex's 512). */
  splitColumns?: number;
  /** The workspace is part of the matrix (a split's half): report no permutation. */
  partial?: boolean;
}

/** Stripe groups as flattened k-combinations of `stripes`, lexicographic. */
function stripeGroups(stripes: number, k: number): Uint16Array {
  const out: number[] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push(...cur);
      return;
    }
    for (let s = start; s < stripes; s++) {
      cur.push(s);
      rec(s + 1);
      cur.pop();
    }
  };
  rec(0);
  return Uint16Array.from(out);
}

/** Scores every canonical permutation of one stripe group; returns [best index, best − identity]. */
class GroupScorer {
  private readonly table: CanonicalTable;
  private readonly quadScores: Float64Array;
  private readonly pos: Int32Array;

  constructor(table: CanonicalTable) {
    this.table = table;
    this.quadScores = new Float64Array(table.quads.count);
    this.pos = new Int32Array(table.width);
  }

  /** Sets `out[0]` to the best permutation index and `out[1]` to its gain (0 when none gains). */
  score(ws: Workspace, stripes: ArrayLike<number>, out: Float64Array): void {
    const { width, count, groups, quads } = this.table;
    for (let l = 0; l < width; l++) this.pos[l] = stripes[l >> 2]! * 4 + (l & 3);
    const q = quads.quads;
    const pos = this.pos;
    const qs = this.quadScores;
    for (let i = 0; i < quads.count; i++) {
      qs[i] = ws.cachedQuadScore(pos[q[4 * i]!]!, pos[q[4 * i + 1]!]!, pos[q[4 * i + 2]!]!, pos[q[4 * i + 3]!]!);
    }
    const g = width / 4;
    let base = 0;
    for (let j = 0; j < g; j++) base += qs[groups[j]!]!;
    let best = 0;
    let bestGain = 0;
    if (g === 2) {
      for (let p = 1; p < count; p++) {
        const gain = qs[groups[2 * p]!]! + qs[groups[2 * p + 1]!]! - base;
        if (gain > bestGain) {
          bestGain = gain;
          best = p;
        }
      }
    } else if (g === 3) {
      for (let p = 1; p < count; p++) {
        const gain = qs[groups[3 * p]!]! + qs[groups[3 * p + 1]!]! + qs[groups[3 * p + 2]!]! - base;
        if (gain > bestGain) {
          bestGain = gain;
          best = p;
        }
      }
    } else {
      for (let p = 1; p < count; p++) {
        let v = 0;
        for (let j = 0; j < g; j++) v += qs[groups[g * p + j]!]!;
        const gain = v - base;
        if (gain > bestGain) {
          bestGain = gain;
          best = p;
        }
      }
    }
    out[0] = best;
    out[1] = bestGain;
  }
}

/** Was stripe slot j of a rearranged group changed by `local`? */
function slotChanged(local: ArrayLike<number>, j: number, tracking: StripeTracking): boolean {
  const o = 4 * j;
  const first = local[o]!;
  if (tracking === 'apex' ? first % 4 !== 0 : first !== o) return true;
  for (let c = 1; c < 4; c++) if (local[o + c] !== local[o + c - 1]! + 1) return true;
  return false;
}

/** Runs optimize-stripe-groups on `ws` in place; returns the number of greedy passes. */
export function optimizeStripeGroups(ws: Workspace, opts: OsgOptions): number {
  const { window } = opts;
  if (!Number.isInteger(window) || window < 8 || window % 4 !== 0 || window > 16) {
    throw new ValueError(`optimize stripe groups: window must be 8, 12 or 16 columns, got ${window}`);
  }
  if (window >= 12 && ws.cols > (opts.splitColumns ?? SPLIT_COLUMNS) && ws.cols >= 2 * window)
    return splitSearch(ws, opts);
  return stripeGroupSearch(ws, opts);
}

/** Apex's split: each half on its own with the same window, then the whole with window 8. */
function splitSearch(ws: Workspace, opts: OsgOptions): number {
  const split = Math.floor(ws.cols / 8) * 4;
  const left = ws.subWorkspace(0, split);
  const right = ws.subWorkspace(split, ws.cols);
  // The halves see part of the matrix: their reports carry no permutation of the whole.
  let passes = optimizeStripeGroups(left, { ...opts, partial: true });
  if (!opts.clock.expired()) passes += optimizeStripeGroups(right, { ...opts, partial: true });
  const target = new Int32Array(ws.cols);
  for (let j = 0; j < split; j++) target[j] = ws.perm[left.perm[j]!]!;
  for (let j = split; j < ws.cols; j++) target[j] = ws.perm[split + right.perm[j - split]!]!;
  ws.setPermutation(target);
  if (opts.clock.expired()) return passes;
  return passes + stripeGroupSearch(ws, { ...opts, window: 8, escapes: Math.max(opts.escapes, 100) * 10 });
}

function stripeGroupSearch(ws: Workspace, opts: OsgOptions): number {
  const { window, escapes, threshold, tracking, rng, clock } = opts;
  const numStripes = ws.cols / 4;
  const k = window / 4;
  if (numStripes < k)
    throw new ValueError(
      `optimize stripe groups: window ${window} is wider than the ${ws.cols} columns; use the exhaustive strategy`,
    );
  const table = canonicalTable(window);
  const groups = stripeGroups(numStripes, k);
  const n = groups.length / k;
  const gain = new Float64Array(n);
  const bestPerm = new Int32Array(n);
  const scorer = new GroupScorer(table);
  const result = new Float64Array(2);
  const used = new Uint8Array(numStripes);
  const order = new Int32Array(n);
  const local = new Uint8Array(window);
  let escapesUsed = 0;
  let passes = 0;
  let fresh = true;
  const keeper = new BestKeeper(ws);

  for (;;) {
    // Out of time mid-scoring: groups still to rescore get no gain, and the groups already scored
    // (exact for the current arrangement) are used in one last pass without escapes.
    let cutShort = false;
    for (let gi = 0; gi < n; gi++) {
      let stale = fresh;
      for (let j = 0; j < k && !stale; j++) stale = used[groups[gi * k + j]!] === 1;
      if (!stale) continue;
      if (!cutShort && clock.expired()) cutShort = true;
      if (cutShort) {
        gain[gi] = 0;
        continue;
      }
      scorer.score(ws, groups.subarray(gi * k, gi * k + k), result);
      bestPerm[gi] = result[0]!;
      gain[gi] = result[1]!;
      if (clock.due()) clock.report(`pass ${passes + 1}: scoring stripe groups ${gi + 1}/${n}`);
    }
    fresh = false;
    used.fill(0);
    let usedCount = 0;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => gain[b]! - gain[a]! || a - b);

    for (let i = 0; i < n; i++) {
      let gi = order[i]!;
      local.set(table.permutations.subarray(bestPerm[gi]! * window, bestPerm[gi]! * window + window));
      if (gain[gi]! <= threshold) {
        if (usedCount > 0 || escapesUsed >= escapes || cutShort) break;
        // Bounded regression: take a random group's best arrangement and swap one column from
        // its first half with one from its second half, even if that loses magnitude.
        escapesUsed++;
        gi = order[rng.nextInt(0, n)]!;
        local.set(table.permutations.subarray(bestPerm[gi]! * window, bestPerm[gi]! * window + window));
        const half = window / 2;
        const src = rng.nextInt(0, half);
        const dst = half + rng.nextInt(0, half);
        const t = local[src]!;
        local[src] = local[dst]!;
        local[dst] = t;
      }
      const stripes = groups.subarray(gi * k, gi * k + k);
      let touched = false;
      for (let j = 0; j < k; j++) if (used[stripes[j]!] === 1) touched = true;
      if (touched) continue;
      ws.applyLocal(stripes, local);
      for (let j = 0; j < k; j++) {
        if (slotChanged(local, j, tracking)) {
          used[stripes[j]!] = 1;
          usedCount++;
        }
      }
    }
    passes++;
    const kept = keeper.observe();
    clock.report(
      `pass ${passes}`,
      kept,
      true,
      `pass ${passes}: kept ${kept.toFixed(3)}`,
      opts.partial ? null : ws.perm,
    );
    if (usedCount === 0 || clock.expired()) {
      keeper.restore();
      return passes;
    }
  }
}
