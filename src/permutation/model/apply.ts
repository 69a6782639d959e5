/**
 * Applying one permutation to tensors along one dimension, with apex's replication rule for
 * dimensions that are a multiple of the permutation length (grouped convolutions, concats).
 */
import { ShapeError, type Tensor, formatShape } from '../../tensor/index.js';

/** π ⊕ (π+n) ⊕ (π+2n) ⊕ …, `times` copies (apex's `replicate_sequence`). */
export function replicatePermutation(perm: ArrayLike<number>, times: number): Int32Array {
  const n = perm.length;
  const out = new Int32Array(n * times);
  for (let r = 0; r < times; r++) for (let i = 0; i < n; i++) out[r * n + i] = perm[i]! + r * n;
  return out;
}

/**
 * `data` (of a tensor shaped `shape`) reordered along `dim`: new[…, j, …] = old[…, π[j], …] with
 * π replicated to the dimension's length. Returns fresh storage.
 */
export function permuteAlong(
  data: Float32Array,
  shape: readonly number[],
  dim: number,
  perm: ArrayLike<number>,
  what: string,
): Float32Array {
  const n = shape[dim];
  if (n === undefined || n % perm.length !== 0) {
    throw new ShapeError(
      `${what}: dimension ${dim} of shape ${formatShape(shape)} must be a multiple of the permutation length ${perm.length}`,
    );
  }
  const full = n === perm.length ? perm : replicatePermutation(perm, n / perm.length);
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = data.length / (n * inner);
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const src = (o * n + full[j]!) * inner;
      out.set(data.subarray(src, src + inner), (o * n + j) * inner);
    }
  }
  return out;
}

/**
 * Staged writes: every change is computed into copies first and only `commit()` touches the
 * tensors, so a failure while planning leaves the model as it was.
 */
export class StagedWrites {
  readonly #staged = new Map<Tensor, Float32Array>();

  current(t: Tensor): Float32Array {
    return this.#staged.get(t) ?? t.data;
  }

  /** Stages a whole group: either all its changes land or (on a throw) none. */
  stageGroup(changes: readonly (readonly [Tensor, number, string])[], perm: ArrayLike<number>): void {
    const local = new Map<Tensor, Float32Array>();
    for (const [t, dim, what] of changes) {
      local.set(t, permuteAlong(local.get(t) ?? this.current(t), t.shape, dim, perm, what));
    }
    for (const [t, d] of local) this.#staged.set(t, d);
  }

  readonly #written = new Set<Tensor>();

  commit(): void {
    for (const [t, d] of this.#staged) {
      t.data.set(d);
      t.markModified();
      this.#written.add(t);
    }
    this.#staged.clear();
  }

  /** Whether `t` was reordered by a committed group. */
  wrote(t: Tensor): boolean {
    return this.#written.has(t);
  }
}
