// Bundles the lab page (src/lab/page) for `sparse24 lab`: dist/lab/lab.js (the page), dist/lab/worker.js
// (the permutation search, run off the page's thread) and dist/lab/index.html, and the bench page
// dist/lab/{bench.html,bench.js} (`sparse24 bench --browser`). Run by `npm run build`.
//
// The page imports the library as 'sparse24' (the package root), and that import is left to the browser
// as '/sparse24.js' (the bundle tools/build-browser.mjs writes): the page and `import('/sparse24.js')`
// in a console see one copy of the library, the same exports as the package. Importing any other
// library file by a relative path is a build error, so the page cannot grow a private second copy.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LAB_DIR = join(root, 'dist/lab');
const labRoot = join(root, 'src/lab');

const libraryAsExternal = {
  name: 'library-as-external',
  setup(b) {
    b.onResolve({ filter: /^sparse24$/ }, () => ({ path: '/sparse24.js', external: true }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!target.startsWith(labRoot + '/')) {
        return {
          errors: [
            {
              text: `lab page imports ${relative(root, target)}; import 'sparse24' (the package root) instead`,
            },
          ],
        };
      }
      return undefined;
    });
  },
};

await mkdir(LAB_DIR, { recursive: true });
await build({
  entryPoints: {
    lab: join(labRoot, 'page/main.ts'),
    worker: join(labRoot, 'page/permute_worker.ts'),
    bench: join(labRoot, 'page/bench_page.ts'),
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: LAB_DIR,
  sourcemap: true,
  plugins: [libraryAsExternal],
  logLevel: 'warning',
});
await copyFile(join(labRoot, 'page/index.html'), join(LAB_DIR, 'index.html'));
await copyFile(join(labRoot, 'page/bench.html'), join(LAB_DIR, 'bench.html'));
console.log(`lab page -> ${relative(root, LAB_DIR)}/{index.html,lab.js,worker.js,bench.html,bench.js}`);
