/**
 * `node --import tsx test/permutation/search/scripts/bounded.ts`: searches that used to run for
 * hours or forever, each under a short time limit, printing one JSON line per case. Run in a
 * child so that a broken bound fails the test (by the parent's timeout) instead of hanging it.
 */
import { searchPermutation } from '../../../../src/permutation/index.js';
import { MT19937 } from '../../../../src/tensor/random.js';

function matrix(rows: number, cols: number, seed: number): Float32Array {
  const g = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => g.nextDouble() * 2 - 1);
}

const cases = [
  // osg's first pass alone is 130,816 stripe groups x 70 quads x 1,024 rows here (hours before).
  { name: 'osg 1024x2048', rows: 1024, cols: 2048, options: { strategy: 'osg', timeLimit: 0.5, progressInterval: 0 } },
  // 495 stripe groups x 2.6 M canonical permutations per pass (minutes before).
  { name: 'osg window 16 on 8x48', rows: 8, cols: 48, options: { strategy: 'osg', window: 16, timeLimit: 2 } },
  { name: 'channel-swap 512x2048', rows: 512, cols: 2048, options: { strategy: 'channel-swap', timeLimit: 0.5 } },
  {
    name: 'random 64x4096, 10^9 trials',
    rows: 64,
    cols: 4096,
    options: { strategy: 'random', trials: 1e9, timeLimit: 0.5 },
  },
  { name: 'progressive, no attempt budget', rows: 16, cols: 64, options: { strategy: 'progressive', timeLimit: 0.3 } },
] as const;

for (const c of cases) {
  const m = matrix(c.rows, c.cols, 1);
  const messages: string[] = [];
  const t0 = performance.now();
  const r = searchPermutation(m, c.rows, c.cols, { ...c.options, onProgress: (msg) => messages.push(msg) });
  const sorted = Array.from(r.permutation).sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      name: c.name,
      stopped: r.stopped,
      valid: sorted.every((v, i) => v === i),
      notWorse: r.permuted >= r.default24,
      improved: r.permuted > r.default24,
      wallSeconds: (performance.now() - t0) / 1000,
      messages: messages.length,
      last: messages.at(-1) ?? null,
    })}\n`,
  );
}
