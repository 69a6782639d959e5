/** The report folder: report.md, report.json and the SVG plots. */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/index.js';
import { comparisonMarkdown, comparisonSvg } from './comparison_report.js';
import { barChart, lineChart } from './svg.js';
import type { DemoResult } from './types.js';

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number): string => x.toFixed(3);

/** Test accuracy and training loss per epoch; the sparse phase starts from the accuracy right after pruning. */
export function curvesSvg(r: DemoResult, what: 'accuracy' | 'loss'): string {
  const dense = r.history.filter((h) => h.phase === 'dense');
  const sparse = r.history.filter((h) => h.phase === 'sparse');
  const pick = (h: DemoResult['history'][number]): number => (what === 'accuracy' ? h.testAccuracy * 100 : h.trainLoss);
  const start: [number, number][] = what === 'accuracy' ? [[dense.length, r.pruned.accuracy * 100]] : [];
  return lineChart(
    [
      { name: 'dense', points: dense.map((h) => [h.epoch, pick(h)] as const) },
      {
        name: `sparse (${r.pattern})`,
        points: [...start, ...sparse.map((h) => [h.epoch, pick(h)] as [number, number])],
      },
    ],
    {
      title: what === 'accuracy' ? `${r.dataset}: test accuracy` : `${r.dataset}: training loss`,
      xLabel: 'epoch',
      yLabel: what === 'accuracy' ? 'test accuracy (%)' : 'mean training loss',
    },
  );
}

/** Kept magnitude per sparse layer as a percentage of its dense magnitude, without and with permutation. */
export function magnitudeSvg(r: DemoResult): string {
  const share = (v: number, d: number): number => (d === 0 ? 0 : (100 * v) / d);
  const rows = r.magnitude.layers;
  const lo = Math.min(...rows.map((l) => share(l.default, l.dense)), 100);
  return barChart(
    rows.map((l) => ({ label: l.name, values: [share(l.default, l.dense), share(l.permuted, l.dense)] })),
    ['no permutation', 'permuted'],
    {
      title: `magnitude kept under ${r.pattern}`,
      xLabel: 'layer weight',
      yLabel: '% of dense |w|',
      yMin: Math.floor(lo / 5) * 5 - 5,
      yMax: 100,
    },
  );
}

export function reportMarkdown(r: DemoResult): string {
  const si = r.sparseInference;
  const lines = [
    `# sparse24 demo: ${r.dataset}, pattern ${r.pattern}`,
    '',
    `Model ${r.architecture}, method ${r.method}.`,
    `Seed ${r.seed}, backend ${r.backend}, ${r.data.train} training / ${r.data.test} test images; the whole run took ${r.seconds.toFixed(1)} s.`,
    `Model: ${r.model.parameters} parameters, ${r.model.prunable} of them in the ${r.model.sparseLayers.length} sparsified weights (${r.model.sparseLayers.join(', ')}).`,
    '',
    '| stage | test accuracy | test loss | notes |',
    '|---|---|---|---|',
    `| dense | ${pct(r.dense.accuracy)} | ${num(r.dense.loss)} | ${r.dense.epochs} epochs, ${r.dense.epochSeconds.toFixed(1)} s/epoch |`,
    `| pruned | ${pct(r.pruned.accuracy)} | ${num(r.pruned.loss)} | ${(r.pruned.sparsity * 100).toFixed(1)}% of the sparsified weights are zero |`,
    `| fine-tuned | ${pct(r.finetuned.accuracy)} | ${num(r.finetuned.loss)} | ${r.finetuned.epochs} epochs, ${r.finetuned.epochSeconds.toFixed(1)} s/epoch |`,
    `| compressed inference | ${pct(si.accuracy)} | | ${si.maxAbsDiff === null ? (si.note ?? '') : `max abs diff vs masked dense ${si.maxAbsDiff.toExponential(2)}`} |`,
    '',
    `Fine-tuned − dense: ${((r.finetuned.accuracy - r.dense.accuracy) * 100).toFixed(2)} points.`,
    '',
    '## Magnitude kept',
    '',
    `Total: ${num(r.magnitude.default)} without permutation, ${num(r.magnitude.permuted)} with (${r.permute ? `search ${r.magnitude.searchSeconds.toFixed(2)} s` : 'permutation disabled'}).`,
    '',
    '| weight | dense Σ\\|w\\| | kept, no permutation | kept, permuted | gain | permuted? |',
    '|---|---|---|---|---|---|',
    ...r.magnitude.layers.map(
      (l) =>
        `| ${l.name} | ${num(l.dense)} | ${num(l.default)} | ${num(l.permuted)} | ${l.default === 0 ? 'n/a' : `${(((l.permuted - l.default) / l.default) * 100).toFixed(2)}%`} | ${l.touched ? 'yes' : 'no'} |`,
    ),
    '',
    ...(r.magnitude.skipped.length === 0
      ? []
      : [
          'Permutation groups left alone:',
          '',
          ...r.magnitude.skipped.map((s) => `- group ${s.group} (${s.params.join(', ')}): ${s.reason}`),
          '',
        ]),
    '## Forward time',
    '',
    `Batch of ${r.timing.batch}, median of ${r.timing.runs} runs, measured in the same run: dense (masked) ${r.timing.denseForwardMs.toFixed(1)} ms` +
      `${r.timing.sparseForwardMs === null ? '' : `, compressed 2:4 ${r.timing.sparseForwardMs.toFixed(1)} ms`}.`,
    '',
    '![test accuracy](training-accuracy.svg) ![training loss](training-loss.svg) ![magnitude kept](magnitude.svg)',
    '',
    ...(r.comparison === null ? [] : comparisonMarkdown(r.comparison)),
    ...(r.notes.length === 0 ? [] : ['## Notes', '', ...r.notes.map((n) => `- ${n}`), '']),
    '## Files',
    '',
    ...r.files.map((f) => `- ${f}`),
    '',
  ];
  return lines.join('\n');
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Writes the plots, report.md and report.json into `out` (which must exist), adds them to
 * `files`, and sets `seconds` from `elapsed()` just before the JSON is written.
 */
export async function writeReport(out: string, result: DemoResult, elapsed: () => number): Promise<DemoResult> {
  const files = [...result.files];
  const plots: [string, string][] = [
    ['training-accuracy.svg', curvesSvg(result, 'accuracy')],
    ['training-loss.svg', curvesSvg(result, 'loss')],
  ];
  if (result.magnitude.layers.length > 0) plots.push(['magnitude.svg', magnitudeSvg(result)]);
  if (result.comparison !== null) plots.push(['comparison.svg', comparisonSvg(result.comparison)]);
  for (const [name, svg] of plots) {
    await writeFileAtomic(join(out, name), utf8(svg));
    files.push(join(out, name));
  }
  const md = join(out, 'report.md');
  const json = join(out, 'report.json');
  files.push(md, json);
  const final: DemoResult = { ...result, files, seconds: elapsed() };
  await writeFileAtomic(md, utf8(reportMarkdown(final)));
  // JSON has no NaN: a missing value is written as null.
  await writeFileAtomic(
    json,
    utf8(
      `${JSON.stringify(final, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    ),
  );
  return final;
}
