import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import type { DemoResult } from '../../src/demo/index.js';
import { capture, withTmp } from './helpers.js';

const SMALL = ['--epochs', '2', '--finetune-epochs', '1', '--train-limit', '320', '--quiet', '--json'];

describe('sparse24 demo --model vit (the comparison on a small budget)', () => {
  it('compares dense, one-shot magnitude/Wanda/SparseGPT, each fine-tuned, with and without permutation, and SR-STE', async () => {
    await withTmp(async (dir) => {
      const out = join(dir, 'vit');
      const c = capture();
      expect(await main(['demo', '--model', 'vit', '--out', out, ...SMALL], c.io)).toBe(0);
      const r = JSON.parse(c.out[0]!) as DemoResult;
      expect(r).toMatchObject({ architecture: 'vit', method: 'magnitude', dataset: 'digits' });
      expect(r.model.sparseLayers).toHaveLength(8);
      const cmp = r.comparison!;
      expect(cmp).toMatchObject({ pattern: '2:4', calibrationImages: 256, finetuneEpochs: 1 });
      const key = (x: (typeof cmp.rows)[number]): string => `${x.method}${x.permuted ? '+p' : ''}`;
      expect(cmp.rows.map(key)).toEqual([
        'dense',
        'magnitude',
        'wanda',
        'sparsegpt',
        'magnitude+p',
        'wanda+p',
        'sparsegpt+p',
        'sr-ste',
      ]);
      const byKey = new Map(cmp.rows.map((x) => [key(x), x]));
      expect(byKey.get('dense')!.trained.accuracy).toBe(r.dense.accuracy);
      expect(byKey.get('sr-ste')!.trained.epochs).toBe(3);
      for (const row of cmp.rows.filter((x) => x.method !== 'dense')) {
        // Every pruned variant's checkpoint is 2:4 for `sparse24 check`, masks in apex's buffers.
        expect(r.files).toContain(row.checkpoint);
        const k = capture();
        expect(await main(['check', row.checkpoint!, '--json', '--strict'], k.io)).toBe(0);
        const report = JSON.parse(k.out[0]!) as CheckReport;
        expect(report.verdict).toBe('sparse');
        expect(report.tensors.filter((t) => t.name.endsWith('_mma_mask')).length).toBe(8);
        expect(row.trained.accuracy).toBeGreaterThanOrEqual(0);
        expect(row.trained.accuracy).toBeLessThanOrEqual(1);
      }
      for (const permuted of ['', '+p']) {
        const mag = byKey.get(`magnitude${permuted}`)!;
        const gpt = byKey.get(`sparsegpt${permuted}`)!;
        const wanda = byKey.get(`wanda${permuted}`)!;
        // The first layer sees the same calibration rows under every method: SparseGPT minimises that error.
        expect(gpt.layers[0]!.name).toBe('blocks.0.attn.in_proj_weight');
        expect(gpt.layers[0]!.method).toBe('sparsegpt');
        expect(gpt.layers[0]!.rows).toBe(256 * 16);
        expect(gpt.layers[0]!.reconstructionError!).toBeLessThanOrEqual(mag.layers[0]!.reconstructionError!);
        expect(gpt.layers[0]!.reconstructionError!).toBeLessThanOrEqual(wanda.layers[0]!.reconstructionError!);
        for (const row of [mag, gpt, wanda]) expect(row.layers.map((l) => l.name)).toEqual(r.model.sparseLayers);
      }
      const md = await readFile(join(out, 'report.md'), 'utf8');
      expect(md).toContain('## Comparison');
      expect(md).toContain('| sparsegpt + perm. |');
      expect(md).toContain('![comparison](comparison.svg)');
      const svg = await readFile(join(out, 'comparison.svg'), 'utf8');
      expect(svg).toContain('SR-STE');
      expect(r.files).toContain(join(out, 'comparison.svg'));
      const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as DemoResult;
      expect(json.comparison!.rows).toHaveLength(8);
    });
  }, 300_000);
});
