import { Tensor, ValueError } from '../../tensor/index.js';
import { type ParamGroup, type ParamGroupInput, Optimizer, checkHyper } from './optimizer.js';

export interface SGDHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Stochastic gradient descent with PyTorch's exact update order:
 * d = g + wd·p; buf = d on the first step, else momentum·buf + (1 − dampening)·d;
 * d = nesterov ? d + momentum·buf : buf; p −= lr·d. Each stage rounds to float32 as torch's
 * tensor ops do. State key: `momentum_buffer`.
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<SGDHyper>>,
    opts: Partial<SGDHyper> & { lr: number },
  ) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
  }

  protected validate(g: ParamGroup<SGDHyper>): void {
    checkHyper('SGD', 'lr', g.lr, 0);
    checkHyper('SGD', 'momentum', g.momentum, 0);
    checkHyper('SGD', 'weightDecay', g.weightDecay, 0);
    if (!Number.isFinite(g.dampening)) throw new ValueError(`SGD: dampening must be finite, got ${g.dampening}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ValueError(
        `SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${g.momentum}, dampening ${g.dampening}`,
      );
    }
  }

  protected update(g: ParamGroup<SGDHyper>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = g;
    for (const p of g.params) {
      if (p.grad === null) continue;
      const w = p.data;
      const grad = p.grad.data;
      const n = w.length;
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const gi = maximize ? -grad[i]! : grad[i]!;
        d[i] = weightDecay !== 0 ? f(gi + f(weightDecay * w[i]!)) : gi;
      }
      if (momentum !== 0) {
        const s = this.stateOf(p);
        const prev = s['momentum_buffer'];
        if (!(prev instanceof Tensor)) {
          s['momentum_buffer'] = new Tensor(d.slice(), p.shape);
        } else {
          const buf = prev.data;
          for (let i = 0; i < n; i++) buf[i] = f(f(momentum * buf[i]!) + f((1 - dampening) * d[i]!));
        }
        const buf = (s['momentum_buffer'] as Tensor).data;
        if (nesterov) for (let i = 0; i < n; i++) d[i] = f(d[i]! + f(momentum * buf[i]!));
        else d.set(buf);
      }
      for (let i = 0; i < n; i++) w[i] = f(w[i]! - f(lr * d[i]!));
    }
  }
}
