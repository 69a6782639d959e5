/**
 * The files `sparse24 lab` serves, found under dist/: the library bundle (dist/browser/sparse24.js)
 * and the page (dist/lab/). In a source checkout a missing file, or one older than a file under src/,
 * is built with the build tools (esbuild, a second or two); an installed package ships them, so there
 * a missing file means a broken install and the error says to run `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';

/** The package folder: src/lab/server and dist/lab/server both sit three levels below it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** URL path → file under the package, and the tool that writes it. */
const ASSETS: Record<string, { file: string; tool: string; type: string }> = {
  '/sparse24.js': { file: 'dist/browser/sparse24.js', tool: 'tools/build-browser.mjs', type: 'text/javascript' },
  '/sparse24.js.map': {
    file: 'dist/browser/sparse24.js.map',
    tool: 'tools/build-browser.mjs',
    type: 'application/json',
  },
  '/': { file: 'dist/lab/index.html', tool: 'tools/build-lab.mjs', type: 'text/html; charset=utf-8' },
  '/lab.js': { file: 'dist/lab/lab.js', tool: 'tools/build-lab.mjs', type: 'text/javascript' },
  '/lab.js.map': { file: 'dist/lab/lab.js.map', tool: 'tools/build-lab.mjs', type: 'application/json' },
  '/worker.js': { file: 'dist/lab/worker.js', tool: 'tools/build-lab.mjs', type: 'text/javascript' },
  '/worker.js.map': { file: 'dist/lab/worker.js.map', tool: 'tools/build-lab.mjs', type: 'application/json' },
  // The bench page (`sparse24 bench --browser`).
  '/bench.html': { file: 'dist/lab/bench.html', tool: 'tools/build-lab.mjs', type: 'text/html; charset=utf-8' },
  '/bench.js': { file: 'dist/lab/bench.js', tool: 'tools/build-lab.mjs', type: 'text/javascript' },
  '/bench.js.map': { file: 'dist/lab/bench.js.map', tool: 'tools/build-lab.mjs', type: 'application/json' },
};

export interface Asset {
  readonly bytes: Uint8Array;
  readonly type: string;
}

/** The URL paths served from files. */
export function assetPaths(): string[] {
  return Object.keys(ASSETS);
}

function build(tool: string, file: string, root: string): void {
  const script = join(root, tool);
  if (!existsSync(script)) {
    throw new LabError(`sparse24 lab: ${file} is missing from ${root}; run \`npm run build\` in the package folder`);
  }
  try {
    execFileSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message);
    throw new LabError(`sparse24 lab: building ${file} with ${tool} failed (${stderr.trim()}); run \`npm run build\``);
  }
}

/**
 * The newest modification time under src/ in a source checkout (src/ and tools/ present), or null
 * in an installed package, which ships dist/ only.
 */
function newestSource(root: string): number | null {
  const src = join(root, 'src');
  if (!existsSync(src) || !existsSync(join(root, 'tools'))) return null;
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(src);
  return newest;
}

/**
 * Makes sure every served file exists and, in a source checkout, is newer than every file under src/
 * (a stale page or bundle would run old code against new), building what is missing (see the top of this file). Called
 * once before the server listens, so a missing bundle is reported at start, not as a 404 later.
 */
export function ensureAssets(root: string = PACKAGE_ROOT): void {
  const sources = newestSource(root);
  const built = new Set<string>();
  for (const { file, tool } of Object.values(ASSETS)) {
    const path = join(root, file);
    const fresh = existsSync(path) && (sources === null || statSync(path).mtimeMs >= sources);
    if (fresh || built.has(tool)) continue;
    build(tool, file, root);
    built.add(tool);
    if (!existsSync(join(root, file)))
      throw new LabError(`sparse24 lab: ${tool} ran but did not write ${file}; run \`npm run build\``);
  }
}

/** The asset at a URL path, read fresh (a rebuild is served without a restart), or null. */
export async function readAsset(path: string, root: string = PACKAGE_ROOT): Promise<Asset | null> {
  const a = ASSETS[path === '/index.html' ? '/' : path];
  if (a === undefined) return null;
  return { bytes: await readFile(join(root, a.file)), type: a.type };
}
