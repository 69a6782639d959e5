/// <reference lib="dom" />
/** Section 2: the weight as a heatmap, then one heatmap per mask pattern with what it keeps. */
import { el, pct, table } from './dom.js';
import { drawHeatmap, heatmapCaption } from './heatmap.js';
import { type MaskStats, maskStats, violatingGroups } from './mask_stats.js';
import type { LabWeight } from './weights.js';

export const LAB_PATTERNS = ['m4n2_1d', 'm4n2_2d_best'] as const;

function heatmapCard(title: string, note: string, draw: (c: HTMLCanvasElement) => void): HTMLElement {
  const canvas = el('canvas', { class: 'heatmap' });
  draw(canvas);
  return el('div', { class: 'card' }, el('div', {}, el('b', {}, title)), canvas, el('div', { class: 'note' }, note));
}

/** The weight's own heatmap, with the groups that already break 2:4 (a dense weight: all of them). */
export function renderWeight(host: HTMLElement, w: LabWeight): void {
  const raw = violatingGroups(w.view, w.rows, w.cols);
  const groups = (w.rows * w.cols) / 4;
  host.replaceChildren(
    heatmapCard(
      `${w.name} [${w.shape.join(', ')}]`,
      `2-D view ${heatmapCaption(w.rows, w.cols)}; red positive, blue negative. ` +
        `${raw.length} of ${groups} groups of 4 hold more than 2 nonzeros (TensorRT would not run it sparse).`,
      (c) => drawHeatmap(c, w.view, w.rows, w.cols),
    ),
  );
}

/** Masks of the built-in 2:4 patterns and of `nm` ('N:M'); returns their statistics. */
export function renderMasks(host: HTMLElement, w: LabWeight, nm: string): MaskStats[] {
  const stats = [...LAB_PATTERNS, nm].map((p) => maskStats(w, p));
  const cards = stats.map((s) =>
    s.mask === null
      ? el('div', { class: 'card' }, el('b', {}, s.pattern), el('div', { class: 'note' }, `not applicable: ${s.error}`))
      : heatmapCard(
          s.pattern,
          `keeps ${pct(s.keptFraction)} of Σ|w|; ${s.violations.length} TensorRT 2:4 violation(s) outlined`,
          (c) => drawHeatmap(c, w.view, w.rows, w.cols, { mask: s.mask!, violations: s.violations }),
        ),
  );
  // One row per pattern; the last column (why a pattern does not apply) only when one does not.
  const failed = stats.some((s) => s.error !== null);
  const head = ['pattern', 'share of Σ|w| kept', 'Σ|w| kept', 'groups of 4 keeping > 2 (TensorRT rejects)'];
  const rows = stats.map((s) => {
    const cells: (string | number | [string, string])[] =
      s.error === null
        ? [s.pattern, [pct(s.keptFraction), 'num'], s.keptMagnitude, s.violations.length]
        : [s.pattern, '—', '—', '—'];
    if (failed) cells.push(s.error === null ? '' : [`not applicable: ${s.error}`, 'err']);
    return cells;
  });
  host.replaceChildren(
    el('div', { class: 'row' }, ...cards),
    table(failed ? [...head, 'note'] : head, rows),
    el(
      'p',
      { class: 'note' },
      'Dark cells are pruned. m4n2_1d keeps the 2 largest of every 4 input channels; m4n2_2d_best picks, for each ' +
        '4×4 block, the best pattern that is 2:4 along rows and columns (transposable, for the backward pass). ' +
        'An N:M mask with M > 4 may keep 3 or 4 of some group of 4 — outlined — and TensorRT cannot run it.',
    ),
  );
  return stats;
}
