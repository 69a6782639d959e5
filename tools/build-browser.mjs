// Bundles the package root (src/index.ts) into one ES module for browsers: dist/browser/sparse24.js,
// the file `sparse24 lab` serves as /sparse24.js. Run by `npm run build` (so by `npm ci`) and before
// the browser tests.
//
// The core reaches Node only through adaptors (src/tensor/host.ts) and in file-system entry points
// (loadSafetensors, saveCheckpoint, readIdx, the embedded digits, ...). In the bundle every `node:*`
// module is a stub whose exports throw a clear error when called, so the byte-level API (parse and
// serialize, tensors, masks, models, permutation, ASP) works in a page and a file-system call says
// why it cannot.
//
// gpu.js comes in as its browser build (the package's `browser` field, which platform 'browser'
// follows), through the lazy `require` of src/tensor/kernels/gpu/load.ts: it is evaluated the first
// time the gpu backend is used.
//
// `bundleForBrowser(entry, outfile)` is exported for the browser tests, which bundle their page
// script (engine sources, fast-check, the tests' arbitraries) with the same settings.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BROWSER_BUNDLE = join(root, 'dist/browser/sparse24.js');

const nodeStubs = {
  name: 'node-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path.slice('node:'.length), namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
      if (!builtinModules.includes(args.path)) throw new Error(`unknown Node module node:${args.path}`);
      const names = Object.keys(await import(/* @vite-ignore */ `node:${args.path}`)).filter(
        (n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      const stub = (n) => `export const ${n} = stub(${JSON.stringify(`node:${args.path}.${n}`)});`;
      return {
        contents: [
          'function stub(what) {',
          '  return () => {',
          '    throw new Error(`sparse24: ${what} is not available in a browser; use the byte-level API (parse*/serialize*)`);',
          '  };',
          '}',
          ...names.map(stub),
          'export default {};',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/** Bundles `entry` (a path under the repository) into one ES module at `outfile`; returns its size in bytes. */
export async function bundleForBrowser(entry, outfile) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    sourcemap: true,
    legalComments: 'linked',
    plugins: [nodeStubs],
    logLevel: 'warning',
    metafile: true,
  });
  return Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await bundleForBrowser(join(root, 'src/index.ts'), BROWSER_BUNDLE);
  console.log(`browser bundle: ${(bytes / 1024).toFixed(0)} KiB -> ${BROWSER_BUNDLE.slice(root.length + 1)}`);
}
