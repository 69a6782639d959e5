/**
 * Channel swaps (docs/apex-asp.md §3.11b, §3.11c). Swapping column i of one stripe with column j of another
 * changes only those two stripes' kept magnitude, so every candidate swap has a cheap exact gain.
 *
 * - Greedy channel swap (TETRIS adapted to 2:4): score all swaps across stripes, apply
 *   non-overlapping ones in order of decreasing gain while the gain clears
 *   min(max(best × 1e-5, 1e-4), 1), rescore the swaps touching changed stripes, repeat.
 *   With escapes, a converged pass may take one random swap from the map instead.
 * - Progressive channel swap: random pairs, kept when they gain more than a threshold, until a
 *   time limit or an attempt budget runs out. (Apex's version forgets to record the swaps in the
 *   permutation it returns; this one records them.)
 *
 * Both stop at the clock's time limit; the greedy one checks it every 1024 candidate swaps scored,
 * still applies the swaps scored so far, and returns the best arrangement seen at a pass boundary.
 */
import type { MT19937 } from '../../tensor/random.js';
import type { SearchClock } from './clock.js';
import { BestKeeper, type Workspace } from './workspace.js';

/** Gain of swapping the columns at positions i and j (different stripes). */
export function swapGain(ws: Workspace, i: number, j: number): number {
  const si = i & ~3;
  const sj = j & ~3;
  const base = ws.cachedQuadScore(si, si + 1, si + 2, si + 3) + ws.cachedQuadScore(sj, sj + 1, sj + 2, sj + 3);
  // Position k after the swap holds what is now at p(k).
  const p = (k: number): number => (k === i ? j : k === j ? i : k);
  const after =
    ws.cachedQuadScore(p(si), p(si + 1), p(si + 2), p(si + 3)) +
    ws.cachedQuadScore(p(sj), p(sj + 1), p(sj + 2), p(sj + 3));
  return after - base;
}

export interface ChannelSwapOptions {
  escapes: number;
  rng: MT19937;
  clock: SearchClock;
}

/** Greedy channel swap on `ws` in place; returns the number of passes. */
export function channelSwap(ws: Workspace, opts: ChannelSwapOptions): number {
  const C = ws.cols;
  const src: number[] = [];
  const dst: number[] = [];
  for (let a = 0; a < C - 1; a++)
    for (let b = a + 1; b < C; b++)
      if (a >> 2 !== b >> 2) {
        src.push(a);
        dst.push(b);
      }
  const n = src.length;
  const gain = new Float64Array(n);
  const order = new Int32Array(n);
  const used = new Uint8Array(C / 4);
  let fresh = true;
  let escapesUsed = 0;
  let passes = 0;
  const keeper = new BestKeeper(ws);
  const { clock } = opts;
  for (;;) {
    // Out of time mid-scoring: swaps still to rescore get no gain; the scored ones get a last pass.
    let cutShort = false;
    for (let k = 0; k < n; k++) {
      if ((k & 1023) === 0 && !cutShort) {
        cutShort = clock.expired();
        if (clock.due()) clock.report(`pass ${passes + 1}: scoring swaps ${k}/${n}`);
      }
      if (fresh || used[src[k]! >> 2] === 1 || used[dst[k]! >> 2] === 1)
        gain[k] = cutShort ? 0 : swapGain(ws, src[k]!, dst[k]!);
    }
    fresh = false;
    used.fill(0);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((a, b) => gain[b]! - gain[a]! || a - b);
    const threshold = Math.min(Math.max(gain[order[0]!]! * 1e-5, 1e-4), 1);
    let swaps = 0;
    for (let t = 0; t < n; t++) {
      let k = order[t]!;
      if (gain[k]! < threshold) {
        if (swaps > 0 || escapesUsed >= opts.escapes || cutShort) break;
        escapesUsed++;
        k = order[opts.rng.nextInt(0, n)]!;
      }
      const a = src[k]!;
      const b = dst[k]!;
      if (used[a >> 2] === 1 || used[b >> 2] === 1) continue;
      used[a >> 2] = 1;
      used[b >> 2] = 1;
      ws.swapColumns(a, b);
      swaps++;
    }
    passes++;
    const kept = keeper.observe();
    clock.report(`pass ${passes}`, kept, true, `pass ${passes}: kept ${kept.toFixed(3)}`, ws.perm);
    if (swaps === 0 || clock.expired()) {
      keeper.restore();
      return passes;
    }
  }
}

export interface ProgressiveOptions {
  /** Stop after this many drawn pairs as well (makes a run reproducible regardless of speed). */
  maxAttempts: number;
  /** A swap is kept when its gain exceeds this (apex: 1e-9). */
  threshold: number;
  rng: MT19937;
  /** Its time limit is the search's (apex: 60 s by default, 120 s inside ASP). */
  clock: SearchClock;
}

/** Progressive channel swap on `ws` in place; returns the number of swaps kept. */
export function progressiveChannelSwap(ws: Workspace, opts: ProgressiveOptions): number {
  const C = ws.cols;
  const { clock } = opts;
  let accepted = 0;
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    if ((attempt & 255) === 0) {
      if (clock.expired()) break;
      if (clock.due())
        clock.report(`${attempt} pairs tried`, null, false, `${attempt} pairs tried, ${accepted} swaps kept`);
    }
    const a = opts.rng.nextInt(0, C);
    const b = opts.rng.nextInt(0, C);
    if (a >> 2 === b >> 2) continue;
    if (swapGain(ws, a, b) > opts.threshold) {
      ws.swapColumns(a, b);
      accepted++;
    }
  }
  return accepted;
}
