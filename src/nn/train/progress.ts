import { ValueError } from '../../tensor/index.js';

/** Where progress goes: `process.stderr` by default; anything with `write` (tests pass a recorder). */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** A terminal gets a redrawn bar; anything else gets plain lines. */
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Default `process.stderr`, so stdout stays free for results. */
  stream?: ProgressStream;
  /** Write nothing at all. */
  quiet?: boolean;
  /** Overrides `stream.isTTY` (e.g. to force plain lines on a terminal). */
  tty?: boolean;
  /**
   * Minimum time between two redraws of the bar, in ms (default 100): redrawing every step would
   * cost more than small steps.
   */
  intervalMs?: number;
  /** Without a TTY, also log a line every this many steps (default 0: one line per epoch only). */
  logEvery?: number;
  /** Clock in ms (tests inject one); default `performance.now`. */
  now?: () => number;
}

/** What an epoch's closing line reports. */
export interface EpochSummary {
  /** 0-based; printed 1-based. */
  epoch: number;
  epochs: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  seconds: number;
}

const BAR_WIDTH = 24;

/** `[=======>        ]`: `fraction` of `width` cells filled, the head marked with '>' until full. */
export function formatBar(fraction: number, width = BAR_WIDTH): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(f * width);
  if (filled >= width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}]`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** `epoch 2/5 train loss 0.1234 acc 96.10% | test loss 0.2000 acc 95.00% | 1.3s` */
export function formatEpochLine(s: EpochSummary): string {
  let line = `epoch ${s.epoch + 1}/${s.epochs} train loss ${s.trainLoss.toFixed(4)} acc ${pct(s.trainAccuracy)}`;
  if (s.testLoss !== undefined && s.testAccuracy !== undefined)
    line += ` | test loss ${s.testLoss.toFixed(4)} acc ${pct(s.testAccuracy)}`;
  return `${line} | ${s.seconds.toFixed(1)}s`;
}

/** `epoch 2/5 [=====>    ] 12/45 loss 0.1234` — the bar line a TTY sees while an epoch runs. */
export function formatStepLine(epoch: number, epochs: number, step: number, steps: number, loss: number): string {
  return `epoch ${epoch + 1}/${epochs} ${formatBar(steps === 0 ? 1 : step / steps)} ${step}/${steps} loss ${loss.toFixed(4)}`;
}

/**
 * Reports a training run. On a TTY the current epoch is one line redrawn in place with '\r' (at
 * most every `intervalMs`, and always at the last step) and replaced by the epoch summary; on
 * anything else (a log file, CI) each epoch writes one plain summary line, and optionally a line
 * every `logEvery` steps.
 */
export class Progress {
  readonly #stream: ProgressStream | null;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  readonly #logEvery: number;
  readonly #now: () => number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #epoch = 0;
  #epochs = 0;
  #steps = 0;
  #drawn = false;

  constructor(options: ProgressOptions = {}) {
    const intervalMs = options.intervalMs ?? 100;
    const logEvery = options.logEvery ?? 0;
    if (!(intervalMs >= 0)) throw new ValueError(`Progress: intervalMs must be >= 0, got ${intervalMs}`);
    if (!Number.isInteger(logEvery) || logEvery < 0)
      throw new ValueError(`Progress: logEvery must be a non-negative integer, got ${logEvery}`);
    this.#stream = options.quiet === true ? null : (options.stream ?? process.stderr);
    this.#tty = options.tty ?? this.#stream?.isTTY === true;
    this.#intervalMs = intervalMs;
    this.#logEvery = logEvery;
    this.#now = options.now ?? (() => performance.now());
  }

  startEpoch(epoch: number, epochs: number, steps: number): void {
    this.#epoch = epoch;
    this.#epochs = epochs;
    this.#steps = steps;
    this.#lastDraw = Number.NEGATIVE_INFINITY;
    this.#drawn = false;
  }

  /** `step` steps of the epoch are done; `loss` is the running mean loss so far. */
  update(step: number, loss: number): void {
    const out = this.#stream;
    if (out === null) return;
    if (!this.#tty) {
      if (this.#logEvery > 0 && step % this.#logEvery === 0) {
        out.write(`epoch ${this.#epoch + 1}/${this.#epochs} step ${step}/${this.#steps} loss ${loss.toFixed(4)}\n`);
      }
      return;
    }
    const t = this.#now();
    if (step < this.#steps && t - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = t;
    this.#drawn = true;
    // \x1b[K clears what a longer previous line left to the right.
    out.write(`\r${formatStepLine(this.#epoch, this.#epochs, step, this.#steps, loss)}\x1b[K`);
  }

  endEpoch(summary: EpochSummary): void {
    const out = this.#stream;
    if (out === null) return;
    out.write(`${this.#tty && this.#drawn ? '\r\x1b[K' : ''}${formatEpochLine(summary)}\n`);
  }
}
