import { AutogradError } from './errors.js';
import type { OpName } from './op_list.js';
import type { Tensor } from './tensor.js';

/**
 * The backward function of one op: given the gradient of the loss with respect to the op's output
 * (same shape, flat), return the gradient for each input (null where an input needs none).
 */
export type BackwardFn = (gradOutput: Float32Array) => (Float32Array | null)[];

/** What an op leaves on its result when autograd is recording. */
export interface GradFn {
  readonly op: OpName;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording autograd history, like `torch.no_grad()`. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with autograd recording switched on or off, like `torch.set_grad_enabled`. */
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Nodes reachable from `root` that carry a gradFn, in reverse topological order (root first). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep networks would overflow a recursive one.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i]!;
      if (!seen.has(child) && child.requiresGrad) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Runs reverse-mode differentiation from `root`. Leaf tensors that require grad accumulate into
 * `.grad` (summing over repeated calls, as PyTorch does).
 */
export function runBackward(root: Tensor, gradient?: Float32Array): void {
  if (!root.requiresGrad) {
    throw new AutogradError('backward() called on a tensor that does not require grad and has no grad history');
  }
  let seed = gradient;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward() without a gradient needs a scalar output, got shape [${root.shape.join(', ')}]; pass the output gradient explicitly`,
      );
    }
    seed = new Float32Array([1]);
  } else if (seed.length !== root.size) {
    throw new AutogradError(`backward() gradient has ${seed.length} elements, the output has ${root.size}`);
  }
  const grads = new Map<Tensor, Float32Array>();
  // Arrays the map owns and may add into; a gradient an op hands back for two inputs (x + x) or
  // passes through unchanged is copied before it becomes an accumulator.
  const owned = new Set<Float32Array>();
  grads.set(root, seed);
  for (const t of topoOrder(root)) {
    const g = grads.get(t);
    if (g === undefined) continue;
    grads.delete(t);
    if (t.gradFn === null) {
      t.accumulateGrad(g);
      continue;
    }
    if (t.retainsGrad) t.accumulateGrad(g);
    const inputGrads = t.gradFn.backward(g);
    t.gradFn.inputs.forEach((input, i) => {
      const ig = inputGrads[i];
      if (!input.requiresGrad || ig === null || ig === undefined) return;
      if (ig.length !== input.size) {
        throw new AutogradError(
          `op '${t.gradFn!.op}' returned a gradient of ${ig.length} elements for input ${i} of ${input.size}`,
        );
      }
      const prev = grads.get(input);
      if (prev === undefined) {
        const acc = ig === g || owned.has(ig) ? ig.slice() : ig;
        owned.add(acc);
        grads.set(input, acc);
      } else for (let k = 0; k < prev.length; k++) prev[k]! += ig[k]!;
    });
  }
}
