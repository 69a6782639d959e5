import { Tensor, ValueError } from '../../tensor/index.js';
import { type ParamGroup, type ParamGroupInput, Optimizer, checkHyper } from './optimizer.js';

export interface AdamHyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const f = Math.fround;

function tensorState(p: Tensor, s: Record<string, number | Tensor>, key: string): Float32Array {
  let t = s[key];
  if (!(t instanceof Tensor)) {
    t = new Tensor(new Float32Array(p.size), p.shape);
    s[key] = t;
  }
  return t.data;
}

/**
 * Adam as PyTorch's single-tensor implementation (1.13): with `decoupled` false, L2 weight decay
 * is added to the gradient (Adam); with true, the weights shrink by lr·wd first (AdamW).
 * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 * eps is added after the bias-corrected square root, as torch does. State keys: `step`,
 * `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq` with amsgrad).
 */
abstract class AdamBase extends Optimizer<AdamHyper> {
  protected abstract readonly decoupled: boolean;

  protected validate(g: ParamGroup<AdamHyper>): void {
    const name = this.constructor.name;
    checkHyper(name, 'lr', g.lr, 0);
    checkHyper(name, 'eps', g.eps, 0);
    checkHyper(name, 'weightDecay', g.weightDecay, 0);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) {
      throw new ValueError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(g.betas)}`);
    }
    checkHyper(name, 'betas[0]', g.betas[0], 0, 1);
    checkHyper(name, 'betas[1]', g.betas[1], 0, 1);
  }

  protected update(g: ParamGroup<AdamHyper>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = g;
    const [beta1, beta2] = g.betas;
    for (const p of g.params) {
      if (p.grad === null) continue;
      const w = p.data;
      const grad = p.grad.data;
      const n = w.length;
      const s = this.stateOf(p);
      const step = (typeof s['step'] === 'number' ? s['step'] : 0) + 1;
      s['step'] = step;
      const m = tensorState(p, s, 'exp_avg');
      const v = tensorState(p, s, 'exp_avg_sq');
      const vmax = amsgrad ? tensorState(p, s, 'max_exp_avg_sq') : null;
      if (this.decoupled && weightDecay !== 0) {
        const shrink = f(1 - lr * weightDecay);
        for (let i = 0; i < n; i++) w[i] = f(w[i]! * shrink);
      }
      const stepSize = lr / (1 - beta1 ** step);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      for (let i = 0; i < n; i++) {
        let gi = maximize ? -grad[i]! : grad[i]!;
        if (!this.decoupled && weightDecay !== 0) gi = f(gi + f(weightDecay * w[i]!));
        m[i] = f(f(beta1 * m[i]!) + f((1 - beta1) * gi));
        v[i] = f(f(beta2 * v[i]!) + f((1 - beta2) * f(gi * gi)));
        let second = v[i]!;
        if (vmax !== null) {
          vmax[i] = Math.max(vmax[i]!, v[i]!);
          second = vmax[i]!;
        }
        const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
        w[i] = f(w[i]! - f(stepSize * f(m[i]! / denom)));
      }
    }
  }
}

/** Adam with L2 weight decay folded into the gradient (PyTorch's `torch.optim.Adam`). */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamHyper>>, opts: Partial<AdamHyper> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}

/** Adam with decoupled weight decay (PyTorch's `torch.optim.AdamW`, default weightDecay 0.01). */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamHyper>>, opts: Partial<AdamHyper> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}
