import { kernels } from '../backend.js';
import { ShapeError } from '../errors.js';
import type { GemmParams } from '../kernels/types.js';
import { type Shape, broadcastIndex, broadcastShapes, formatShape, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { unbroadcast } from './broadcast.js';

/**
 * One operand of a batched product, as the GEMM kernel reads it: `data` holds either one matrix
 * per batch item (stride = matrix size) or a single matrix every item shares (stride 0).
 */
function batchedOperand(
  t: Tensor,
  matShape: readonly [number, number],
  batchShape: Shape,
): { data: Float32Array; stride: number } {
  const own = t.shape.slice(0, -2);
  const size = matShape[0] * matShape[1];
  if (numel(own) === 1 && numel(batchShape) !== 1) return { data: t.data, stride: 0 };
  // Equal counts mean equal shapes up to leading 1s: the layout already matches.
  if (numel(batchShape) === numel(own)) {
    return { data: t.data, stride: size };
  }
  // Partial broadcasting (e.g. [3,1,m,k] against [1,4,...]): copy the matrices out to full batch.
  const idx = broadcastIndex(own, batchShape);
  const data = new Float32Array(idx.length * size);
  for (let b = 0; b < idx.length; b++) data.set(t.data.subarray(idx[b]! * size, (idx[b]! + 1) * size), b * size);
  return { data, stride: size };
}

/** Sums per-batch-item gradients of a [batch, r, c] operand back to the operand's own batch shape. */
function reduceBatch(g: Float32Array, own: Shape, batchShape: Shape, r: number, c: number): Float32Array {
  return unbroadcast(g, [...own, r, c], [...batchShape, r, c]);
}

/**
 * Matrix product with torch.matmul's rules: 1-D·1-D is a dot product, a 1-D left operand is a row
 * vector and a 1-D right operand a column vector (the added dimension is removed again), and
 * leading dimensions of rank ≥ 3 operands broadcast as batch dimensions.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul needs tensors of rank >= 1, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  if (bShape[bShape.length - 2] !== k) {
    throw new ShapeError(
      `matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner dimensions differ (${k} vs ${bShape[bShape.length - 2]})`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(aBatch, bBatch);
  } catch {
    throw new ShapeError(
      `matmul: batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`,
    );
  }
  const batch = numel(batchShape);
  const A = batchedOperand(new Tensor(a.data, aShape), [m, k], batchShape);
  const B = batchedOperand(new Tensor(b.data, bShape), [k, n], batchShape);
  const K = kernels();
  const params: GemmParams = { batch, m, k, n, transA: false, transB: false, strideA: A.stride, strideB: B.stride };
  const out = K.gemm(A.data, B.data, params);

  const outShape = [...batchShape];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);

  return Tensor.fromOp('matmul', out, outShape, [a, b], (g) => {
    // dA[b] = dC[b]·B[b]ᵀ and dB[b] = A[b]ᵀ·dC[b], per full batch item, then summed over broadcasting.
    const gA = a.requiresGrad
      ? reduceBatch(
          K.gemm(g, B.data, { batch, m, k: n, n: k, transA: false, transB: true, strideA: m * n, strideB: B.stride }),
          aBatch,
          batchShape,
          m,
          k,
        )
      : null;
    const gB = b.requiresGrad
      ? reduceBatch(
          K.gemm(A.data, g, { batch, m: k, k: m, n, transA: true, transB: false, strideA: A.stride, strideB: m * n }),
          bBatch,
          batchShape,
          k,
          n,
        )
      : null;
    return [gA, gB];
  });
}

/**
 * y = x·Wᵀ + b, PyTorch's F.linear: x [..., in], weight [out, in], bias [out]. All leading
 * dimensions of x fold into one GEMM of [rows, in]·[out, in]ᵀ.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) {
    throw new ShapeError(
      `linear: weight must be [out, in], got ${formatShape(weight.shape)} (input ${formatShape(x.shape)})`,
    );
  }
  const [outF, inF] = [weight.shape[0]!, weight.shape[1]!];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: input ${formatShape(x.shape)} must end in in_features = ${inF} to match weight ${formatShape(weight.shape)}`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(
      `linear: bias must be [${outF}] for weight ${formatShape(weight.shape)}, got ${formatShape(bias.shape)}`,
    );
  }
  const rows = x.size / inF;
  const K = kernels();
  const y = K.gemm(x.data, weight.data, {
    batch: 1,
    m: rows,
    k: inF,
    n: outF,
    transA: false,
    transB: true,
    strideA: 0,
    strideB: 0,
    bStamp: weight.weightStamp,
  });
  if (bias !== null) {
    for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) y[r * outF + j]! += bias.data[j]!;
  }
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return Tensor.fromOp(
    'linear',
    y,
    [...x.shape.slice(0, -1), outF],
    inputs,
    (g) => {
      const gx = x.requiresGrad
        ? K.gemm(g, weight.data, {
            batch: 1,
            m: rows,
            k: outF,
            n: inF,
            transA: false,
            transB: false,
            strideA: 0,
            strideB: 0,
          })
        : null;
      const gw = weight.requiresGrad
        ? K.gemm(g, x.data, { batch: 1, m: outF, k: rows, n: inF, transA: true, transB: false, strideA: 0, strideB: 0 })
        : null;
      let gb: Float32Array | null = null;
      if (bias !== null && bias.requiresGrad) {
        const acc = new Float64Array(outF);
        for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) acc[j]! += g[r * outF + j]!;
        gb = Float32Array.from(acc);
      }
      return bias === null ? [gx, gw] : [gx, gw, gb];
    },
    { inFeatures: inF, outFeatures: outF, bias: bias !== null },
  );
}

declare module '../tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
  }
}
Tensor.prototype.matmul = function (this: Tensor, other: Tensor) {
  return matmul(this, other);
};
