/**
 * The lab server's files (src/lab/server/assets.ts): in a source checkout a missing or stale file is
 * rebuilt at start (a page older than the library it imports would run old code against new); in
 * an installed package (dist/ only) nothing is rebuilt, and a missing file names the fix.
 */
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError, ensureAssets } from '../../src/lab/server/index.js';

const BROWSER_FILES = ['dist/browser/sparse24.js', 'dist/browser/sparse24.js.map'];
const LAB_FILES = [
  'index.html',
  'lab.js',
  'lab.js.map',
  'worker.js',
  'worker.js.map',
  'bench.html',
  'bench.js',
  'bench.js.map',
].map((f) => `dist/lab/${f}`);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sparse24-assets-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, text: string, mtime?: Date): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
  if (mtime !== undefined) await utimes(join(root, path), mtime, mtime);
}

/** Stand-ins for tools/build-*.mjs that write their files with `built by <tool>`. */
async function fakeTools(): Promise<void> {
  for (const [tool, files] of [
    ['tools/build-browser.mjs', BROWSER_FILES],
    ['tools/build-lab.mjs', LAB_FILES],
  ] as const) {
    const body = files
      .map(
        (f) =>
          `mkdirSync(dirname(${JSON.stringify(f)}), { recursive: true }); writeFileSync(${JSON.stringify(f)}, 'built by ${tool}');`,
      )
      .join('\n');
    await put(
      tool,
      `import { mkdirSync, writeFileSync } from 'node:fs';\nimport { dirname } from 'node:path';\n${body}\n`,
    );
  }
}

const read = (path: string): Promise<string> => readFile(join(root, path), 'utf8');
const OLD = new Date('2026-01-01T00:00:00Z');
const NEW = new Date('2026-06-01T00:00:00Z');

describe('ensureAssets', () => {
  it('in a source checkout, rebuilds only the tool whose files are older than a source', async () => {
    await fakeTools();
    for (const f of BROWSER_FILES) await put(f, 'old bundle', NEW);
    for (const f of LAB_FILES) await put(f, 'old page', OLD);
    await put('src/index.ts', 'export {};', new Date('2026-03-01T00:00:00Z'));
    ensureAssets(root);
    for (const f of BROWSER_FILES) expect(await read(f)).toBe('old bundle'); // newer than every source
    for (const f of LAB_FILES) expect(await read(f)).toBe('built by tools/build-lab.mjs');
  });

  it('in a source checkout, builds a missing file', async () => {
    await fakeTools();
    await put('src/index.ts', 'export {};', OLD);
    for (const f of LAB_FILES) await put(f, 'page', NEW);
    ensureAssets(root);
    expect(await read('dist/browser/sparse24.js')).toBe('built by tools/build-browser.mjs');
    expect(await read('dist/lab/lab.js')).toBe('page');
  });

  it('in an installed package, serves old files as they are and names the fix for a missing one', async () => {
    for (const f of [...BROWSER_FILES, ...LAB_FILES]) await put(f, 'shipped', OLD);
    ensureAssets(root);
    expect(await read('dist/lab/bench.js')).toBe('shipped');
    await rm(join(root, 'dist/lab/bench.js'));
    expect(() => ensureAssets(root)).toThrow(LabError);
    expect(() => ensureAssets(root)).toThrow(/dist\/lab\/bench\.js is missing .*run `npm run build`/);
  });
});
