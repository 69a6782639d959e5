import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadSafetensors } from '../../src/io/index.js';
import { digitsDataset, digitsStats } from '../../src/nn/data/index.js';
import { capture, withTmp } from './helpers.js';

const SMALL = ['--epochs', '1', '--finetune-epochs', '1', '--train-limit', '400', '--quiet'];

interface DemoJson {
  dataset: string;
  dense: { accuracy: number };
  pruned: { accuracy: number; sparsity: number };
  finetuned: { accuracy: number };
  sparseInference: {
    accuracy: number | null;
    maxAbsDiff: number | null;
    note: string | null;
    convertedLayers: string[];
  };
  magnitude: {
    default: number;
    permuted: number;
    layers: { name: string; default: number; permuted: number; touched: boolean }[];
  };
  timing: { denseForwardMs: number; sparseForwardMs: number | null };
  seconds: number;
  files: string[];
  inputNormalization: { subtract: number; divide: number; pixel: string };
}

function checkAccuracies(r: DemoJson): void {
  for (const a of [r.dense.accuracy, r.pruned.accuracy, r.finetuned.accuracy]) {
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThanOrEqual(1);
  }
}

describe('sparse24 demo (in process)', () => {
  it('runs the whole recipe on digits and writes every file it lists', async () => {
    await withTmp(async (dir) => {
      const out = join(dir, 'report');
      const { io, out: stdout } = capture();
      const code = await main(['demo', '--json', '--out', out, '--seed', '1', ...SMALL], io);
      expect(code).toBe(0);
      expect(stdout).toHaveLength(1);
      const r = JSON.parse(stdout[0]!) as DemoJson;
      expect(r.dataset).toBe('digits');
      checkAccuracies(r);
      // 400 images and one short epoch each: barely trained, but above the 10% of guessing.
      expect(r.finetuned.accuracy).toBeGreaterThan(0.15);
      expect(r.pruned.sparsity).toBe(0.5);
      expect(r.sparseInference.convertedLayers).toEqual(['3', '6', '9']);
      expect(r.sparseInference.maxAbsDiff!).toBeLessThan(1e-4);
      expect(r.sparseInference.accuracy).toBe(r.finetuned.accuracy);
      expect(r.timing.denseForwardMs).toBeGreaterThan(0);
      expect(r.timing.sparseForwardMs!).toBeGreaterThan(0);
      expect(r.seconds).toBeGreaterThan(0);
      // Permutation never loses, and gains on every layer whose channels it reordered.
      expect(r.magnitude.layers.map((l) => l.name)).toEqual(['3.weight', '6.weight', '9.weight']);
      for (const l of r.magnitude.layers) {
        if (l.touched) expect(l.permuted).toBeGreaterThan(l.default);
        else expect(l.permuted).toBeCloseTo(l.default, 3);
      }
      expect(r.magnitude.layers.some((l) => l.touched)).toBe(true);
      expect(r.magnitude.permuted).toBeGreaterThan(r.magnitude.default);

      const names = [
        'checkpoint.safetensors',
        'report.json',
        'report.md',
        'training-accuracy.svg',
        'training-loss.svg',
        'model.onnx',
      ];
      expect(r.files.map((f) => f.slice(out.length + 1)).sort()).toEqual(
        [...names, 'magnitude.svg', 'compressed-tensors/model.safetensors', 'compressed-tensors/config.json'].sort(),
      );
      expect((await readdir(out)).sort()).toEqual([...names, 'magnitude.svg', 'compressed-tensors'].sort());
      expect((await readdir(join(out, 'compressed-tensors'))).sort()).toEqual(['config.json', 'model.safetensors']);

      const ckpt = await loadSafetensors(join(out, 'checkpoint.safetensors'));
      expect(ckpt.tensors.get('3.__weight_mma_mask')?.dtype).toBe('BOOL');
      expect(ckpt.tensors.get('9.__weight_mma_mask')?.shape).toEqual([64, 128]);
      expect(ckpt.tensors.get('9.weight')?.dtype).toBe('F32');
      expect(ckpt.tensors.has('0.__weight_mma_mask')).toBe(false);
      // compressed-tensors' sparse-24-bitmask, keyed by module; float32 values (the default) are lossless.
      const exported = await loadSafetensors(join(out, 'compressed-tensors', 'model.safetensors'));
      expect(exported.tensors.has('9.weight')).toBe(false);
      const comp = exported.tensors.get('9.compressed')!;
      expect([comp.dtype, comp.shape]).toEqual(['F32', [64, 64]]);
      const bits = exported.tensors.get('9.bitmask')!;
      expect([bits.dtype, bits.shape]).toEqual(['U8', [64, 16]]);
      const shape = exported.tensors.get('9.shape')!;
      expect([shape.dtype, shape.shape, Array.from(shape.data as BigInt64Array)]).toEqual(['I64', [2, 1], [64n, 128n]]);
      const config = JSON.parse(await readFile(join(out, 'compressed-tensors', 'config.json'), 'utf8')) as {
        quantization_config: {
          quant_method: string;
          sparsity_config: { format: string; targets: string[]; ignore: string[] };
        };
      };
      expect(config.quantization_config.quant_method).toBe('compressed-tensors');
      expect(config.quantization_config.sparsity_config.format).toBe('sparse-24-bitmask');
      // The Linear 9 is compressed; the sparse Convs 3 and 6 have no bitmask form and are stored dense (ignored).
      expect(r.sparseInference.convertedLayers).toEqual(['3', '6', '9']);
      expect(config.quantization_config.sparsity_config.targets).toEqual(['9']);
      expect(config.quantization_config.sparsity_config.ignore).toEqual(['3', '6']);
      expect(exported.tensors.get('3.__weight_mma_mask')?.dtype).toBe('BOOL');

      const { mean, std } = digitsStats();
      expect(r.inputNormalization).toEqual({ subtract: 16 * mean, divide: 16 * std, pixel: 'digits pixel 0–16' });
      expect(JSON.parse(ckpt.metadata['sparse24.input_normalization']!)).toEqual(r.inputNormalization);
      // The ONNX file, run by onnxruntime on the normalized test split, scores what the model scored.
      const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
      const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
      const test = digitsDataset({ split: 'test', layout: 'image', normalize: true });
      let correct = 0;
      for (let i = 0; i < test.length; i++) {
        const { x, y } = test.get(i);
        const logits = (await session.run({ input: new ort.Tensor('float32', x.data, [1, 1, 8, 8]) })).output!
          .data as Float32Array;
        if (logits.indexOf(Math.max(...logits)) === y.data[0]) correct++;
      }
      expect(Math.abs(correct / test.length - r.finetuned.accuracy)).toBeLessThanOrEqual(1 / test.length);

      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as DemoJson;
      expect(report.finetuned.accuracy).toBe(r.finetuned.accuracy);
      expect(report.files).toEqual(r.files);
      for (const svg of ['training-accuracy.svg', 'training-loss.svg', 'magnitude.svg']) {
        const text = await readFile(join(out, svg), 'utf8');
        expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(text.trimEnd().endsWith('</svg>')).toBe(true);
        expect(text.match(/<svg/g)).toHaveLength(1);
      }
      const md = await readFile(join(out, 'report.md'), 'utf8');
      expect(md).toContain('# sparse24 demo: digits, pattern m4n2_1d');
      expect(md).toContain('| 9.weight |');
    });
  }, 60_000);

  it('skips compressed inference with a note for a pattern that is not 2:4, and honours --no-permute', async () => {
    await withTmp(async (dir) => {
      const { io, out: stdout } = capture();
      // No training at all: this case is about what the pipeline does with the masks.
      expect(
        await main(
          [
            'demo',
            '--json',
            '--out',
            dir,
            '--pattern',
            '3:4',
            '--no-permute',
            '--epochs',
            '0',
            '--finetune-epochs',
            '0',
            '--quiet',
          ],
          io,
        ),
      ).toBe(0);
      const r = JSON.parse(stdout[0]!) as DemoJson;
      checkAccuracies(r);
      expect(r.pruned.sparsity).toBe(0.25);
      expect(r.sparseInference.accuracy).toBeNull();
      expect(r.sparseInference.maxAbsDiff).toBeNull();
      expect(r.sparseInference.note).toMatch(/no layer converts to compressed 2:4 under pattern '3:4'/);
      expect(r.timing.sparseForwardMs).toBeNull();
      expect(r.magnitude.permuted).toBe(r.magnitude.default);
      // Nothing converts to 2:4, so no compressed-tensors folder is written.
      expect(r.files.some((f) => f.includes('compressed-tensors'))).toBe(false);
      expect(await readdir(dir)).not.toContain('compressed-tensors');
    });
  }, 60_000);

  it('rejects bad options with exit code 2 before any training', async () => {
    const cases: [string[], RegExp][] = [
      [['--dataset', 'cifar'], /--dataset must be one of digits, fashion-mnist, got 'cifar'/],
      [['--pattern', 'm5n3'], /unknown mask pattern 'm5n3'/],
      [['--epochs', 'two'], /--epochs must be an integer ≥ 0, got 'two'/],
      [['--backend', 'cuda'], /--backend must be one of wasm, fast, reference, gpu, got 'cuda'/],
      [['extra'], /demo takes no positional arguments, got 'extra'/],
      [
        ['--dataset', 'fashion-mnist', '--data-dir', '/nonexistent/fmnist'],
        /missing dataset file train-images-idx3-ubyte.gz/,
      ],
    ];
    for (const [args, message] of cases) {
      const { io, err, out } = capture();
      const t0 = performance.now();
      expect(await main(['demo', '--quiet', '--out', '/nonexistent/never-written', ...args], io)).toBe(2);
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(err.join('\n')).toMatch(message);
      expect(out).toEqual([]);
    }
  });

  it('prints help', async () => {
    const { io, out } = capture();
    expect(await main(['demo', '--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/--finetune-epochs N/);
  });
});

describe('sparse24 demo (spawned process)', () => {
  it('prints one JSON object on stdout and progress lines on stderr', async () => {
    await withTmp(async (dir) => {
      const res = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join('test', 'demo', 'fixtures', 'cli.ts'),
          'demo',
          '--json',
          '--out',
          dir,
          '--epochs',
          '1',
          '--finetune-epochs',
          '1',
          '--train-limit',
          '100',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(res.status).toBe(0);
      const lines = res.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const r = JSON.parse(lines[0]!) as DemoJson;
      expect(r.dataset).toBe('digits');
      checkAccuracies(r);
      expect(r.files).toContain(join(dir, 'report.json'));
      // Not a TTY: plain lines, no carriage returns or escapes.
      expect(res.stderr).toMatch(/^epoch 1\/1 train loss/m);
      expect(res.stderr).toMatch(/^permutation group 1\/\d+: /m);
      expect(res.stderr).not.toMatch(/\r|\x1b\[/);
    });
  }, 60_000);
});
