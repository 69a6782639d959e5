import { type BackwardFn, type GradFn, isGradEnabled, runBackward } from './autograd.js';
import { ShapeError, ValueError } from './errors.js';
import type { AttrsArg, OpAttrs, OpName, TraceNode } from './op_list.js';
import { currentScope, isTracing } from './scope.js';
import { type Shape, checkShape, formatShape, numel, shapeEquals } from './shape.js';

export type { TraceNode } from './op_list.js';

/** Nested arrays of numbers, as `fromArray` accepts and `toArray` returns. */
export type NestedArray = number | NestedArray[];

/**
 * A float32 tensor: a contiguous row-major `Float32Array` and a shape. Ops never alias: every
 * result owns fresh storage, so there are no views to reason about.
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** Accumulated gradient (leaf tensors, and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;
  /** How this tensor was computed, when autograd recorded it; null for leaves. */
  gradFn: GradFn | null = null;
  /** The module scope that produced this tensor (see `withScope`), or null. */
  scope: string | null;
  /** The producing op and its inputs, recorded only inside `traceGraph`. */
  trace: TraceNode | null = null;
  /** Optional human name (parameters get theirs from nn). */
  name: string | null = null;
  retainsGrad = false;
  #version = 0;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    checkShape(shape);
    if (data.length !== numel(shape)) {
      throw new ShapeError(`data has ${data.length} elements but shape ${formatShape(shape)} needs ${numel(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
    this.scope = currentScope();
  }

  /**
   * Wraps an op's output: records autograd history when grad mode is on and any input requires
   * grad, and the trace node when tracing. Every differentiable op ends here. `op` is a name from
   * the typed op list (src/tensor/op_list.ts) and `attrs` are that op's attributes (optional only
   * for ops that record none).
   */
  static fromOp<K extends OpName>(
    op: K,
    data: Float32Array,
    shape: Shape,
    inputs: readonly Tensor[],
    backward: BackwardFn,
    ...[attrs]: AttrsArg<K>
  ): Tensor {
    const needsGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
    const out = new Tensor(data, shape, needsGrad);
    if (needsGrad) out.gradFn = { op, inputs, backward };
    // TraceOf<K> is one member of the TraceNode union; TypeScript cannot see that for a generic K.
    if (isTracing()) out.trace = { op, inputs, attrs: attrs ?? ({} as OpAttrs[K]) } as TraceNode;
    return out;
  }

  /**
   * Bumped by every in-place write the engine makes to `data` (optimizer steps, loadStateDict, ASP
   * masking, permutation, init), as PyTorch's `_version`. Backends that keep a weight packed between
   * calls (the wasm backend) repack it when this changes.
   */
  get version(): number {
    return this.#version;
  }

  /** Declares that `data` was changed in place. Call it after writing `t.data` yourself. */
  markModified(): this {
    this.#version++;
    return this;
  }

  /**
   * The stamp under which a backend may cache this tensor as a weight: its version when it is a
   * parameter-like leaf (requires grad, or named by nn), else undefined — an op's fresh output is
   * used once and never cached.
   */
  get weightStamp(): number | undefined {
    return this.isLeaf && (this.requiresGrad || this.name !== null) ? this.#version : undefined;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get dtype(): 'float32' {
    return 'float32';
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item() needs a one-element tensor, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The values as nested arrays (a number for rank 0). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const inner = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * inner));
      return out;
    };
    return build(0, 0);
  }

  /** A new leaf sharing no history: same values, copied storage. */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Sets `requiresGrad` in place (for leaves), like PyTorch's `requires_grad_`. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new ValueError('requiresGrad_(false) is only allowed on leaf tensors; use detach() instead');
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Keeps the gradient of a non-leaf tensor after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Adds `g` into `.grad`, creating it on first use. Called by the autograd engine. */
  accumulateGrad(g: Float32Array): void {
    if (this.grad === null) this.grad = new Tensor(g.slice(), this.shape);
    else {
      const d = this.grad.data;
      for (let i = 0; i < d.length; i++) d[i]! += g[i]!;
    }
  }

  /** Reverse-mode differentiation from this tensor (a scalar, or pass the output gradient). */
  backward(gradient?: Tensor): void {
    if (gradient !== undefined && !shapeEquals(gradient.shape, this.shape)) {
      throw new ShapeError(
        `backward() gradient shape ${formatShape(gradient.shape)} does not match output shape ${formatShape(this.shape)}`,
      );
    }
    runBackward(this, gradient?.data);
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}
