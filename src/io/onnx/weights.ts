/**
 * The layer weights of an ONNX graph, found the way TensorRT finds candidates for sparse tactics:
 * the weight input of every Conv, Gemm and MatMul that is an initializer (directly, or through a
 * DequantizeLinear of one, or a QuantizeLinear → DequantizeLinear pair, as in QDQ models). Each
 * is returned in PyTorch's layout — Conv KCRS, Gemm/MatMul as [out, in] — so the input channels
 * are dim 1 and the 2:4 rule reads the same as for a safetensors weight. Gemm with transB = 0 and
 * MatMul store [in, out]; those are transposed.
 */
import type { StoredTensor } from '../dtypes.js';
import { DTYPES } from '../dtypes.js';
import type { OnnxModel, OnnxNode } from './model.js';

export interface OnnxWeight {
  /** The initializer's name. */
  readonly name: string;
  /** The consuming node: its op type and name (or index). */
  readonly op: 'Conv' | 'Gemm' | 'MatMul';
  readonly node: string;
  /** The weight in [out, in, ...kernel] order. */
  readonly tensor: StoredTensor;
  /** Whether `tensor` is the initializer transposed ([in, out] in the file). */
  readonly transposed: boolean;
  /** The DequantizeLinear node between initializer and layer, if any. */
  readonly dequantizedBy: string | null;
}

function transpose2d(t: StoredTensor): StoredTensor {
  const [r, c] = t.shape as [number, number];
  const out = new DTYPES[t.dtype].ctor(r * c);
  const src = t.data;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j]!;
  return { dtype: t.dtype, shape: [c, r], data: out } as StoredTensor;
}

/** Every Conv/Gemm/MatMul weight that is an initializer, in node order; one initializer once. */
export function onnxLayerWeights(model: OnnxModel): OnnxWeight[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of model.nodes) for (const o of n.outputs) producer.set(o, n);
  const seen = new Set<string>();
  const out: OnnxWeight[] = [];
  model.nodes.forEach((n, i) => {
    if (n.domain !== '' && n.domain !== 'ai.onnx') return;
    if (n.opType !== 'Conv' && n.opType !== 'Gemm' && n.opType !== 'MatMul') return;
    let input = n.inputs[1];
    if (input === undefined) return;
    let dequantizedBy: string | null = null;
    const dq = producer.get(input);
    if (dq !== undefined && dq.opType === 'DequantizeLinear' && dq.inputs[0] !== undefined) {
      dequantizedBy = dq.name === '' ? `#${model.nodes.indexOf(dq)}` : dq.name;
      input = dq.inputs[0];
      // QDQ with a float weight: initializer → QuantizeLinear → DequantizeLinear → layer.
      const q = producer.get(input);
      if (q !== undefined && q.opType === 'QuantizeLinear' && q.inputs[0] !== undefined) input = q.inputs[0];
    }
    const init = model.initializers.get(input);
    if (init === undefined || seen.has(input)) return;
    const rank = init.shape.length;
    if (n.opType === 'Conv' ? rank < 3 : rank !== 2) return;
    seen.add(input);
    const transB = n.attributes.get('transB');
    const transposed =
      n.opType === 'MatMul' || (n.opType === 'Gemm' && !(transB?.kind === 'int' && transB.value !== 0));
    out.push({
      name: input,
      op: n.opType,
      node: n.name === '' ? `#${i}` : n.name,
      tensor: transposed ? transpose2d(init) : init,
      transposed,
      dequantizedBy,
    });
  });
  return out;
}
