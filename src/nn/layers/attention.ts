import {
  type MT19937,
  ShapeError,
  Tensor,
  ValueError,
  add,
  dropout,
  formatShape,
  linear,
  matmul,
  mean,
  mul,
  narrow,
  reshape,
  softmax,
  transpose,
  zeros,
} from '../../tensor/index.js';
import { xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights while training (default 0). */
  dropout?: number;
  bias?: boolean;
  /** Inputs and output are [N, L, E] instead of PyTorch's default [L, N, E]. */
  batchFirst?: boolean;
  generator?: MT19937;
}

export interface MultiheadAttentionCallOptions {
  /** [N, S] (or [S] unbatched): 1 (true) marks a key position to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads ([N, L, S]) instead of per head ([N, H, L, S]); default true. */
  averageAttnWeights?: boolean;
}

/**
 * PyTorch's `nn.MultiheadAttention` (same embedding size for query, key and value), with its
 * parameter layout: `in_proj_weight` [3E, E] holding Wq, Wk, Wv stacked, `in_proj_bias` [3E], and
 * a Linear child `out_proj`. Returns [output, attention weights or null].
 */
export class MultiheadAttention extends Module<
  [Tensor, Tensor, Tensor, MultiheadAttentionCallOptions?],
  [Tensor, Tensor | null]
> {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly generator: MT19937 | undefined;
  inProjWeight: Parameter;
  inProjBias: Parameter | null;
  outProj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(embedDim) || !Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0) {
      throw new ValueError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.generator = opts.generator;
    const bias = opts.bias ?? true;
    this.inProjWeight = this.registerParameter('in_proj_weight', zeros([3 * embedDim, embedDim]));
    this.inProjBias = this.registerParameter('in_proj_bias', bias ? zeros([3 * embedDim]) : null);
    // Same draw order as PyTorch: out_proj's Linear init first, then xavier on in_proj; biases zero.
    this.outProj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias, generator: opts.generator }));
    xavierUniform_(this.inProjWeight, 1, opts.generator);
    this.outProj.bias?.data.fill(0);
  }

  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionCallOptions = {},
  ): [Tensor, Tensor | null] {
    const E = this.embedDim;
    const H = this.numHeads;
    const hd = this.headDim;
    const unbatched = query.ndim === 2;
    for (const [name, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (t.ndim !== (unbatched ? 2 : 3) || t.shape[t.ndim - 1] !== E) {
        throw new ShapeError(
          `MultiheadAttention: ${name} must be ${unbatched ? '[L, E]' : this.batchFirst ? '[N, L, E]' : '[L, N, E]'} with E = ${E}, got ${formatShape(t.shape)}`,
        );
      }
    }
    // Work in PyTorch's internal layout [L, N, E].
    const toLNE = (t: Tensor): Tensor =>
      unbatched ? reshape(t, [t.shape[0]!, 1, E]) : this.batchFirst ? transpose(t, 0, 1) : t;
    const q0 = toLNE(query);
    const k0 = toLNE(key);
    const v0 = toLNE(value);
    const [L, N] = [q0.shape[0]!, q0.shape[1]!];
    const S = k0.shape[0]!;
    if (k0.shape[1] !== N || v0.shape[1] !== N || v0.shape[0] !== S) {
      throw new ShapeError(
        `MultiheadAttention: query, key and value disagree on batch or key length: ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`,
      );
    }
    const proj = (x: Tensor, i: number): Tensor =>
      linear(
        x,
        narrow(this.inProjWeight, 0, i * E, E),
        this.inProjBias === null ? null : narrow(this.inProjBias, 0, i * E, E),
      );
    // [len, N, E] -> [N·H, len, hd]
    const heads = (x: Tensor, len: number): Tensor => transpose(reshape(x, [len, N * H, hd]), 0, 1);
    const q = mul(heads(proj(q0, 0), L), 1 / Math.sqrt(hd));
    const k = heads(proj(k0, 1), S);
    const v = heads(proj(v0, 2), S);
    let scores = matmul(q, transpose(k, 1, 2));
    if (opts.keyPaddingMask) scores = add(scores, this.paddingBias(opts.keyPaddingMask, N, S));
    let attn = softmax(scores, -1);
    if (this.dropout > 0) attn = dropout(attn, this.dropout, this.training, this.generator);
    const ctx = reshape(transpose(matmul(attn, v), 0, 1), [L * N, E]);
    let out = reshape(this.outProj.call(ctx), [L, N, E]);
    out = unbatched ? reshape(out, [L, E]) : this.batchFirst ? transpose(out, 0, 1) : out;
    if (opts.needWeights === false) return [out, null];
    const perHead = reshape(attn, [N, H, L, S]);
    let weights = (opts.averageAttnWeights ?? true) ? mean(perHead, 1) : perHead;
    if (unbatched) weights = reshape(weights, weights.shape.slice(1));
    return [out, weights];
  }

  /** −∞ on masked key positions, shaped [N·H, 1, S] to broadcast over queries. */
  private paddingBias(mask: Tensor, N: number, S: number): Tensor {
    if (mask.size !== N * S) {
      throw new ShapeError(
        `MultiheadAttention: keyPaddingMask must be [N, S] = [${N}, ${S}], got ${formatShape(mask.shape)}`,
      );
    }
    const H = this.numHeads;
    const data = new Float32Array(N * H * S);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let s = 0; s < S; s++) data[(n * H + h) * S + s] = mask.data[n * S + s] ? -Infinity : 0;
      }
    }
    return new Tensor(data, [N * H, 1, S]);
  }
}
