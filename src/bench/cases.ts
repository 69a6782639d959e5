import type { ConvParams, GemmParams } from '../tensor/index.js';

/** One benchmarked shape. FLOPs count a multiply-add as two operations (2·M·N·K). */
export type BenchCase =
  | { id: string; kind: 'gemm'; label: string; flops: number; gemm: GemmParams }
  | { id: string; kind: 'conv2d'; label: string; flops: number; conv: ConvParams };

/**
 * A GEMM case. Linear cases (transB) mark W as a weight (`bStamp`), as the linear op does for a
 * layer's parameter: a backend that keeps weights packed between calls (wasm) may do so here too,
 * as TensorFlow.js and onnxruntime keep theirs resident.
 */
function gemmCase(id: string, label: string, m: number, k: number, n: number, transB: boolean): BenchCase {
  const gemm: GemmParams = { batch: 1, m, k, n, transA: false, transB, strideA: 0, strideB: 0 };
  return { id, kind: 'gemm', label, flops: 2 * m * n * k, gemm: transB ? { ...gemm, bStamp: 0 } : gemm };
}

/** The ResNet-style 3×3 convolution: batch 8, 64→64 channels, 56×56, padding 1. */
function resnetConv(): BenchCase {
  const conv: ConvParams = {
    batch: 8,
    inChannels: 64,
    outChannels: 64,
    groups: 1,
    inSize: [1, 56, 56],
    kernelSize: [1, 3, 3],
    stride: [1, 1, 1],
    padding: [0, 1, 1],
    dilation: [1, 1, 1],
    outSize: [1, 56, 56],
    wStamp: 0,
  };
  return {
    id: 'conv2d-resnet',
    kind: 'conv2d',
    label: 'conv2d 8×64×56×56, 64 out, 3×3 pad 1',
    flops: 2 * 8 * 64 * 56 * 56 * 64 * 9,
    conv,
  };
}

/** Square GEMMs C = A·B, and Linear shapes y = x·Wᵀ (batch × in → out). */
export function denseCases(quick: boolean): BenchCase[] {
  const all = [
    gemmCase('gemm-256', 'GEMM 256²', 256, 256, 256, false),
    gemmCase('gemm-512', 'GEMM 512²', 512, 512, 512, false),
    gemmCase('gemm-1024', 'GEMM 1024²', 1024, 1024, 1024, false),
    gemmCase('linear-64x1024x1024', 'linear 64×1024→1024', 64, 1024, 1024, true),
    gemmCase('linear-256x1024x1024', 'linear 256×1024→1024', 256, 1024, 1024, true),
    gemmCase('linear-1x4096x4096', 'linear 1×4096→4096', 1, 4096, 4096, true),
    resnetConv(),
  ];
  return quick ? all.filter((c) => c.id === 'gemm-256' || c.id === 'linear-1x4096x4096') : all;
}

/** Deterministic inputs in [-1, 1) (a cheap LCG: benchmark data need not be NumPy's). */
export function benchData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export function gemmOperandSizes(p: GemmParams): [number, number] {
  return [p.m * p.k, p.k * p.n];
}

export function convOperandSizes(p: ConvParams): [number, number] {
  const [d, h, w] = p.inSize;
  const [kd, kh, kw] = p.kernelSize;
  return [p.batch * p.inChannels * d * h * w, p.outChannels * (p.inChannels / p.groups) * kd * kh * kw];
}
