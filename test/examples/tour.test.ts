import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '../../src/io/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tour = readFileSync(join(root, 'examples', 'tour.ts'), 'utf8');

describe('the README tour (examples/tour.ts)', () => {
  it('appears in the README verbatim', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${tour.trimEnd()}\n\`\`\``);
  });

  it('runs as written: trains, prunes, fine-tunes, saves and compresses', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sparse24-tour-'));
    try {
      // tsx maps the 'sparse24' import to src/index.ts through tsconfig's paths.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          '--tsconfig',
          join(root, 'tsconfig.json'),
          join(root, 'examples', 'tour.ts'),
        ],
        { cwd, timeout: 120_000 },
      );
      const acc = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' '))
          .map(([k, v]) => [k, Number(v)]),
      );
      expect(Object.keys(acc)).toEqual(['dense', 'pruned', 'fine-tuned', 'compressed']);
      expect(acc['dense']).toBeGreaterThanOrEqual(0.95);
      expect(acc['fine-tuned']).toBeGreaterThanOrEqual(0.95);
      // Compressed inference computes the masked model's function: same predictions.
      expect(acc['compressed']).toBe(acc['fine-tuned']);
      const ckpt = await loadSafetensors(join(cwd, 'tour.safetensors'));
      expect(ckpt.tensors.get('2.__weight_mma_mask')?.dtype).toBe('BOOL');
      expect(existsSync(join(cwd, 'tour.safetensors.optim.safetensors'))).toBe(true);
      const compressed = await loadSafetensors(join(cwd, 'tour.cutlass24.safetensors'));
      expect(compressed.metadata).toEqual({ format: 'pt', sparse24_format: 'cutlass-24' });
      // The one pruned layer is Conv 2 (Conv 0 has 1 input channel, the Linear [10, 2048] fails
      // apex's tensor-core rule); the CUTLASS layout is 2-D only, so it is stored dense with its mask.
      expect([...compressed.tensors.keys()].sort()).toEqual([
        '0.bias',
        '0.weight',
        '2.__weight_mma_mask',
        '2.bias',
        '2.weight',
        '5.bias',
        '5.weight',
      ]);
      expect(compressed.tensors.get('2.__weight_mma_mask')?.dtype).toBe('BOOL');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
