/**
 * `permuteModel`: find and apply input-channel permutations across a whole model so that 2:4
 * masks keep more magnitude, while the model computes the same function (docs/apex-asp.md §3.2–3.10).
 *
 * One traced forward pass gives the channel classes (model/graph.ts); each class that may be
 * permuted gets one permutation from `searchPermutation` over its sparse layers' weights; then
 * every parameter, buffer and mask in the class is reordered, all staged before any is written.
 */
import {
  type AnyModule,
  MultiheadAttention,
  isPrunableLayer,
  maskBufferKey,
  prunedBufferKey,
  tracedForward,
} from '../../nn/index.js';
import { isTensorCoreShape } from '../../sparse/index.js';
import { type Tensor, ValueError } from '../../tensor/index.js';
import { type SearchOptions, searchPermutation, sumAfter24, unprunedMagnitude } from '../search/index.js';
import { StagedWrites } from './apply.js';
import { type ClassInfo, type ParamDim, gcd } from './classes.js';
import { type GraphNode, type NamedTensor, buildGraph } from './graph.js';

export interface PermuteModelOptions {
  /**
   * Sparse layer weights (state-dict names) or a predicate; default: Linear/Conv/MHA weights that
   * pass apex's tensor-core rule (`isTensorCoreShape`: K % 8 == 0 and C % 16 == 0).
   */
  sparse?: readonly string[] | ((name: string, weight: Tensor) => boolean);
  /** Passed to `searchPermutation` for every group. */
  search?: SearchOptions;
  /** Called once per group, after it is decided. */
  onProgress?: (event: { group: number; groups: number; status: GroupStatus }) => void;
  /**
   * Keep a group's channels as they are when its permutation would make any one sparse layer keep
   * less 2:4 magnitude (status 'guarded'). The search maximises the group's total, which can trade
   * one sibling against another; with the guard every permuted layer keeps at least as much.
   * Default false (apex's behaviour).
   */
  perLayerGuard?: boolean;
}

export type GroupStatus = 'permuted' | 'pinned' | 'useless C' | 'dense' | 'not needed' | 'guarded';

export interface PermutationGroup {
  readonly id: number;
  /** Permutation length: gcd of the class's channel counts (per group for grouped convs). */
  readonly length: number;
  /** Parameters reordered along their input channels (the consumers: siblings). */
  readonly paramsC: string[];
  /** Parameters reordered along their output channels or as per-channel values (producers, norms, attributes). */
  readonly paramsK: string[];
  readonly buffers: string[];
  /** Sparse weights whose 2:4 magnitude drove the search. */
  readonly sparse: string[];
  readonly status: GroupStatus;
  /** Why the group was skipped (for 'pinned': what pinned it). */
  readonly reason: string | null;
  readonly permutation: Int32Array | null;
}

export interface LayerMagnitude {
  readonly name: string;
  readonly before: number;
  readonly after: number;
}

export interface PermuteReport {
  readonly groups: PermutationGroup[];
  /** Apex's `get_permutation_stats` lists: parameter names permuted along C and along K. */
  readonly permutedC: string[];
  readonly permutedK: string[];
  readonly permutedBuffers: string[];
  readonly skipped: { group: number; reason: string; params: string[] }[];
  /** Kept 2:4 magnitude of every sparse weight before and after. */
  readonly layers: LayerMagnitude[];
  /** Dimensions of permuted groups that were not reordered (always empty unless something is wrong). */
  readonly unpermuted: string[];
  readonly nodes: GraphNode[];
}

function ownerOf(modules: Map<string, AnyModule>, name: string): [AnyModule | undefined, string] {
  const cut = name.lastIndexOf('.');
  return [modules.get(cut < 0 ? '' : name.slice(0, cut)), name.slice(cut + 1)];
}

/** Input-channel weights of permutation targets (apex's "real" nodes) are the 'C' dimensions. */
function isLayerWeight(modules: Map<string, AnyModule>, name: string): boolean {
  const [m, local] = ownerOf(modules, name);
  if (m instanceof MultiheadAttention) return local === 'in_proj_weight';
  return local === 'weight' && m !== undefined && isPrunableLayer(m);
}

function defaultSparse(modules: Map<string, AnyModule>): (name: string, w: Tensor) => boolean {
  return (name, w) => isLayerWeight(modules, name) && isTensorCoreShape(w.shape);
}

/**
 * The weights as one row-major matrix of C columns (rows K·spatial); read as rows of any `length`
 * dividing C, it is each input-channel dim cut into blocks (apex's reshape(-1, C*)).
 */
function searchMatrix(weights: readonly Float32Array[], shapes: readonly (readonly number[])[]): Float32Array {
  const rows: number[] = [];
  weights.forEach((w, k) => {
    const shape = shapes[k]!;
    const cw = shape[1]!;
    const inner = w.length / (shape[0]! * cw);
    for (let o = 0; o < shape[0]!; o++) {
      for (let s = 0; s < inner; s++) {
        for (let c = 0; c < cw; c++) rows.push(w[(o * cw + c) * inner + s]!);
      }
    }
  });
  return Float32Array.from(rows);
}

/** Kept magnitude under 2:4 along the input channels (rows K·spatial, columns C). */
function kept(w: Float32Array, shape: readonly number[]): number {
  const cw = shape[1]!;
  if (cw % 4 !== 0) return unprunedMagnitude(w);
  const m = searchMatrix([w], [shape]);
  return sumAfter24(m, m.length / cw, cw);
}

/** The first sparse member that keeps less 2:4 magnitude under `perm` than unpermuted, described; or null. */
function firstLoser(
  names: readonly string[],
  byName: ReadonlyMap<string, NamedTensor>,
  staged: StagedWrites,
  length: number,
  perm: Int32Array,
): string | null {
  for (const name of names) {
    const t = byName.get(name)!.tensor;
    const m = searchMatrix([staged.current(t)], [t.shape]);
    const rows = m.length / length;
    const [identity, permuted] = [sumAfter24(m, rows, length), sumAfter24(m, rows, length, perm)];
    if (permuted < identity)
      return `the group's best permutation lowers ${name}'s kept magnitude (${identity.toFixed(4)} → ${permuted.toFixed(4)})`;
  }
  return null;
}

function planSkip(
  c: ClassInfo,
  length: number,
  sparse: readonly ParamDim[],
  matrix: () => Float32Array,
): [GroupStatus, string | null] {
  if (c.pins.length > 0) return ['pinned', c.pins[0]!];
  if (length % 4 !== 0 || length < 8)
    return ['useless C', `permutation length ${length} is not a multiple of 4 of at least 8`];
  if (sparse.length === 0) return ['dense', 'no sparse layer reads these channels'];
  const m = matrix();
  const total = unprunedMagnitude(m);
  if (total === 0 || Math.abs(total - sumAfter24(m, m.length / length, length)) / total < 1e-3) {
    return ['not needed', '2:4 already keeps more than 99.9% of the magnitude'];
  }
  return ['permuted', null];
}

function maskBuffers(byName: Map<string, NamedTensor>, param: string, shape: readonly number[]): NamedTensor[] {
  return [maskBufferKey(param), prunedBufferKey(param)]
    .map((n) => byName.get(n))
    .filter((b): b is NamedTensor => b !== undefined && b.tensor.shape.join() === shape.join());
}

/**
 * Permutes `model`'s channels in place for 2:4 sparsity (eval-mode function unchanged) and returns
 * what it did. `exampleInput` is one tensor or the argument list of `model.call`.
 */
export function permuteModel(
  model: AnyModule,
  exampleInput: Tensor | readonly Tensor[],
  options: PermuteModelOptions = {},
): PermuteReport {
  const inputs = Array.isArray(exampleInput) ? [...(exampleInput as readonly Tensor[])] : [exampleInput as Tensor];
  if (inputs.length === 0) throw new ValueError('permuteModel: exampleInput must hold at least one tensor');
  const modules = new Map(model.namedModules());
  const state: NamedTensor[] = [
    ...model.namedParameters().map(([name, tensor]) => ({ name, tensor, buffer: false })),
    ...model.namedBuffers().map(([name, tensor]) => ({ name, tensor, buffer: true })),
  ];
  const byName = new Map(state.map((s) => [s.name, s]));
  const sparseOpt = options.sparse;
  const isSparse =
    sparseOpt === undefined
      ? defaultSparse(modules)
      : typeof sparseOpt === 'function'
        ? sparseOpt
        : (n: string) => sparseOpt.includes(n);
  const outputs = tracedForward(model, inputs);
  const graph = buildGraph(outputs, inputs, state, (name, dim) =>
    dim === 1 && isLayerWeight(modules, name) ? 'C' : 'K',
  );

  const relevant = graph.classes.classes().filter((c) => c.params.some((p) => !p.buffer));
  const staged = new StagedWrites();
  const groups: PermutationGroup[] = [];
  const before = new Map<string, number>();
  const sparseNames = state.filter((s) => !s.buffer && isSparse(s.name, s.tensor)).map((s) => s.name);
  for (const n of sparseNames) before.set(n, kept(byName.get(n)!.tensor.data, byName.get(n)!.tensor.shape));

  relevant.forEach((c, id) => {
    const length = c.sizes.reduce((g, n) => gcd(g, n), 0);
    const params = c.params.filter((p) => !p.buffer);
    const sparse = params.filter((p) => p.role === 'C' && isSparse(p.name, byName.get(p.name)!.tensor));
    const tensorsOf = (ps: readonly ParamDim[]): Tensor[] => ps.map((p) => byName.get(p.name)!.tensor);
    const matrix = (): Float32Array =>
      searchMatrix(
        tensorsOf(sparse).map((t) => staged.current(t)),
        tensorsOf(sparse).map((t) => t.shape),
      );
    let [status, reason] = planSkip(c, length, sparse, matrix);
    let permutation: Int32Array | null = null;
    if (status === 'permuted') {
      const m = matrix();
      permutation = searchPermutation(m, m.length / length, length, options.search).permutation;
      const loser =
        options.perLayerGuard === true
          ? firstLoser(
              sparse.map((p) => p.name),
              byName,
              staged,
              length,
              permutation,
            )
          : null;
      if (loser !== null) [status, reason, permutation] = ['guarded', loser, null];
    }
    if (permutation !== null) {
      const changes: [Tensor, number, string][] = [];
      for (const p of c.params) {
        const t = byName.get(p.name)!.tensor;
        changes.push([t, p.dim, p.name]);
        for (const mask of maskBuffers(byName, p.name, t.shape)) changes.push([mask.tensor, p.dim, mask.name]);
      }
      try {
        staged.stageGroup(changes, permutation);
      } catch (e) {
        [status, reason, permutation] = ['pinned', `dry run failed: ${(e as Error).message}`, null];
      }
    }
    groups.push({
      id,
      length,
      paramsC: params.filter((p) => p.role === 'C').map((p) => p.name),
      paramsK: params.filter((p) => p.role === 'K').map((p) => p.name),
      buffers: c.params.filter((p) => p.buffer).map((p) => p.name),
      sparse: sparse.map((p) => p.name),
      status,
      reason,
      permutation,
    });
    options.onProgress?.({ group: id, groups: relevant.length, status });
  });
  staged.commit();

  const done = groups.filter((g) => g.status === 'permuted');
  const report: PermuteReport = {
    groups,
    permutedC: done.flatMap((g) => g.paramsC),
    permutedK: done.flatMap((g) => g.paramsK),
    permutedBuffers: done.flatMap((g) => g.buffers),
    skipped: groups
      .filter((g) => g.status !== 'permuted')
      .map((g) => ({ group: g.id, reason: `${g.status}: ${g.reason}`, params: [...g.paramsC, ...g.paramsK] })),
    layers: sparseNames.map((name) => ({
      name,
      before: before.get(name)!,
      after: kept(byName.get(name)!.tensor.data, byName.get(name)!.tensor.shape),
    })),
    unpermuted: done.flatMap((g) =>
      [...g.paramsC, ...g.paramsK, ...g.buffers].filter((n) => !staged.wrote(byName.get(n)!.tensor)),
    ),
    nodes: graph.nodes,
  };
  return report;
}
