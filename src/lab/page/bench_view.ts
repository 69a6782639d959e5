/// <reference lib="dom" />
/** Section 5: the per-mode table (times, speedup, max |Δ| or the error) and a bar chart of the times. */
import type { BenchShape, ModeResult } from './bench.js';
import { el, fmt, table } from './dom.js';

function drawBars(canvas: HTMLCanvasElement, modes: ModeResult[]): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const ran = modes.filter((m) => m.ran);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const top = Math.max(1e-6, ...ran.flatMap((m) => [m.denseMs!, m.sparseMs!]));
  const rowH = 34;
  ctx.font = '12px sans-serif';
  modes.forEach((m, k) => {
    const y = 10 + k * rowH;
    ctx.fillStyle = '#222';
    ctx.fillText(m.mode, 4, y + 14);
    if (!m.ran) {
      ctx.fillStyle = '#a00';
      ctx.fillText('did not run (see the table)', 90, y + 14);
      return;
    }
    const scale = (canvas.width - 200) / top;
    ctx.fillStyle = '#68a';
    ctx.fillRect(90, y, m.denseMs! * scale, 12);
    ctx.fillStyle = '#d62';
    ctx.fillRect(90, y + 14, m.sparseMs! * scale, 12);
    ctx.fillStyle = '#222';
    ctx.fillText(`${fmt(m.denseMs!)} ms`, 94 + m.denseMs! * scale, y + 11);
    ctx.fillText(`${fmt(m.sparseMs!)} ms`, 94 + m.sparseMs! * scale, y + 25);
  });
}

export function renderBench(host: HTMLElement, shape: BenchShape, modes: ModeResult[], tolerance: number): void {
  const diff = (v: number | null): string | number | [string, string] =>
    v === null ? '—' : v <= tolerance ? v : [`${fmt(v)} (over ${tolerance})`, 'err'];
  // A wasm row that ran on fewer threads than its name says shows the threads it ran on, and why.
  const label = (m: ModeResult): string | [string, string] =>
    m.threads === undefined || m.threadsRan === m.threads
      ? m.mode
      : [`${m.mode}: ran on ${m.threadsRan} (${m.threadNote ?? 'unknown reason'})`, 'err'];
  const rows = modes.map((m) =>
    m.ran
      ? [
          label(m),
          m.denseMs!,
          m.sparseMs!,
          `${fmt(m.speedup!)}×`,
          diff(m.maxAbsDiffDense),
          diff(m.maxAbsDiffSparse),
          diff(m.maxAbsDiffModel),
          `${fmt(100 * m.modelAccuracy!)}%`,
        ]
      : [m.mode, [`did not run: ${m.error}`, 'err'] as [string, string], '', '', '', '', '', ''],
  );
  const chart = el('canvas', { width: '640', height: String(20 + 34 * modes.length) });
  drawBars(chart, modes);
  host.replaceChildren(
    el(
      'p',
      {},
      `Linear y = x·Wᵀ with x [${shape.batch}, ${shape.inFeatures}] and W [${shape.outFeatures}, ${shape.inFeatures}] ` +
        'pruned 2:4: dense kernel on the masked W vs the 2:4 kernel on its compressed form (half the multiply-adds). ' +
        'The model is the demo CNN as sparse24 demo trains it on the digits (2:4 with channel permutation, ' +
        'fine-tuned; the server trains it once), converted with toSparseInference and run on the digits test set.',
    ),
    table(
      [
        'mode',
        'dense ms',
        '2:4 ms',
        'dense / 2:4',
        'max |Δ| dense',
        'max |Δ| 2:4',
        'max |Δ| 2:4 model',
        'model accuracy',
      ],
      rows,
    ),
    el('div', {}, el('b', {}, 'median time per call'), ' (blue dense, orange 2:4)'),
    chart,
    el(
      'p',
      { class: 'note' },
      'max |Δ| is against the reference backend’s dense result: float32 sums in another order differ in the last ' +
        'bits, so a few 1e-5 is agreement. Times are this browser’s, medians of 5 calls after a warm-up. ' +
        'wasm/Nt runs the wasm kernels on N threads (Web Workers on one shared memory), which needs a ' +
        'cross-origin isolated page (sparse24 lab sends the headers for it).',
    ),
  );
}
