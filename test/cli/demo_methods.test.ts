import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadSafetensors } from '../../src/io/index.js';
import { isNM } from '../../src/sparse/index.js';
import { capture, withTmp } from './helpers.js';

const SMALL = ['--epochs', '1', '--finetune-epochs', '1', '--train-limit', '200', '--no-compare', '--json'];

describe('sparse24 demo --method (the CNN)', () => {
  it('sr-ste: trains from dense with SR-STE, logs the mask flip rate per epoch, ends 2:4', async () => {
    await withTmp(async (dir) => {
      const out = join(dir, 'r');
      const c = capture();
      expect(await main(['demo', '--method', 'sr-ste', '--out', out, ...SMALL], c.io)).toBe(0);
      const report = JSON.parse(c.out[0]!) as { method: string };
      expect(report.method).toBe('sr-ste');
      const rates = c.err
        .map((l) => /^SR-STE epoch (\d+): mask flip rate (\d+\.\d{3})%$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => Number(m![2]));
      expect(rates).toHaveLength(2);
      expect(rates[1]!).toBeLessThan(rates[0]!); // the masks settle
      const ckpt = await loadSafetensors(join(out, 'checkpoint.safetensors'));
      for (const layer of ['3', '6', '9']) {
        const mask = ckpt.tensors.get(`${layer}.__weight_mma_mask`)!;
        expect(isNM(Uint8Array.from(mask.data as Uint8Array), mask.shape, 2, 4)).toBe(true);
      }
    });
  }, 60_000);

  it('sparsegpt: one-shot on calibration images, then ASP fine-tuning', async () => {
    await withTmp(async (dir) => {
      const c = capture();
      expect(await main(['demo', '--method', 'sparsegpt', '--out', join(dir, 'r'), ...SMALL], c.io)).toBe(0);
      const report = JSON.parse(c.out[0]!) as { method: string; pruned: { sparsity: number } };
      expect(report.method).toBe('sparsegpt');
      expect(report.pruned.sparsity).toBe(0.5);
    });
  }, 60_000);
});
