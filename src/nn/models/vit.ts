/**
 * A small Vision Transformer (Dosovitskiy et al. 2021) built from the engine's layers: patch
 * embedding as a Conv2d whose stride is the patch size, learned position embeddings, `depth`
 * pre-norm blocks (LayerNorm, self-attention, residual; LayerNorm, GELU MLP, residual), a final
 * LayerNorm, mean pooling over the tokens and a Linear head. Mean pooling instead of a class
 * token keeps the graph to ops every pass knows (tracing, permutation, ONNX).
 *
 * The prunable weights are the attention's `in_proj_weight` [3·dim, dim] and `out_proj` [dim,
 * dim] and the MLP's two Linears; with `dim` and `dim·mlpRatio` multiples of 16 they all pass
 * apex's tensor-core rule (rows % 8, columns % 16). The patch embedding (one input channel) and
 * the head (`classes` rows) stay dense, as in the demo CNN.
 */
import { type MT19937, type Tensor, ValueError, add, mean, reshape, transpose, zeros } from '../../tensor/index.js';
import { normal_ } from '../init.js';
import { GELU } from '../layers/activation.js';
import { ModuleList, Sequential } from '../layers/container.js';
import { MultiheadAttention } from '../layers/attention.js';
import { Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

export interface VitOptions {
  /** Side of the square input images (default 8). */
  imageSize?: number;
  /** Side of a square patch; must divide imageSize (default 2). */
  patchSize?: number;
  /** Input channels (default 1). */
  channels?: number;
  /** Token width (default 32). */
  dim?: number;
  /** Transformer blocks (default 2). */
  depth?: number;
  /** Attention heads; must divide dim (default 4). */
  heads?: number;
  /** MLP hidden width = dim · mlpRatio (default 2). */
  mlpRatio?: number;
  classes?: number;
  generator?: MT19937;
}

/** One pre-norm transformer block: x + attn(ln1(x)), then y + mlp(ln2(y)). Children ln1, attn, ln2, mlp. */
export class VitBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Sequential;

  constructor(dim: number, heads: number, hidden: number, generator?: MT19937) {
    super();
    this.ln1 = this.registerModule('ln1', new LayerNorm(dim));
    this.attn = this.registerModule('attn', new MultiheadAttention(dim, heads, { batchFirst: true, generator }));
    this.ln2 = this.registerModule('ln2', new LayerNorm(dim));
    this.mlp = this.registerModule(
      'mlp',
      new Sequential(new Linear(dim, hidden, { generator }), new GELU(), new Linear(hidden, dim, { generator })),
    );
  }

  forward(x: Tensor): Tensor {
    const h = this.ln1.call(x);
    // Query, key and value are the same tensor: calibrated pruning sees in_proj's rows through it.
    const [a] = this.attn.call(h, h, h, { needWeights: false });
    const y = add(x, a);
    return add(y, this.mlp.call(this.ln2.call(y)));
  }
}

/** The Vision Transformer: [N, C, S, S] images to [N, classes] logits. Children patch, blocks, norm, head. */
export class VisionTransformer extends Module {
  readonly tokens: number;
  readonly dim: number;
  readonly patch: Conv2d;
  readonly posEmbed: Parameter;
  readonly blocks: ModuleList<VitBlock>;
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(opts: VitOptions = {}) {
    super();
    const imageSize = opts.imageSize ?? 8;
    const patchSize = opts.patchSize ?? 2;
    const dim = opts.dim ?? 32;
    const depth = opts.depth ?? 2;
    const heads = opts.heads ?? 4;
    const mlpRatio = opts.mlpRatio ?? 2;
    const positive = { imageSize, patchSize, dim, depth, heads, mlpRatio, classes: opts.classes ?? 10 };
    for (const [name, v] of Object.entries(positive)) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`vitSmall: ${name} must be a positive integer, got ${v}`);
    }
    if (imageSize % patchSize !== 0)
      throw new ValueError(`vitSmall: patchSize (${patchSize}) must divide imageSize (${imageSize})`);
    if (dim % heads !== 0) throw new ValueError(`vitSmall: heads (${heads}) must divide dim (${dim})`);
    const g = opts.generator;
    this.dim = dim;
    this.tokens = (imageSize / patchSize) ** 2;
    this.patch = this.registerModule(
      'patch',
      new Conv2d(opts.channels ?? 1, dim, patchSize, { stride: patchSize, generator: g }),
    );
    // ViT's initialisation of the position embeddings: N(0, 0.02).
    this.posEmbed = this.registerParameter('pos_embed', normal_(zeros([1, this.tokens, dim]), 0, 0.02, g));
    this.blocks = this.registerModule(
      'blocks',
      new ModuleList(Array.from({ length: depth }, () => new VitBlock(dim, heads, dim * mlpRatio, g))),
    );
    this.norm = this.registerModule('norm', new LayerNorm(dim));
    this.head = this.registerModule('head', new Linear(dim, positive.classes, { generator: g }));
  }

  forward(x: Tensor): Tensor {
    const p = this.patch.call(x); // [N, dim, S/p, S/p]
    const n = p.shape[0]!;
    let h = add(transpose(reshape(p, [n, this.dim, this.tokens]), 1, 2), this.posEmbed); // [N, T, dim]
    for (const block of this.blocks) h = block.call(h);
    return this.head.call(mean(this.norm.call(h), 1));
  }
}

/** A small ViT with the defaults above (8×8 images, 2×2 patches: 16 tokens of width 32, 2 blocks). */
export function vitSmall(opts: VitOptions = {}): VisionTransformer {
  return new VisionTransformer(opts);
}
