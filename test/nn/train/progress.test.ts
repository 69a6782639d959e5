import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/tensor/index.js';
import {
  type EpochSummary,
  Progress,
  formatBar,
  formatEpochLine,
  formatStepLine,
} from '../../../src/nn/train/index.js';

function recorder(isTTY: boolean): { chunks: string[]; stream: { isTTY: boolean; write(s: string): void } } {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => void chunks.push(s) } };
}

const summary: EpochSummary = {
  epoch: 1,
  epochs: 3,
  trainLoss: 0.123456,
  trainAccuracy: 0.9612,
  testLoss: 0.2,
  testAccuracy: 0.95,
  seconds: 1.26,
};

describe('formatting', () => {
  it('draws bars with a head until full', () => {
    expect(formatBar(0, 4)).toBe('[>   ]');
    expect(formatBar(0.5, 4)).toBe('[==> ]');
    expect(formatBar(1, 4)).toBe('[====]');
    expect(formatBar(7, 4)).toBe('[====]');
    expect(formatBar(Number.NaN, 4)).toBe('[>   ]');
  });

  it('formats step and epoch lines, 1-based', () => {
    expect(formatStepLine(0, 5, 12, 48, 0.5)).toBe('epoch 1/5 [======>                 ] 12/48 loss 0.5000');
    expect(formatEpochLine(summary)).toBe(
      'epoch 2/3 train loss 0.1235 acc 96.12% | test loss 0.2000 acc 95.00% | 1.3s',
    );
    const { testLoss: _l, testAccuracy: _a, ...noTest } = summary;
    expect(formatEpochLine(noTest)).toBe('epoch 2/3 train loss 0.1235 acc 96.12% | 1.3s');
  });
});

describe('Progress', () => {
  it('redraws one line with \\r on a TTY, throttled, and always draws the last step', () => {
    const { chunks, stream } = recorder(true);
    let t = 0;
    const p = new Progress({ stream, intervalMs: 100, now: () => t });
    p.startEpoch(0, 2, 4);
    p.update(1, 1.0); // drawn (first)
    t = 50;
    p.update(2, 0.9); // throttled
    t = 160;
    p.update(3, 0.8); // drawn
    t = 170;
    p.update(4, 0.7); // last step: drawn despite the throttle
    p.endEpoch({ ...summary, epoch: 0, epochs: 2 });
    expect(chunks).toEqual([
      '\repoch 1/2 [======>                 ] 1/4 loss 1.0000\x1b[K',
      '\repoch 1/2 [==================>     ] 3/4 loss 0.8000\x1b[K',
      '\repoch 1/2 [========================] 4/4 loss 0.7000\x1b[K',
      '\r\x1b[Kepoch 1/2 train loss 0.1235 acc 96.12% | test loss 0.2000 acc 95.00% | 1.3s\n',
    ]);
  });

  it('writes only plain lines without a TTY (no \\r, no escapes)', () => {
    const { chunks, stream } = recorder(false);
    const p = new Progress({ stream, now: () => 0 });
    p.startEpoch(1, 3, 10);
    for (let s = 1; s <= 10; s++) p.update(s, 0.5);
    p.endEpoch(summary);
    expect(chunks).toEqual(['epoch 2/3 train loss 0.1235 acc 96.12% | test loss 0.2000 acc 95.00% | 1.3s\n']);
  });

  it('logs every n steps without a TTY when asked, and tty overrides the stream', () => {
    const { chunks, stream } = recorder(true);
    const p = new Progress({ stream, tty: false, logEvery: 2 });
    p.startEpoch(0, 1, 5);
    for (let s = 1; s <= 5; s++) p.update(s, s / 10);
    expect(chunks).toEqual(['epoch 1/1 step 2/5 loss 0.2000\n', 'epoch 1/1 step 4/5 loss 0.4000\n']);
  });

  it('writes nothing when quiet', () => {
    const { chunks, stream } = recorder(true);
    const p = new Progress({ stream, quiet: true });
    p.startEpoch(0, 1, 1);
    p.update(1, 0.1);
    p.endEpoch(summary);
    expect(chunks).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => new Progress({ intervalMs: -1 })).toThrow(ValueError);
    expect(() => new Progress({ logEvery: 1.5 })).toThrow(/logEvery must be a non-negative integer, got 1.5/);
  });
});
