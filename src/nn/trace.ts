/**
 * One traced forward pass of a model: what the permutation graph and the ONNX exporter both read.
 * The model runs in eval mode (restored afterwards), without grad, under `traceGraph`.
 */
import { type Tensor, noGrad, traceGraph } from '../tensor/index.js';
import type { AnyModule } from './module.js';

function collectTensors(value: unknown, out: Tensor[]): void {
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
  else if (value !== null && typeof value === 'object' && 'trace' in value && 'shape' in value)
    out.push(value as Tensor);
}

/** Runs `model` on `inputs` and returns the output tensors (a tensor, or arrays of them). */
export function tracedForward(model: AnyModule, inputs: readonly Tensor[]): Tensor[] {
  const wasTraining = model.training;
  model.eval();
  try {
    const result = noGrad(() => traceGraph(() => (model.call as (...a: Tensor[]) => unknown)(...inputs)));
    const outs: Tensor[] = [];
    collectTensors(result, outs);
    return outs;
  } finally {
    model.train(wasTraining);
  }
}
