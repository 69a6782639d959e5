/**
 * apex's `test_permutation_application.py` models (docs/apex-asp.md §4.1), rebuilt with sparse24's nn.
 * Names follow apex's so the reports read the same.
 */
import {
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Flatten,
  GroupNorm,
  InstanceNorm2d,
  LayerNorm,
  Module,
  Linear,
  ModuleList,
  MultiheadAttention,
  ReLU,
  Sequential,
  type TensorModule,
} from '../../../src/nn/index.js';
import {
  type Tensor,
  add,
  arange,
  cat,
  expand,
  flatten,
  mul,
  pow,
  reshape,
  transpose,
  zeros,
} from '../../../src/tensor/index.js';
import { TestModel } from './helpers.js';

/** Width of the 128-channel layers in apex's models, scaled down so the tests stay fast. */
export const W = 32;

const c3 = (i: number, o: number, groups = 1): Conv2d => new Conv2d(i, o, 3, { padding: 1, groups });
const c1 = (i: number, o: number): Conv2d => new Conv2d(i, o, 1);

/** A cross-channel norm written with tensor ops (sparse24 has no LocalResponseNorm layer). */
class ChannelWindowNorm extends Module {
  forward(x: Tensor): Tensor {
    // Each channel is scaled by its neighbour's energy: an op mixing adjacent channels.
    const c = x.shape[1]!;
    const shifted = cat([x.narrow(1, 1, c - 1), x.narrow(1, 0, 1)], 1);
    return add(x, mul(pow(shifted, 2), 1e-4));
  }
}

export type Norm =
  | 'none'
  | 'BatchNorm2d'
  | 'InstanceNorm2d'
  | 'LayerNorm3'
  | 'LayerNorm2'
  | 'GroupNorm'
  | 'ChannelWindow';

export class SimpleConvs extends TestModel {
  readonly inputShape: number[];
  readonly stack = new Sequential();
  constructor(n: number, ch: number, norm: Norm = 'none') {
    super();
    this.inputShape = [4, ch, 7, 7];
    this.registerModule('conv_stack', this.stack);
    for (let i = 0; i < n - 1; i++) {
      this.stack.append(c3(ch, ch));
      const layer: TensorModule | null =
        norm === 'BatchNorm2d'
          ? new BatchNorm2d(ch)
          : norm === 'InstanceNorm2d'
            ? new InstanceNorm2d(ch, { affine: true, trackRunningStats: true })
            : norm === 'LayerNorm3'
              ? new LayerNorm([ch, 7, 7])
              : norm === 'LayerNorm2'
                ? new LayerNorm([7, 7])
                : norm === 'GroupNorm'
                  ? new GroupNorm(4, ch)
                  : norm === 'ChannelWindow'
                    ? new ChannelWindowNorm()
                    : null;
      if (layer !== null) this.stack.append(layer);
      this.stack.append(new ReLU());
    }
    this.stack.append(c1(ch, 8));
  }
  forward(x: Tensor): Tensor {
    return this.stack.call(x);
  }
}

export class ConvOneD extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inputConv = this.registerModule('input_conv', c3(16, 32));
  readonly branchA = this.registerModule('branch_a_1D', new Conv1d(32, 32, 3, { padding: 1 }));
  readonly branchB: Conv2d | null;
  readonly outConv: Conv2d;
  constructor(with2d: boolean) {
    super();
    this.branchB = with2d ? this.registerModule('branch_b_2D', c3(32, 32)) : null;
    this.outConv = this.registerModule('out_conv', c1(32, 8));
  }
  forward(x: Tensor): Tensor {
    const s0 = this.inputConv.call(x);
    const [n, c, h, w] = s0.shape as [number, number, number, number];
    let s1 = reshape(this.branchA.call(reshape(s0, [n, c, h * w])), s0.shape);
    if (this.branchB !== null) s1 = add(s1, this.branchB.call(s0));
    return this.outConv.call(s1);
  }
}

export class GroupedConvs extends TestModel {
  readonly inputShape = [4, W, 7, 7];
  readonly stack = this.registerModule(
    'conv_stack',
    new Sequential(c3(W, W), c3(W, W, W), c3(W, W, 1), c3(W, W, 2), c3(W, W), c3(W, W, W / 2)),
  );
  forward(x: Tensor): Tensor {
    return this.stack.call(x);
  }
}

export class ForksJoins extends TestModel {
  readonly inputShape = [4, 64, 7, 7];
  readonly inputConvs = this.registerModule('input_convs', new Sequential(c3(64, 64), c3(64, 64), new BatchNorm2d(64)));
  readonly a = this.registerModule('block_a', new Sequential(c3(64, 32), c3(32, 64)));
  readonly b = this.registerModule('block_b', new Sequential(c3(64, 32), c3(32, 64)));
  readonly c = this.registerModule('block_c', new Sequential(c3(64, 32), c3(32, 64)));
  readonly out = this.registerModule('output_conv', new Sequential(c3(64, 8)));
  forward(x: Tensor): Tensor {
    const s0 = this.inputConvs.call(x);
    const s1 = add(s0, this.a.call(s0));
    const s2 = add(this.b.call(s1), this.c.call(s1));
    return this.out.call(s2);
  }
}

export class DifferentGroups extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inputConv = this.registerModule('input_conv', c3(16, 64));
  readonly blocks = this.registerModule('blocks', new ModuleList([1, 2, 4, 8].map((g) => c3(64, 64, g))));
  readonly out = this.registerModule('output_conv', c3(64, 8));
  forward(x: Tensor): Tensor {
    const s0 = this.inputConv.call(x);
    let s1: Tensor | null = null;
    for (const b of this.blocks) {
      const y = (b as Conv2d).call(s0);
      s1 = s1 === null ? y : add(s1, y);
    }
    return this.out.call(s1!);
  }
}

export class SiblingsPoison extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inputConv = this.registerModule('input_conv', c3(16, W));
  readonly a = this.registerModule('block_a', new Sequential(c3(W, W), new Flatten(1), new Linear(W * 49, W)));
  readonly b = this.registerModule('block_b', new Sequential(new Flatten(1), new Linear(W * 49, W)));
  readonly out = this.registerModule('output', new Linear(W, 8));
  forward(x: Tensor): Tensor {
    const s0 = this.inputConv.call(x);
    return this.out.call(add(this.a.call(s0), this.b.call(s0)));
  }
}

/**
 * conv_a + [conv_b0 → conv_b1]: with `dw` conv_b0 is depthwise (apex's "dw child is sibling"), else
 * conv_b1 is grouped (apex: 4 groups of 32; here 2 groups of 16, so its weight still counts as sparse).
 */
export class TwoBranches extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inputConv = this.registerModule('input_conv', c3(16, W));
  readonly a = this.registerModule('block_a', new Sequential(c3(W, W)));
  readonly b: Sequential;
  readonly out = this.registerModule('output_conv', c1(W, 8));
  constructor(dw: boolean) {
    super();
    this.b = this.registerModule(
      'block_b',
      dw ? new Sequential(c3(W, W, W), c3(W, W)) : new Sequential(c3(W, W), c3(W, W, 2)),
    );
  }
  forward(x: Tensor): Tensor {
    const s0 = this.inputConv.call(x);
    return this.out.call(add(this.a.call(s0), this.b.call(s0)));
  }
}

export class ModuleAttribute extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly offset = this.registerParameter('input_offset', zeros([W, 7, 7]));
  readonly inputConv = this.registerModule('input_conv', c3(16, W));
  readonly stack: ModuleList | null;
  readonly out = this.registerModule('output_conv', new Conv2d(W, 8, 3));
  constructor(complexity: 0 | 1) {
    super();
    this.stack = complexity === 1 ? this.registerModule('stacks', new ModuleList([c3(W, W), c3(W, W)])) : null;
  }
  forward(x: Tensor): Tensor {
    const off = expand(this.offset, [x.shape[0]!, -1, -1, -1]);
    let y = add(this.inputConv.call(x), off);
    for (const m of this.stack ?? []) y = add((m as Conv2d).call(y), off);
    return this.out.call(y);
  }
}

export class SquareAttribute extends TestModel {
  readonly inputShape = [4, 16, 16];
  readonly inputLinear = this.registerModule('input_linear', new Linear(16, 16));
  readonly offset = this.registerParameter('input_offset', zeros([16, 16]));
  readonly out = this.registerModule('output_linear', new Linear(16, 8));
  forward(x: Tensor): Tensor {
    const off = expand(this.offset, [x.shape[0]!, -1, -1]);
    return this.out.call(add(this.inputLinear.call(x), transpose(off, 1, 2)));
  }
}

export class StackedMha extends TestModel {
  readonly inputShape = [4, 8, 64];
  readonly m0 = this.registerModule('MHA0', new MultiheadAttention(64, 4, { batchFirst: true }));
  readonly m1 = this.registerModule('MHA1', new MultiheadAttention(64, 4, { batchFirst: true }));
  forward(x: Tensor): Tensor {
    const [s0] = this.m0.call(x, x, x);
    const [s1] = this.m1.call(s0, s0, s0);
    return s1;
  }
}

export class OneSparseSibling extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inConv = this.registerModule('in_conv', c3(16, W));
  readonly a = this.registerModule('block_a', new Sequential(c1(W, 3), c3(3, W)));
  readonly b = this.registerModule('block_b', new Sequential(c3(W, W), c1(W, W)));
  readonly out = this.registerModule('out_conv', c1(W, 8));
  forward(x: Tensor): Tensor {
    const s0 = this.inConv.call(x);
    return this.out.call(add(this.a.call(s0), this.b.call(s0)));
  }
}

export class Concat extends TestModel {
  readonly inputShape = [4, 16, 7, 7];
  readonly inConv = this.registerModule('in_conv', c1(16, 64));
  readonly left = this.registerModule('left_paths', new ModuleList<Conv2d>([c1(64, 64)]));
  readonly right: Conv2d;
  readonly out: Conv2d;
  constructor(
    readonly ratio = 1,
    readonly dim = 1,
    depth = 1,
  ) {
    super();
    let [inC, outC] = [64, 64];
    for (let d = 1; d < depth; d++) {
      if (dim === 1) outC += 64;
      this.left.append(c1(inC + 64, outC));
      if (dim === 1) inC += 64;
    }
    this.right = this.registerModule('right_path', c1(64, 64 * ratio));
    this.out = this.registerModule('out_conv', c1(dim === 1 ? outC + 64 * ratio : outC, 16));
  }
  forward(x: Tensor): Tensor {
    const s0 = this.inConv.call(x);
    let s1 = s0;
    let d = 0;
    for (const layer of this.left) s1 = layer.call(d++ === 0 ? s1 : cat([s1, s0], 1));
    return this.out.call(cat([s1, this.right.call(s0)], this.dim));
  }
}

export class FlattenCase extends TestModel {
  readonly inputShape: number[];
  readonly stack: Sequential | null;
  readonly inConv: Conv2d | null;
  readonly outGemm: Linear | null;
  constructor(spatial: 1 | 3, asModule: boolean) {
    super();
    this.inputShape = [4, 16, spatial, spatial];
    const flat = spatial * spatial * 64;
    if (asModule) {
      this.stack = this.registerModule('stack', new Sequential(c1(16, 64), new Flatten(1), new Linear(flat, 16)));
      [this.inConv, this.outGemm] = [null, null];
    } else {
      this.stack = null;
      this.inConv = this.registerModule('in_conv', c1(16, 64));
      this.outGemm = this.registerModule('out_gemm', new Linear(flat, 16));
    }
  }
  forward(x: Tensor): Tensor {
    if (this.stack !== null) return this.stack.call(x);
    return this.outGemm!.call(flatten(this.inConv!.call(x), 1));
  }
}

/** apex's "trace failure": the forward reads a size and builds a tensor from it (fx cannot trace that). */
export class SizeDependent extends TestModel {
  readonly inputShape = [4, 16, 1, 1];
  readonly inConv = this.registerModule('in_conv', c1(16, 64));
  readonly outConv = this.registerModule('out_conv', c1(64, 16));
  forward(x: Tensor): Tensor {
    const s0 = this.inConv.call(x);
    const offset = reshape(arange(s0.shape[1]!), [1, s0.shape[1]!, 1, 1]);
    return this.outConv.call(add(s0, offset));
  }
}

export class AlreadySparse extends TestModel {
  readonly inputShape = [4, 16, 3, 3];
  readonly inConv = this.registerModule('in_conv', c1(16, 64));
  readonly outConv = this.registerModule('out_conv', c1(64, 16));
  /** Makes out_conv exactly 2:4 (every other input channel zero), after any randomisation. */
  sparsify(): void {
    const w = this.outConv.weight;
    for (let i = 0; i < w.data.length; i++) w.data[i] = (i % 64) % 2 === 0 ? 0 : 1;
  }
  forward(x: Tensor): Tensor {
    return this.outConv.call(this.inConv.call(x));
  }
}
