/**
 * Every search strategy is bounded (issue 11): a finite time limit for all of them, progress
 * reports while they run, apex's split of wide matrices for large windows, typed errors for
 * unbounded requests.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/tensor/errors.js';
import { MT19937 } from '../../../src/tensor/random.js';
import {
  SEARCH_STRATEGIES,
  type SearchProgress,
  permuteColumns,
  searchPermutation,
  sumAfter24,
} from '../../../src/permutation/index.js';
import { runScript } from '../../helpers/child.js';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const g = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => g.nextDouble() * 2 - 1);
}

interface CaseResult {
  name: string;
  stopped: string;
  valid: boolean;
  notWorse: boolean;
  improved: boolean;
  wallSeconds: number;
  messages: number;
  last: string | null;
}

describe('search bounds', () => {
  it(
    'searches that ran for hours stop at their time limit with a valid, no-worse permutation',
    { timeout: 180_000 },
    () => {
      const child = runScript(fileURLToPath(new URL('scripts/bounded.ts', import.meta.url)), [], 150_000);
      expect(child.timedOut, `still running after 150 s; output so far:\n${child.stdout}`).toBe(false);
      expect(child.status, child.stderr).toBe(0);
      const results = child.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as CaseResult);
      expect(results.map((r) => r.name)).toHaveLength(5);
      for (const r of results) {
        expect(r.valid, r.name).toBe(true);
        expect(r.notWorse, r.name).toBe(true);
        expect(['time-limit', 'converged'], r.name).toContain(r.stopped);
      }
      const osg = results[0]!;
      expect(osg.stopped).toBe('time-limit');
      expect(osg.messages).toBeGreaterThan(1); // reports while scoring, not only after a pass
      expect(osg.last).toMatch(/stopped at the time limit of 0\.5 s/);
      // Cut short in its first pass, window 16 still applies the stripe groups it did score.
      expect(results[1]!.improved).toBe(true);
      expect(results[3]!.stopped).toBe('time-limit');
      expect(results[4]!.stopped).toBe('time-limit');
    },
  );

  it('rejects unbounded or meaningless limits with a ValueError, for every strategy', () => {
    const m = randomMatrix(2, 16, 1);
    for (const strategy of SEARCH_STRATEGIES) {
      for (const timeLimit of [Infinity, Number.NaN, 0, -1]) {
        expect(() => searchPermutation(m, 2, 16, { strategy, timeLimit }), `${strategy} ${timeLimit}`).toThrow(
          ValueError,
        );
      }
    }
    expect(() => searchPermutation(m, 2, 16, { strategy: 'progressive', timeLimit: Infinity })).toThrow(
      /timeLimit must be a finite number of seconds > 0, got Infinity/,
    );
    expect(() => searchPermutation(m, 2, 16, { progressInterval: Infinity })).toThrow(
      /progressInterval must be a finite number/,
    );
  });

  it('says why each strategy stopped', () => {
    const m = randomMatrix(8, 32, 2);
    expect(searchPermutation(m, 8, 32, { strategy: 'osg' }).stopped).toBe('converged');
    expect(searchPermutation(m, 8, 32, { strategy: 'channel-swap' }).stopped).toBe('converged');
    expect(searchPermutation(randomMatrix(8, 16, 2), 8, 16, { strategy: 'exhaustive' }).stopped).toBe('converged');
    expect(searchPermutation(m, 8, 32, { strategy: 'random', trials: 5 }).stopped).toBe('budget');
    expect(searchPermutation(m, 8, 32, { strategy: 'progressive', maxAttempts: 300 }).stopped).toBe('budget');
  });

  it('reports progress with a message and its parts', () => {
    const m = randomMatrix(16, 64, 3);
    for (const strategy of ['osg', 'channel-swap'] as const) {
      const seen: [string, SearchProgress][] = [];
      searchPermutation(m, 16, 64, { strategy, progressInterval: 0, onProgress: (msg, p) => seen.push([msg, p]) });
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.some(([msg]) => /^pass 1: kept \d+\.\d{3}$/.test(msg))).toBe(true);
      for (const [, p] of seen) {
        expect(p.strategy).toBe(strategy);
        expect(p.timeLimitSeconds).toBe(60);
        expect(p.elapsedSeconds).toBeGreaterThanOrEqual(0);
      }
      expect(seen.some(([, p]) => p.kept !== null && p.phase === 'pass 1')).toBe(true);
    }
  });

  it('reports with each pass the arrangement whose kept magnitude it reports, ending at the result', () => {
    const [rows, cols] = [16, 64];
    const m = randomMatrix(rows, cols, 3);
    for (const strategy of ['osg', 'channel-swap'] as const) {
      const seen: SearchProgress[] = [];
      const r = searchPermutation(m, rows, cols, { strategy, progressInterval: 0, onProgress: (_, p) => seen.push(p) });
      const passes = seen.filter((p) => /^pass \d+$/.test(p.phase));
      expect(passes.length, strategy).toBeGreaterThan(1);
      for (const p of passes) {
        expect(p.permutation, `${strategy} ${p.phase}`).not.toBeNull();
        expect(p.kept!).toBeCloseTo(sumAfter24(m, rows, cols, p.permutation!), 9);
      }
      // No escapes: every pass improves, so the last pass's arrangement is the result.
      expect(Array.from(passes.at(-1)!.permutation!)).toEqual(Array.from(r.permutation));
      // Mid-pass lines (scoring) carry no arrangement.
      expect(seen.filter((p) => /scoring/.test(p.phase)).every((p) => p.permutation === null)).toBe(true);
    }
    const trials: SearchProgress[] = [];
    searchPermutation(m, rows, cols, {
      strategy: 'random',
      trials: 50,
      progressInterval: 0,
      onProgress: (_, p) => trials.push(p),
    });
    expect(trials.length).toBeGreaterThan(0);
    for (const p of trials) expect(p.kept!).toBeCloseTo(sumAfter24(m, rows, cols, p.permutation!), 9);
  });

  it('a split osg reports no arrangement from its halves, and the whole one from its final search', () => {
    const [rows, cols] = [6, 48];
    const m = randomMatrix(rows, cols, 4);
    const seen: SearchProgress[] = [];
    const r = searchPermutation(m, rows, cols, {
      strategy: 'osg',
      window: 12,
      splitColumns: 32,
      seed: 5,
      progressInterval: 0,
      onProgress: (_, p) => seen.push(p),
    });
    const passes = seen.filter((p) => /^pass \d+$/.test(p.phase));
    const firstWhole = passes.findIndex((p) => p.permutation !== null);
    expect(firstWhole).toBeGreaterThan(0); // the halves came first, without one
    for (const p of passes.slice(firstWhole)) {
      expect(p.permutation!.length).toBe(cols);
      expect(p.kept!).toBeCloseTo(sumAfter24(m, rows, cols, p.permutation!), 9);
    }
    expect(sumAfter24(m, rows, cols, passes.at(-1)!.permutation!)).toBeLessThanOrEqual(r.permuted + 1e-9);
  });

  it('splits wide matrices for windows 12 and 16 as apex does: each half, then the whole with window 8', () => {
    const [rows, cols, split] = [6, 48, 24];
    const m = randomMatrix(rows, cols, 4);
    const r = searchPermutation(m, rows, cols, { strategy: 'osg', window: 12, splitColumns: 32, seed: 5 });
    // The same by hand: halves (no escapes, so no random draws), then window 8 with 1000 escapes.
    const half = (from: number, to: number): Int32Array => {
      const sub = new Float32Array(rows * (to - from));
      for (let i = 0; i < rows; i++) for (let c = from; c < to; c++) sub[i * (to - from) + c - from] = m[i * cols + c]!;
      return searchPermutation(sub, rows, to - from, { strategy: 'osg', window: 12 }).permutation;
    };
    const left = half(0, split);
    const right = half(split, cols);
    const combined = [...left, ...Array.from(right, (j) => j + split)];
    const whole = searchPermutation(permuteColumns(m, rows, cols, combined), rows, cols, {
      strategy: 'osg',
      window: 8,
      escapes: 1000,
      seed: 5,
    });
    const expected = Array.from(whole.permutation, (j) => combined[j]!);
    expect(Array.from(r.permutation)).toEqual(expected);
    expect(r.permuted).toBe(sumAfter24(m, rows, cols, expected));
    // Without the split the window-12 search differs (it is the whole-matrix search).
    const unsplit = searchPermutation(m, rows, cols, { strategy: 'osg', window: 12, seed: 5 });
    expect(unsplit.stopped).toBe('converged');
  });
});
