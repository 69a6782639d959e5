/** apex's toy model (docs/apex-asp.md §4.2, §4.3) and a training loop, shared by tests and the resume script. */
import { LayerNorm, Linear, Module, type BaseHyper, type Optimizer } from '../../src/nn/index.js';
import { MT19937, type Tensor, mul, randn, sub, sum } from '../../src/tensor/index.js';

/** apex's `build_model`: `layers` × (Linear + LayerNorm([batch, features])), named as apex names them. */
export class ToyModel extends Module {
  readonly linears: Linear[] = [];
  readonly norms: LayerNorm[] = [];

  constructor(batch: number, inputs: number, hidden: number, outputs: number, layers: number, generator: MT19937) {
    super();
    for (let i = 1; i <= layers; i++) {
      const fin = i === 1 ? inputs : hidden;
      const fout = i === layers ? outputs : hidden;
      this.linears.push(this.registerModule(`linear_layer_${i}`, new Linear(fin, fout, { generator })));
      this.norms.push(this.registerModule(`layer_norm_${i}`, new LayerNorm([batch, fout])));
    }
  }

  forward(x: Tensor): Tensor {
    let y = x;
    this.linears.forEach((l, i) => {
      y = this.norms[i]!.call(l.call(y));
    });
    return y;
  }
}

export interface Batchable {
  readonly batch: number;
  readonly inputs: number;
  readonly outputs: number;
}

/** `steps` steps of Σ(pred − target)² on random normal batches drawn from `gen`; `afterStep` sees each step. */
export function train(
  model: ToyModel,
  optimizer: Optimizer<BaseHyper>,
  dims: Batchable,
  steps: number,
  gen: MT19937,
  afterStep: (step: number) => void = () => {},
): void {
  for (let s = 0; s < steps; s++) {
    const x = randn([dims.batch, dims.inputs], { generator: gen });
    const target = randn([dims.batch, dims.outputs], { generator: gen });
    optimizer.zeroGrad();
    const d = sub(model.call(x), target);
    sum(mul(d, d)).backward();
    optimizer.step();
    afterStep(s);
  }
}

/** Exact equality including the sign of zero, for bit-identical comparisons. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
