/**
 * The command line under hostile files: whatever the bytes, `check`, `prune` and `permute` exit
 * 0, 1 or 2 — 2 with one line naming the file whenever the file is malformed — never 70
 * ("internal error") and never by a signal. Mutated files run in process (many cases); the
 * nastiest files (over 2 GiB, devices, FIFOs, deep nesting, huge headers) run in a real process.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  FormatError,
  MAX_FILE_BYTES,
  MAX_TENSORS,
  onnxLayerWeights,
  parseNpy,
  parseOnnx,
  parseSafetensors,
  serializeNpy,
} from '../../src/io/index.js';
import { CASE_LIMIT_MS, runs } from './guard.js';
import { arbMutations, mutate } from './mutate.js';
import { headerEnd, onnxSeeds, recordSeeds, safetensorsSeeds } from './seeds.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparse24-fuzz-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Whether the library itself calls these bytes malformed (then the CLI must exit 2). */
function malformed(read: () => unknown): boolean {
  try {
    read();
    return false;
  } catch (err) {
    if (err instanceof FormatError) return true;
    throw err;
  }
}

async function runCli(argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, err: (t) => void err.push(t) });
  return { code, err };
}

function expectBadInput(r: { code: number; err: string[] }, path: string): void {
  expect(r.code).toBe(2);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]!.startsWith(`sparse24: ${path}: `)).toBe(true);
}

const weightNpy = serializeNpy({
  dtype: 'F32',
  shape: [8, 16],
  data: Float32Array.from({ length: 128 }, (_, i) => ((i * 13) % 17) - 8),
});
const stSeeds = [...safetensorsSeeds, ...recordSeeds()];

describe('CLI on mutated files (in process)', () => {
  it('check and prune on mutated safetensors files (records included): never 70, and 2 naming the file when malformed', async () => {
    const file = join(tmp, 'm.safetensors');
    const out = join(tmp, 'out.safetensors');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...stSeeds), arbMutations, fc.boolean(), async (seed, muts, prune) => {
        const bytes = mutate(seed, muts, headerEnd(seed));
        writeFileSync(file, bytes);
        const started = performance.now();
        const r = await runCli(prune ? ['prune', file, '-o', out] : ['check', file, '--strict']);
        expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
        expect([0, 1, 2]).toContain(r.code);
        if (malformed(() => parseSafetensors(bytes, file))) expectBadInput(r, file);
        return true;
      }),
      { numRuns: runs(120) },
    );
  });

  it('permute and check on mutated .npy files: never 70, and 2 naming the file when malformed', async () => {
    const file = join(tmp, 'w.npy');
    await fc.assert(
      fc.asyncProperty(arbMutations, fc.constantFrom('permute', 'check'), async (muts, command) => {
        const bytes = mutate(weightNpy, muts, 128);
        writeFileSync(file, bytes);
        const r = await runCli([command, file]);
        expect([0, 1, 2]).toContain(r.code);
        if (malformed(() => parseNpy(bytes, file))) expectBadInput(r, file);
        return true;
      }),
      { numRuns: runs(80) },
    );
  });

  it('check on mutated ONNX models: never 70, and 2 naming the file when malformed', async () => {
    const file = join(tmp, 'm.onnx');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...onnxSeeds()), arbMutations, async (seed, muts) => {
        const bytes = mutate(seed, muts, seed.length);
        writeFileSync(file, bytes);
        const r = await runCli(['check', file, '--strict']);
        expect([0, 1, 2]).toContain(r.code);
        if (malformed(() => onnxLayerWeights(parseOnnx(bytes, file)))) expectBadInput(r, file);
        return true;
      }),
      { numRuns: runs(80) },
    );
  });
});

/** A sparse file (ftruncate, nothing written) of `size` bytes starting with `head`. */
function sparseFile(path: string, size: number, head: Uint8Array): string {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    writeSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('CLI on the nastiest files (a real process)', () => {
  it('over 2 GiB, devices, FIFOs, folders, deep nesting and huge headers: every run exits 2, the process is never killed', () => {
    const dir = join(tmp, 'nasty');
    mkdirSync(dir);
    const big = sparseFile(
      join(dir, 'big.safetensors'),
      MAX_FILE_BYTES + 8,
      new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x7b]),
    );
    const bigNpy = sparseFile(join(dir, 'big.npy'), MAX_FILE_BYTES + 64, weightNpy.subarray(0, 64));
    const zero = join(dir, 'zero.safetensors');
    symlinkSync('/dev/zero', zero);
    const fifo = join(dir, 'pipe.npy');
    spawnSync('mkfifo', [fifo]);
    // A folder is read as a compressed-tensors model folder: one without config.json, and one
    // whose model.safetensors is /dev/zero.
    const folder = join(dir, 'folder.npy');
    mkdirSync(folder);
    const ctZero = join(dir, 'ct-zero');
    mkdirSync(ctZero);
    writeFileSync(
      join(ctZero, 'config.json'),
      JSON.stringify({
        quantization_config: { quant_method: 'compressed-tensors', sparsity_config: { format: 'sparse-24-bitmask' } },
      }),
    );
    symlinkSync('/dev/zero', join(ctZero, 'model.safetensors'));
    const deepNpy = join(dir, 'deep.npy');
    const dict = new TextEncoder().encode(
      `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(5000)}${')'.repeat(5000)}}\n`,
    );
    const npyBytes = new Uint8Array(12 + dict.length);
    npyBytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(npyBytes.buffer).setUint32(8, dict.length, true);
    npyBytes.set(dict, 12);
    writeFileSync(deepNpy, npyBytes);
    const many = join(dir, 'many.safetensors');
    const entries = Array.from(
      { length: MAX_TENSORS + 5 },
      (_, i) => `"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`,
    ).join(',');
    const json = new TextEncoder().encode(`{${entries}}`);
    const manyBytes = new Uint8Array(8 + json.length);
    new DataView(manyBytes.buffer).setBigUint64(0, BigInt(json.length), true);
    manyBytes.set(json, 8);
    writeFileSync(many, manyBytes);
    const out = join(dir, 'out.safetensors');

    const cases: [string[], string][] = [
      [['check', big], big],
      [['prune', big, '-o', out], big],
      [['permute', bigNpy], bigNpy],
      [['check', zero], zero],
      [['permute', fifo], fifo],
      [['check', folder], join(folder, 'config.json')],
      [['check', ctZero], join(ctZero, 'model.safetensors')],
      [['check', deepNpy], deepNpy],
      [['check', many], many],
    ];
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', join('test', 'fuzz', 'fixtures', 'cli_many.ts'), JSON.stringify(cases.map(([argv]) => argv))],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(res.signal).toBeNull();
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[]; code: number; err: string[] });
    expect(lines).toHaveLength(cases.length);
    lines.forEach((r, i) => {
      expect(r.argv).toEqual(cases[i]![0]);
      expectBadInput(r, cases[i]![1]);
    });
  });
});
