/**
 * Module scopes and graph tracing.
 *
 * A module-aware caller (nn's Module) runs its forward inside `withScope(name, fn)`; every tensor
 * an op produces inside carries the innermost scope's full name. With `traceGraph(fn)` every op
 * also records its inputs, even without autograd, so one forward pass on an example input reads
 * back as the model's dataflow graph. The permutation library builds on this: no second tracer.
 */

import { joinName } from './names.js';

const scopeStack: string[] = [];
let tracing = 0;

/** Runs `fn` with `name` as the innermost module scope. Names nest with dots, like PyTorch's. */
export function withScope<T>(name: string, fn: () => T): T {
  const parent = scopeStack[scopeStack.length - 1];
  scopeStack.push(joinName(parent ?? '', name));
  try {
    return fn();
  } finally {
    scopeStack.pop();
  }
}

/** The full name of the innermost scope, or null outside any scope. */
export function currentScope(): string | null {
  return scopeStack.length === 0 ? null : scopeStack[scopeStack.length - 1]!;
}

/** Runs `fn` with graph recording on: every op's result keeps a `TraceNode`. */
export function traceGraph<T>(fn: () => T): T {
  tracing++;
  try {
    return fn();
  } finally {
    tracing--;
  }
}

export function isTracing(): boolean {
  return tracing > 0;
}
