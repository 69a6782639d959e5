/** The comparison's table (report.md) and chart (comparison.svg). */
import { barChart } from './svg.js';
import type { ComparisonRow, DemoComparison } from './types.js';

const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`;
const err = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toExponential(2);

/** 'wanda + permutation', 'SR-STE', 'dense'. */
export function variantLabel(r: ComparisonRow): string {
  const name = r.method === 'sr-ste' ? 'SR-STE' : r.method;
  return r.permuted ? `${name} + perm.` : name;
}

/** Mean of the layers' reconstruction errors that were measured (null when none). */
export function meanReconstructionError(r: ComparisonRow): number | null {
  const e = r.layers.map((l) => l.reconstructionError).filter((v): v is number => v !== null);
  return e.length === 0 ? null : e.reduce((a, b) => a + b, 0) / e.length;
}

export function comparisonMarkdown(c: DemoComparison): string[] {
  const first = c.rows.find((r) => r.layers.length > 0)?.layers[0]?.name ?? 'first layer';
  return [
    '## Comparison',
    '',
    `Every variant starts from the same dense weights (SR-STE from the same initialisation), pattern ${c.pattern}; ` +
      `one-shot methods calibrate on ${c.calibrationImages} training images and fine-tune ${c.finetuneEpochs} epochs with ASP.`,
    '',
    `| variant | one-shot accuracy | after training | epochs | reconstruction error, ${first} | mean reconstruction error | seconds |`,
    '|---|---|---|---|---|---|---|',
    ...c.rows.map(
      (r) =>
        `| ${variantLabel(r)} | ${pct(r.oneShot?.accuracy)} | ${pct(r.trained.accuracy)} | ${r.trained.epochs} | ` +
        `${err(r.layers[0]?.reconstructionError)} | ${err(meanReconstructionError(r))} | ${r.seconds.toFixed(1)} |`,
    ),
    '',
    ...c.notes.map((n) => `- ${n}`),
    ...(c.notes.length === 0 ? [] : ['']),
    '![comparison](comparison.svg)',
    '',
  ];
}

/** Accuracy per variant: one-shot (no retraining) and after training; a missing stage draws no bar. */
export function comparisonSvg(c: DemoComparison): string {
  const values = c.rows.flatMap((r) => [r.oneShot?.accuracy, r.trained.accuracy]);
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).map((v) => v * 100);
  const lo = Math.max(0, Math.floor(Math.min(...finite, 100) / 10) * 10 - 10);
  const bar = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) ? lo : v * 100);
  return barChart(
    c.rows.map((r) => ({ label: variantLabel(r), values: [bar(r.oneShot?.accuracy), bar(r.trained.accuracy)] })),
    ['one-shot', 'after training'],
    {
      title: `test accuracy at ${c.pattern}`,
      xLabel: 'variant',
      yLabel: 'test accuracy (%)',
      yMin: lo,
      yMax: 100,
      width: 760,
    },
  );
}
