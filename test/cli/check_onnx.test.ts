import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../src/asp/index.js';
import type { CheckReport } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import { serializeOnnx } from '../../src/io/index.js';
import { modelOf, node, tensorProtoFrom, valueInfo } from '../../src/io/onnx/index.js';
import { Conv2d, Flatten, Linear, ReLU, Sequential, exportOnnx } from '../../src/nn/index.js';
import { MT19937, manualSeed, randn } from '../../src/tensor/index.js';
import { capture, withTmp } from './helpers.js';

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

function model(): Sequential {
  manualSeed(3);
  return new Sequential(new Conv2d(16, 16, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(16 * 4 * 4, 32));
}

describe('sparse24 check on ONNX models', () => {
  it("a pruned model's Conv and Gemm weights pass TensorRT's 2:4 rule; the dense one fails --strict", async () => {
    await withTmp(async (dir) => {
      const dense = model();
      const densePath = join(dir, 'dense.onnx');
      await exportOnnx(dense, densePath, { exampleInput: randn([1, 16, 4, 4]) });
      const d = await run(['check', densePath, '--json', '--strict']);
      expect(d.code).toBe(1);
      const dr = JSON.parse(d.out[0]!) as CheckReport;
      expect(dr.verdict).toBe('not-sparse');
      expect(dr.tensors.map((t) => [t.name, t.shape, t.eligible, t.isNM])).toEqual([
        ['0.weight', [16, 16, 3, 3], true, false],
        ['3.weight', [32, 256], true, false],
      ]);

      const pruned = model();
      ASP.initModelForPruning(pruned, { logger: () => {}, allowPermutation: false }).computeSparseMasks();
      const prunedPath = join(dir, 'pruned.onnx');
      await exportOnnx(pruned, prunedPath, { exampleInput: randn([1, 16, 4, 4]) });
      const p = await run(['check', prunedPath, '--json', '--strict']);
      expect(p.code).toBe(0);
      const pr = JSON.parse(p.out[0]!) as CheckReport;
      expect(pr.verdict).toBe('sparse');
      expect(pr.tensors.map((t) => [t.name, t.groups, t.violatingGroups])).toEqual([
        ['0.weight', (16 * 16 * 9) / 4, 0],
        ['3.weight', (32 * 256) / 4, 0],
      ]);
      const text = await run(['check', prunedPath]);
      expect(text.out.at(-1)).toBe('verdict: sparse (2/2 eligible tensors are 2:4)');
    });
  });

  it('reads a MatMul weight [in, out] along its input channels (dim 0 of the file)', async () => {
    await withTmp(async (dir) => {
      // [in 16, out 8]: each column (one output) has zeros at inputs 1 and 3 of every four.
      const w = Float32Array.from({ length: 16 * 8 }, (_, i) =>
        Math.floor(i / 8) % 4 === 1 || Math.floor(i / 8) % 4 === 3 ? 0 : 1 + (i % 5),
      );
      const bytes = serializeOnnx(
        modelOf({
          node: [node('MatMul', ['x', 'W'], ['y'])],
          initializer: [tensorProtoFrom('W', { dtype: 'F32', shape: [16, 8], data: w })],
          input: [valueInfo('x', [2, 16])],
          output: [valueInfo('y', [2, 8])],
        }),
      );
      const f = join(dir, 'mm.onnx');
      await writeFile(f, bytes);
      const r = await run(['check', f, '--json']);
      const report = JSON.parse(r.out[0]!) as CheckReport;
      expect(report.tensors).toHaveLength(1);
      expect(report.tensors[0]).toMatchObject({ name: 'W', shape: [8, 16], isNM: true, violatingGroups: 0 });
    });
  });

  it('malformed ONNX is a one-line error with exit 2, naming the file', async () => {
    await withTmp(async (dir) => {
      const g = new MT19937(5);
      const f = join(dir, 'bad.onnx');
      await writeFile(
        f,
        Uint8Array.from({ length: 64 }, () => g.nextUint32() & 255),
      );
      const r = await run(['check', f]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^sparse24: .*bad\.onnx: /);
    });
  });
});
