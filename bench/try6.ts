import { demoCnn } from '../src/demo/model.js';
import { mobilenetSmall, resnetSmall, MultiheadAttention, Sequential, Linear, LayerNorm } from '../src/nn/index.js';
import { randn, noGrad, traceGraph, type Tensor } from '../src/tensor/index.js';
function walk(t: Tensor, seen: Map<Tensor, string>) {
  if (seen.has(t) || t.trace === null) return;
  seen.set(t, t.trace.op);
  for (const i of t.trace.inputs) walk(i, seen);
}
const cases: [string, any, Tensor][] = [
  ['demo', demoCnn(28), randn([2, 1, 28, 28])],
  ['resnet', resnetSmall(), randn([2, 3, 32, 32])],
  ['mobilenet', mobilenetSmall(), randn([2, 3, 32, 32])],
];
for (const [name, m, x] of cases) {
  m.eval();
  const y = noGrad(() => traceGraph(() => m.call(x))) as Tensor;
  const seen = new Map<Tensor, string>();
  walk(y, seen);
  const ops = new Map<string, string>();
  for (const t of seen.keys()) ops.set(t.trace!.op, JSON.stringify(t.trace!.attrs));
  console.log(name, [...ops.entries()].map(([k, v]) => `${k} ${v}`).join('\n  '));
}
