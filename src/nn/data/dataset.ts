import { ShapeError, Tensor, ValueError, formatShape, numel, shapeEquals } from '../../tensor/index.js';

/** A random-access collection, as PyTorch's map-style `Dataset`: `length` items, `get(i)` for 0 ≤ i < length. */
export interface Dataset<T> {
  readonly length: number;
  get(i: number): T;
}

/** One example: an input and its target (a class index as a float for classification). */
export interface Example {
  x: Tensor;
  y: Tensor;
}

/** Examples stacked along a new leading axis: x is [b, ...xShape], y is [b, ...yShape]. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * A dataset of examples that may also fetch a whole batch at once (PyTorch's `__getitems__`).
 * Datasets backed by contiguous arrays implement `getItems` to copy rows straight into the batch
 * storage instead of building one Tensor per example.
 */
export interface ExampleDataset extends Dataset<Example> {
  getItems?(indices: ArrayLike<number>): Batch;
}

function checkIndex(i: number, length: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new ValueError(`${what}: index ${i} is out of range for a dataset of length ${length}`);
  }
}

/** Stacks examples fetched one by one with `get` — the slow path for datasets without `getItems`. */
export function stackExamples(dataset: Dataset<Example>, indices: ArrayLike<number>): Batch {
  const b = indices.length;
  if (b === 0) throw new ValueError('stackExamples: cannot stack an empty batch (its example shapes are unknown)');
  const first = dataset.get(indices[0]!);
  const x = new Float32Array(b * first.x.size);
  const y = new Float32Array(b * first.y.size);
  for (let k = 0; k < b; k++) {
    const e = k === 0 ? first : dataset.get(indices[k]!);
    for (const [name, t, ref] of [
      ['x', e.x, first.x],
      ['y', e.y, first.y],
    ] as const) {
      if (!shapeEquals(t.shape, ref.shape)) {
        throw new ShapeError(
          `stackExamples: example ${indices[k]} has ${name} of shape ${formatShape(t.shape)}, expected ${formatShape(ref.shape)} like example ${indices[0]}`,
        );
      }
    }
    x.set(e.x.data, k * first.x.size);
    y.set(e.y.data, k * first.y.size);
  }
  return { x: new Tensor(x, [b, ...first.x.shape]), y: new Tensor(y, [b, ...first.y.shape]) };
}

/** Copies rows `indices` of a row-major array with rows of `rowSize` elements into fresh storage. */
function gatherRows(
  src: Float32Array,
  rowSize: number,
  indices: ArrayLike<number>,
  rows: number,
  what: string,
): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const r = indices[k]!;
    checkIndex(r, rows, what);
    if (rowSize === 1) out[k] = src[r]!;
    else out.set(src.subarray(r * rowSize, (r + 1) * rowSize), k * rowSize);
  }
  return out;
}

/**
 * Examples are the rows (first-axis slices) of two tensors, like `torch.utils.data.TensorDataset`
 * with an input and a target tensor. The tensors are held, not copied; every example or batch
 * handed out is fresh storage.
 */
export class TensorDataset implements ExampleDataset {
  readonly images: Tensor;
  readonly labels: Tensor;
  private readonly xRow: number;
  private readonly yRow: number;

  constructor(images: Tensor, labels: Tensor) {
    if (images.ndim === 0 || labels.ndim === 0) {
      throw new ShapeError(
        `TensorDataset: images ${formatShape(images.shape)} and labels ${formatShape(labels.shape)} both need a leading example axis`,
      );
    }
    if (images.shape[0] !== labels.shape[0]) {
      throw new ShapeError(
        `TensorDataset: images ${formatShape(images.shape)} hold ${images.shape[0]} examples but labels ${formatShape(labels.shape)} hold ${labels.shape[0]}`,
      );
    }
    this.images = images;
    this.labels = labels;
    this.xRow = numel(images.shape.slice(1));
    this.yRow = numel(labels.shape.slice(1));
  }

  get length(): number {
    return this.images.shape[0]!;
  }

  get(i: number): Example {
    checkIndex(i, this.length, 'TensorDataset.get');
    return {
      x: new Tensor(this.images.data.slice(i * this.xRow, (i + 1) * this.xRow), this.images.shape.slice(1)),
      y: new Tensor(this.labels.data.slice(i * this.yRow, (i + 1) * this.yRow), this.labels.shape.slice(1)),
    };
  }

  getItems(indices: ArrayLike<number>): Batch {
    const n = this.length;
    return {
      x: new Tensor(gatherRows(this.images.data, this.xRow, indices, n, 'TensorDataset.getItems'), [
        indices.length,
        ...this.images.shape.slice(1),
      ]),
      y: new Tensor(gatherRows(this.labels.data, this.yRow, indices, n, 'TensorDataset.getItems'), [
        indices.length,
        ...this.labels.shape.slice(1),
      ]),
    };
  }
}

/** The items of `dataset` at `indices`, in that order (`torch.utils.data.Subset`). */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: Int32Array;

  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    for (let k = 0; k < indices.length; k++) checkIndex(indices[k]!, dataset.length, `Subset: indices[${k}]`);
    this.dataset = dataset;
    this.indices = Int32Array.from(indices);
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): T {
    checkIndex(i, this.length, 'Subset.get');
    return this.dataset.get(this.indices[i]!);
  }

  /** Batched fetch through the wrapped dataset's own `getItems` when it has one. */
  getItems(this: Subset<Example>, indices: ArrayLike<number>): Batch {
    const mapped = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      checkIndex(indices[k]!, this.length, 'Subset.getItems');
      mapped[k] = this.indices[indices[k]!]!;
    }
    const inner = this.dataset as ExampleDataset;
    return inner.getItems ? inner.getItems(mapped) : stackExamples(inner, mapped);
  }
}
