/**
 * Channel-permutation search timings on apex's benchmark matrix (np.random.seed(1); rand(128, 64)):
 * optimize stripe groups at window 8 and 12, and channel swap, median of a few runs, as a markdown
 * table. Run: npx tsx bench/permutation.ts [runs]
 * Apex's reference (permutation_tests/README.md): window 8 takes 60.7 s in NumPy and 0.013 s on a
 * V100; window 12 0.860 s on the V100.
 */
import { cpus } from 'node:os';
import { searchPermutation, type SearchOptions } from '../src/permutation/index.js';
import { MT19937 } from '../src/tensor/random.js';

const runs = Number(process.argv[2] ?? 5);
const g = new MT19937(1);
const matrix = new Float32Array(128 * 64);
for (let i = 0; i < matrix.length; i++) matrix[i] = g.nextDouble();

const cases: [string, SearchOptions][] = [
  ['optimize_stripe_groups,8,0', { strategy: 'osg', window: 8 }],
  ['optimize_stripe_groups,12,0', { strategy: 'osg', window: 12 }],
  ['channel_swap,0', { strategy: 'channel-swap' }],
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const lines = [
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; ${runs} runs each (each run in a fresh search, same process).`,
  '',
  '| strategy | magnitude | efficacy % | median s | min s |',
  '|---|---|---|---|---|',
];
for (const [name, opts] of cases) {
  const times: number[] = [];
  let last = searchPermutation(matrix, 128, 64, opts);
  times.push(last.seconds);
  for (let r = 1; r < runs; r++) {
    last = searchPermutation(matrix, 128, 64, opts);
    times.push(last.seconds);
  }
  lines.push(
    `| ${name} | ${last.permuted.toFixed(3)} | ${(last.efficacy * 100).toFixed(1)} | ${median(times).toFixed(3)} | ${Math.min(...times).toFixed(3)} |`,
  );
}
console.log(lines.join('\n'));
