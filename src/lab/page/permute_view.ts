/// <reference lib="dom" />
/**
 * Section 3: a live channel-permutation search. The worker reports progress (the bar, the message)
 * and, after each greedy pass, the best permutation so far: the columns of the heatmap slide to
 * their places in it and the kept magnitude shown (and its curve) rises. When the search ends the
 * heatmap holds the search's result, drawn with its 2:4 mask, beside the kept magnitude before,
 * after and the unstructured bound.
 */
import { el, fmt, onFrame, pct, table } from './dom.js';
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
  /** Greedy passes that changed the order. */
  readonly passes: number;
  /** Distinct column orders drawn while the search ran, after the starting one; the last is the result. */
  readonly drawn: number;
  /** Kept 2:4 magnitude shown with the starting order and with each order drawn after it. */
  readonly keptSequence: number[];
  readonly permutation: Int32Array;
}

type Reply<T extends PermuteReply['type']> = Extract<PermuteReply, { type: T }>;

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

/**
 * Plays column moves on a heatmap one after another: each slides every column from its place in
 * the order drawn before to its place in the next (drawn column j shows matrix column order[j]).
 * Moves queue up while the search runs faster than they play; the queue plays them faster then.
 */
class ColumnMover {
  #shown: Int32Array;
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly w: LabWeight,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#shown = Int32Array.from({ length: w.cols }, (_, j) => j);
    drawHeatmap(canvas, w.view, w.rows, w.cols);
  }

  /** Queues a move to `order`; `onDrawn` runs once it is on the canvas. */
  moveTo(order: Int32Array, onDrawn: () => void): void {
    this.#queued++;
    this.#chain = this.#chain.then(async () => {
      const ms = Math.max(60, 450 / this.#queued);
      await this.#slide(this.#shown, order, ms);
      this.#queued--;
      if (this.signal?.aborted === true) return;
      this.#shown = order;
      onDrawn();
    });
  }

  /** Resolves when every queued move has been drawn. */
  idle(): Promise<void> {
    return this.#chain;
  }

  #slide(from: Int32Array, to: Int32Array, ms: number): Promise<void> {
    const { canvas, w } = this;
    const fromX = new Float64Array(w.cols);
    from.forEach((c, j) => (fromX[c] = j));
    const start = performance.now();
    return new Promise((resolve) => {
      const frame = (now: number): void => {
        if (this.signal?.aborted === true) return resolve();
        const t = Math.min(1, (now - start) / ms);
        const ease = t * t * (3 - 2 * t);
        drawHeatmap(canvas, w.view, w.rows, w.cols, {
          order: to,
          xOf: (j) => fromX[to[j]!]! + (j - fromX[to[j]!]!) * ease,
        });
        if (t < 1) onFrame(frame);
        else resolve();
      };
      onFrame(frame);
    });
  }
}

function permutedWeight(w: LabWeight, p: Int32Array): LabWeight {
  const out = new Float32Array(w.view.length);
  for (let r = 0; r < w.rows; r++) for (let j = 0; j < w.cols; j++) out[r * w.cols + j] = w.view[r * w.cols + p[j]!]!;
  return labWeight(`${w.name}, permuted`, [w.rows, w.cols], out);
}

function abortError(): Error {
  return new DOMException('the permutation search was replaced by a newer one', 'AbortError');
}

/**
 * The worker, kept between searches: starting one loads and compiles /sparse24.js again, which can
 * take seconds. A search that is aborted or fails terminates it; the next search starts a new one.
 */
let spare: Worker | null = null;

/** Starts the permutation worker now, so the first search does not wait for it to load. */
export function warmPermutationWorker(): void {
  spare ??= new Worker('/worker.js', { type: 'module' });
}

/** Runs the worker; `onReply` sees every message before 'done'. Aborting `signal` stops the worker. */
function runWorker(
  req: PermuteRequest,
  onReply: (m: Reply<'start' | 'progress' | 'step'>) => void,
  signal: AbortSignal | undefined,
): Promise<Reply<'done'>> {
  if (signal?.aborted === true) return Promise.reject(abortError());
  const worker = spare ?? new Worker('/worker.js', { type: 'module' });
  spare = null;
  return new Promise<Reply<'done'>>((resolve, reject) => {
    const stop = (): void => {
      worker.terminate();
      reject(abortError());
    };
    signal?.addEventListener('abort', stop, { once: true });
    const finish = (keep: boolean): void => {
      signal?.removeEventListener('abort', stop);
      worker.onmessage = null;
      worker.onerror = null;
      if (keep && spare === null) spare = worker;
      else worker.terminate();
    };
    worker.onmessage = (e: MessageEvent<PermuteReply>) => {
      const m = e.data;
      if (m.type === 'done') {
        finish(true);
        resolve(m);
      } else if (m.type === 'error') {
        finish(false);
        reject(new Error(`permutation search: ${m.message}`));
      } else onReply(m);
    };
    worker.onerror = (e) => {
      finish(false);
      reject(new Error(`permutation worker: ${e.message}`));
    };
    worker.postMessage(req, [req.matrix.buffer]);
  });
}

/**
 * Runs the search on `w` and shows it; resolves with the outcome when the last move has played.
 * Aborting `signal` (a newer weight was picked) stops the worker and rejects with an AbortError.
 */
export async function runPermutation(
  host: HTMLElement,
  w: LabWeight,
  timeLimit: number,
  signal?: AbortSignal,
): Promise<PermuteOutcome> {
  const status = el('div', { class: 'mono' }, 'searching (osg, in a Web Worker)…');
  const bar = el('progress', { max: String(timeLimit), value: '0' });
  const chart = el('canvas', { width: '320', height: '120' });
  const keptLine = el('div', { class: 'mono' }, 'kept 2:4 magnitude: …');
  const matrix = el('canvas', { class: 'heatmap' });
  const after = el('div');
  host.replaceChildren(
    el('div', {}, bar, ' ', status),
    el(
      'div',
      { class: 'row' },
      el('div', { class: 'card' }, el('b', {}, 'kept 2:4 magnitude'), chart, keptLine),
      el(
        'div',
        { class: 'card' },
        matrix,
        el('div', { class: 'note' }, 'columns move as the search finds a better order'),
      ),
    ),
    after,
  );
  const mover = new ColumnMover(matrix, w, signal);
  const base = maskStats(w, 'm4n2_1d').keptFraction;
  const points: [number, number][] = [];
  const keptSequence: number[] = [];
  const drawnOrders = new Set<string>();
  let lo = 0;
  let hi = 1;
  let reports = 0;
  const show = (kept: number, what: string): void => {
    keptSequence.push(kept);
    keptLine.textContent = `${what}: ${fmt(kept)} (${pct((kept - lo) / Math.max(1e-30, hi - lo))} of the way to the bound)`;
  };
  const queue = (order: Int32Array, kept: number, what: string): void => {
    mover.moveTo(order, () => {
      drawnOrders.add(order.join(','));
      show(kept, what);
    });
  };
  const done = await runWorker(
    { matrix: w.view.slice(), rows: w.rows, cols: w.cols, timeLimit },
    (m) => {
      if (m.type === 'start') {
        lo = m.default24;
        hi = m.bound;
        points.push([0, m.default24]);
        show(m.default24, 'columns as they are');
      } else {
        reports++;
        bar.value = Math.min(timeLimit, m.elapsed);
        if (m.type === 'progress') status.textContent = m.message;
        else {
          status.textContent = `osg pass ${m.pass}: kept ${fmt(m.kept)} (${m.elapsed.toFixed(1)} s of ${timeLimit} s)`;
          queue(m.permutation, m.kept, `after pass ${m.pass}`);
        }
        if (m.kept !== null) points.push([m.elapsed, m.kept]);
      }
      drawProgress(chart, points, lo, hi);
    },
    signal,
  );
  bar.value = timeLimit;
  points.push([Math.max(done.seconds, points.at(-1)?.[0] ?? 0), done.permuted]);
  drawProgress(chart, points, done.default24, done.bound);
  status.textContent =
    `done in ${fmt(done.seconds)} s (${done.stopped}); ${done.passes} pass(es) changed the order, ` +
    `${reports} progress report(s)`;
  await mover.idle();
  if (signal?.aborted === true) throw abortError();
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
  return {
    default24: done.default24,
    permuted: done.permuted,
    bound: done.bound,
    efficacy: done.efficacy,
    seconds: done.seconds,
    stopped: done.stopped,
    progressReports: reports,
    passes: done.passes,
    drawn: drawnOrders.size,
    keptSequence,
    permutation: done.permutation,
  };
}
