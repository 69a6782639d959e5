/// <reference lib="dom" />
/**
 * The lab's Web Worker: runs the channel-permutation search (osg, apex's default) off the page's
 * thread and posts, after every greedy pass, the best permutation so far, so the page can move the
 * columns while the search runs.
 *
 * `searchPermutation` reports the kept magnitude as it goes but not the permutation, so the worker
 * runs osg one greedy pass at a time: the strategy registered here is the built-in osg with a clock
 * that also expires at the end of its first pass (the first report that carries a kept magnitude),
 * and each call starts from the order the previous one left. With osg's defaults (window 8, no
 * escapes) this is the same search: a pass rescores the stripe groups that changed, and a fresh
 * start rescores all of them, which for unchanged groups gives the same gains. It arrives at the
 * same permutation as one `searchPermutation` call, at the cost of rescoring every group each pass.
 */
import {
  type SearchClock,
  efficacy,
  permuteColumns,
  registerSearchStrategy,
  rowHalfBound,
  searchPermutation,
  searchStrategy,
  sumAfter24,
  unprunedMagnitude,
} from 'sparse24';
import type { PermuteReply, PermuteRequest } from './permute_protocol.js';

// A dedicated worker's global scope; the DOM lib has no type for it, so name the two members used.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<PermuteRequest>) => void) | null;
  postMessage(m: PermuteReply): void;
};

const ONE_PASS = 'lab-osg-one-pass';

type ClockFace = Pick<
  SearchClock,
  'strategy' | 'timeLimitSeconds' | 'expired' | 'stoppedByTime' | 'elapsedSeconds' | 'due' | 'report'
>;

/** `real`, but expired once the strategy has reported a kept magnitude (osg does so only after a pass). */
function onePassClock(real: SearchClock): SearchClock {
  let passEnded = false;
  const clock: ClockFace = {
    strategy: real.strategy,
    timeLimitSeconds: real.timeLimitSeconds,
    expired: () => passEnded || real.expired(),
    get stoppedByTime() {
      return real.stoppedByTime;
    },
    elapsedSeconds: () => real.elapsedSeconds(),
    due: () => real.due(),
    report: (phase, kept = null, force = false, message) => {
      real.report(phase, kept, force, message);
      if (kept !== null) passEnded = true;
    },
  };
  return clock as unknown as SearchClock;
}

registerSearchStrategy(ONE_PASS, {
  search: (input) => searchStrategy('osg').search({ ...input, clock: onePassClock(input.clock) }),
});

function isIdentity(p: Int32Array): boolean {
  return p.every((v, j) => v === j);
}

function search({ matrix, rows, cols, timeLimit }: PermuteRequest): void {
  const default24 = sumAfter24(matrix, rows, cols);
  const bound = rowHalfBound(matrix, rows, cols);
  const unpruned = unprunedMagnitude(matrix);
  scope.postMessage({ type: 'start', default24, bound, unpruned });
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  // Eight columns or fewer: osg's window covers the matrix and it is solved exhaustively, in one go.
  const stepwise = cols > 8;
  let perm = Int32Array.from({ length: cols }, (_, j) => j);
  let passes = 0;
  let stopped = 'converged';
  for (;;) {
    const remaining = timeLimit - elapsed();
    if (remaining <= 0) {
      stopped = 'time-limit';
      break;
    }
    const offset = elapsed();
    const r = searchPermutation(permuteColumns(matrix, rows, cols, perm), rows, cols, {
      strategy: stepwise ? ONE_PASS : 'osg',
      timeLimit: remaining,
      progressInterval: 0.05,
      onProgress: (_message, p) => {
        if (/^pass \d+$/.test(p.phase)) return; // the end of a pass: the step below says it
        const what = p.phase === 'stopped' ? 'stopped at the time limit' : p.phase.replace(/^pass \d+: /, '');
        const at = offset + p.elapsedSeconds;
        scope.postMessage({
          type: 'progress',
          message: `osg pass ${passes + 1}: ${what} (${at.toFixed(1)} s of ${timeLimit} s)`,
          kept: p.kept,
          elapsed: at,
        });
      },
    });
    const changed = !isIdentity(r.permutation);
    if (changed) {
      const before = perm;
      perm = Int32Array.from(r.permutation, (src) => before[src]!);
      passes++;
      const kept = sumAfter24(matrix, rows, cols, perm);
      scope.postMessage({ type: 'step', pass: passes, permutation: perm.slice(), kept, elapsed: elapsed() });
    }
    if (r.stopped === 'time-limit') {
      stopped = 'time-limit';
      break;
    }
    if (!changed || !stepwise) break;
  }
  const permuted = sumAfter24(matrix, rows, cols, perm);
  scope.postMessage({
    type: 'done',
    permutation: perm,
    default24,
    permuted,
    bound,
    unpruned,
    efficacy: efficacy(unpruned, default24, bound, permuted),
    seconds: elapsed(),
    stopped,
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
