/**
 * Where gpu.js comes from. On Node it is required from node_modules (its Node build, with
 * webasm, cpu and the optional headless-gl); in a browser bundle the `gpu.js` package resolves to
 * its browser build (its package.json `browser` field, which esbuild follows), required lazily so
 * that importing sparse24 does not evaluate a megabyte of gpu.js until the gpu backend is used.
 */
import type { GPU } from 'gpu.js';
import { nodeBuiltin } from '../../host.js';

export type GpuClass = typeof GPU;

interface GpuJsModule {
  GPU: GpuClass;
}

let loaded: { GPU: GpuClass; resolves: (id: string) => boolean } | null = null;

/** Loads gpu.js on first use, so the reference backend never pays for it. */
export function loadGpuJs(): { GPU: GpuClass; resolves: (id: string) => boolean } {
  if (loaded !== null) return loaded;
  const nodeModule = nodeBuiltin<typeof import('node:module')>('node:module');
  if (nodeModule !== undefined) {
    const req = nodeModule.createRequire(import.meta.url);
    const resolves = (id: string): boolean => {
      try {
        req.resolve(id);
        return true;
      } catch {
        return false;
      }
    };
    loaded = { GPU: (req('gpu.js') as GpuJsModule).GPU, resolves };
  } else {
    // A bundler turns this literal require into the bundled module's lazy initializer; the
    // browser build of gpu.js is a UMD module whose CommonJS branch exports the GPU class itself.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('gpu.js') as GpuJsModule | GpuClass;
    loaded = { GPU: typeof mod === 'function' ? mod : mod.GPU, resolves: () => false };
  }
  return loaded;
}
