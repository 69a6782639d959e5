/// <reference lib="dom" />
/**
 * Section 3: a live channel-permutation search. The worker reports progress (drawn as the kept
 * magnitude over time); when it finishes, the columns of the heatmap slide to their new places and
 * the permuted matrix is shown with its 2:4 mask.
 */
import { el, fmt, pct, table } from './dom.js';
import { drawHeatmap } from './heatmap.js';
import { maskStats } from './mask_stats.js';
import type { PermuteReply, PermuteRequest } from './permute_protocol.js';
import { type LabWeight, labWeight } from './weights.js';

export interface PermuteOutcome {
  readonly default24: number;
  readonly permuted: number;
  readonly bound: number;
  readonly efficacy: number;
  readonly seconds: number;
  readonly stopped: string;
  readonly progressReports: number;
  readonly permutation: Int32Array;
}

type Done = Extract<PermuteReply, { type: 'done' }>;

function drawProgress(canvas: HTMLCanvasElement, points: [number, number][], lo: number, hi: number): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tMax = Math.max(1e-3, ...points.map((p) => p[0]));
  const y = (v: number): number => canvas.height - 8 - ((v - lo) / Math.max(1e-12, hi - lo)) * (canvas.height - 16);
  ctx.strokeStyle = '#888';
  ctx.setLineDash([4, 4]);
  for (const v of [lo, hi]) {
    ctx.beginPath();
    ctx.moveTo(0, y(v));
    ctx.lineTo(canvas.width, y(v));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = '#c03';
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach(([t, v], i) => {
    const x = 4 + (t / tMax) * (canvas.width - 8);
    if (i === 0) ctx.moveTo(x, y(v));
    else ctx.lineTo(x, y(v));
  });
  ctx.stroke();
}

/** Slides each column from its old x to its new one over `ms`. */
function animateColumns(canvas: HTMLCanvasElement, w: LabWeight, permutation: Int32Array, ms: number): Promise<void> {
  const target = new Int32Array(w.cols);
  permutation.forEach((src, j) => (target[src] = j));
  const start = performance.now();
  return new Promise((resolve) => {
    const frame = (now: number): void => {
      const t = Math.min(1, (now - start) / ms);
      const ease = t * t * (3 - 2 * t);
      drawHeatmap(canvas, w.view, w.rows, w.cols, { xOf: (j) => j + (target[j]! - j) * ease });
      if (t < 1) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame(frame);
  });
}

function permutedWeight(w: LabWeight, p: Int32Array): LabWeight {
  const out = new Float32Array(w.view.length);
  for (let r = 0; r < w.rows; r++) for (let j = 0; j < w.cols; j++) out[r * w.cols + j] = w.view[r * w.cols + p[j]!]!;
  return labWeight(`${w.name}, permuted`, [w.rows, w.cols], out);
}

function runWorker(
  req: PermuteRequest,
  onProgress: (m: Extract<PermuteReply, { type: 'progress' }>) => void,
): Promise<Done> {
  const worker = new Worker('/worker.js', { type: 'module' });
  return new Promise<Done>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<PermuteReply>) => {
      const m = e.data;
      if (m.type === 'progress') onProgress(m);
      else {
        worker.terminate();
        if (m.type === 'done') resolve(m);
        else reject(new Error(`permutation search: ${m.message}`));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`permutation worker: ${e.message}`));
    };
    worker.postMessage(req, [req.matrix.buffer]);
  });
}

/** Runs the search on `w` and shows it; resolves with the outcome when the animation has played. */
export async function runPermutation(host: HTMLElement, w: LabWeight, timeLimit: number): Promise<PermuteOutcome> {
  const status = el('div', { class: 'mono' }, 'searching (osg, in a Web Worker)…');
  const bar = el('progress', { max: String(timeLimit), value: '0' });
  const chart = el('canvas', { width: '320', height: '120' });
  const matrix = el('canvas', { class: 'heatmap' });
  const after = el('div');
  drawHeatmap(matrix, w.view, w.rows, w.cols);
  host.replaceChildren(
    el('div', {}, bar, ' ', status),
    el('div', { class: 'row' }, el('div', { class: 'card' }, el('b', {}, 'kept 2:4 magnitude'), chart), matrix),
    after,
  );
  const base = maskStats(w, 'm4n2_1d').keptFraction;
  const points: [number, number][] = [];
  let reports = 0;
  const done = await runWorker({ matrix: w.view.slice(), rows: w.rows, cols: w.cols, timeLimit }, (m) => {
    reports++;
    bar.value = Math.min(timeLimit, m.elapsed);
    status.textContent = m.message;
    if (m.kept !== null) points.push([m.elapsed, m.kept]);
  });
  bar.value = timeLimit;
  points.unshift([0, done.default24]);
  points.push([Math.max(done.seconds, points.at(-1)?.[0] ?? 0), done.permuted]);
  drawProgress(chart, points, done.default24, done.bound);
  status.textContent = `done in ${fmt(done.seconds)} s (${done.stopped}); ${reports} progress report(s)`;
  await animateColumns(matrix, w, done.permutation, 1200);
  const p = permutedWeight(w, done.permutation);
  const kept = maskStats(p, 'm4n2_1d');
  drawHeatmap(matrix, p.view, p.rows, p.cols, { mask: kept.mask!, violations: [] });
  after.replaceChildren(
    table(
      ['', 'Σ|w| kept', 'share'],
      [
        ['2:4, columns as they are', done.default24, pct(base)],
        ['2:4, after the permutation', done.permuted, pct(kept.keptFraction)],
        ['50% per row, unstructured (the bound)', done.bound, pct(done.bound / Math.max(1e-30, done.unpruned))],
      ],
    ),
    el(
      'p',
      { class: 'note' },
      `Efficacy ${fmt(done.efficacy)}: the share of the gap to the bound the permutation closed. ` +
        'Permuting a layer’s input channels is free at inference if the previous layer’s output channels are ' +
        'permuted the same way; the model computes the same function.',
    ),
  );
  return { ...done, progressReports: reports };
}
