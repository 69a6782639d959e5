/** runDemo's permutation numbers come from the typed report ASP keeps (no closure around the permutation). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AspPermutation } from '../../src/asp/index.js';
import { type DemoResult, runDemo } from '../../src/demo/index.js';
import { withTmp } from '../cli/helpers.js';

describe('runDemo permutation report', () => {
  it('report.json summarises the report ASP returned: skipped groups, permuted layers, search time', async () => {
    await withTmp(async (dir) => {
      const out = join(dir, 'report');
      const seen: AspPermutation[] = [];
      const result = await runDemo(
        { out, epochs: 0, finetuneEpochs: 0, permute: true, trainLimit: 32 },
        { onPermutation: (p) => seen.push(p) },
      );
      expect(seen).toHaveLength(1);
      const { report, seconds } = seen[0]!;
      const written = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as DemoResult;
      const names = result.model.sparseLayers;
      expect(names.length).toBeGreaterThan(0);
      expect(written.magnitude.searchSeconds).toBe(seconds);
      expect(written.magnitude.skipped).toEqual(
        report.skipped
          .filter((s) => s.params.some((p) => names.includes(p)))
          .map((s) => ({ group: s.group, reason: s.reason, params: s.params })),
      );
      const permuted = new Set(report.groups.filter((g) => g.status === 'permuted').flatMap((g) => g.sparse));
      expect(written.magnitude.layers.map((l) => [l.name, l.touched])).toEqual(names.map((n) => [n, permuted.has(n)]));
    });
  }, 120_000);
});
