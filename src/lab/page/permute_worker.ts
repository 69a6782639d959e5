/// <reference lib="dom" />
/**
 * The lab's Web Worker: runs the channel-permutation search (osg, apex's default) off the page's
 * thread, forwards its progress lines, and posts after every greedy pass the arrangement that pass
 * reached (`SearchProgress.permutation`), so the page can move the columns while the search runs.
 */
import { rowHalfBound, searchPermutation, sumAfter24, unprunedMagnitude } from 'sparse24';
import type { PermuteReply, PermuteRequest } from './permute_protocol.js';

// A dedicated worker's global scope; the DOM lib has no type for it, so name the two members used.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<PermuteRequest>) => void) | null;
  postMessage(m: PermuteReply): void;
};

const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, j) => v === b[j]);

function search({ matrix, rows, cols, timeLimit }: PermuteRequest): void {
  const default24 = sumAfter24(matrix, rows, cols);
  const bound = rowHalfBound(matrix, rows, cols);
  const unpruned = unprunedMagnitude(matrix);
  scope.postMessage({ type: 'start', default24, bound, unpruned });
  let last: Int32Array = Int32Array.from({ length: cols }, (_, j) => j);
  let passes = 0;
  // Kept as the result's `permuted` is computed (sumAfter24), so the last step's equals it exactly.
  const step = (permutation: Int32Array, elapsed: number): void => {
    last = permutation;
    passes++;
    const kept = sumAfter24(matrix, rows, cols, permutation);
    scope.postMessage({ type: 'step', pass: passes, permutation, kept, elapsed });
  };
  const r = searchPermutation(matrix, rows, cols, {
    strategy: 'osg',
    timeLimit,
    progressInterval: 0.05,
    onProgress: (_message, p) => {
      if (p.permutation !== null && /^pass \d+$/.test(p.phase)) {
        // The end of a pass: its arrangement, if it moved anything.
        if (same(p.permutation, last)) return;
        step(p.permutation, p.elapsedSeconds);
        return;
      }
      const what = p.phase === 'stopped' ? 'stopped at the time limit' : p.phase.replace(/^pass \d+: /, '');
      scope.postMessage({
        type: 'progress',
        message: `osg pass ${passes + 1}: ${what} (${p.elapsedSeconds.toFixed(1)} s of ${timeLimit} s)`,
        kept: p.kept,
        elapsed: p.elapsedSeconds,
      });
    },
  });
  // A search without passes (eight columns or fewer are solved exhaustively), or one that ended on an
  // earlier, better pass: the result is the last step.
  if (!same(r.permutation, last)) step(r.permutation, r.seconds);
  scope.postMessage({
    type: 'done',
    permutation: r.permutation,
    default24,
    permuted: r.permuted,
    bound,
    unpruned,
    efficacy: r.efficacy,
    seconds: r.seconds,
    stopped: r.stopped,
    passes,
  });
}

scope.onmessage = (e) => {
  try {
    search(e.data);
  } catch (err) {
    scope.postMessage({ type: 'error', message: (err as Error).message });
  }
};
