import { type MT19937, type Tensor, ValueError, dropout, embedding, flatten, zeros } from '../../tensor/index.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

/** Inverted dropout while training; a copy in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly generator: MT19937 | undefined;

  constructor(p = 0.5, opts: { generator?: MT19937 } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = opts.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
}

/** Flattens dims startDim..endDim (PyTorch's default keeps the batch dim: startDim 1). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}

/** A lookup table [numEmbeddings, embeddingDim], initialised N(0, 1) as PyTorch. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: { generator?: MT19937 } = {}) {
    super();
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new ValueError(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = this.registerParameter('weight', normal_(zeros([numEmbeddings, embeddingDim]), 0, 1, opts.generator));
  }

  /** `indices`: a float tensor of integer indices, any shape; output [...indices.shape, embeddingDim]. */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
}
