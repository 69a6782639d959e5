/**
 * The host adaptor: the few things the core asks of Node that a browser lacks, read without
 * importing a Node module, so the core bundles for a page unchanged.
 */
interface NodeLikeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (): NodeLikeProcess | undefined => (globalThis as { process?: NodeLikeProcess }).process;

/** An environment variable, or undefined (also in a browser, which has none). */
export function envVar(name: string): string | undefined {
  return proc()?.env?.[name];
}

/** A Node built-in module (`node:os`, `node:worker_threads`), or undefined outside Node. */
export function nodeBuiltin<T>(id: string): T | undefined {
  return proc()?.getBuiltinModule?.(id) as T | undefined;
}
