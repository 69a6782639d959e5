/// <reference lib="dom" />
/**
 * The lab's Web Worker: runs `searchPermutation` (osg, apex's default) off the page's thread and
 * posts each progress report, so the page stays responsive and can draw the kept magnitude rising.
 */
import { searchPermutation } from 'sparse24';
import type { PermuteReply, PermuteRequest } from './permute_protocol.js';

// A dedicated worker's global scope; the DOM lib has no type for it, so name the two members used.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<PermuteRequest>) => void) | null;
  postMessage(m: PermuteReply): void;
};

scope.onmessage = (e) => {
  const { matrix, rows, cols, timeLimit } = e.data;
  try {
    const r = searchPermutation(matrix, rows, cols, {
      timeLimit,
      progressInterval: 0.05,
      onProgress: (message, p) =>
        scope.postMessage({ type: 'progress', message, kept: p.kept, elapsed: p.elapsedSeconds }),
    });
    scope.postMessage({
      type: 'done',
      permutation: r.permutation,
      default24: r.default24,
      permuted: r.permuted,
      bound: r.bound,
      unpruned: r.unpruned,
      efficacy: r.efficacy,
      seconds: r.seconds,
      stopped: r.stopped,
    });
  } catch (err) {
    scope.postMessage({ type: 'error', message: (err as Error).message });
  }
};
