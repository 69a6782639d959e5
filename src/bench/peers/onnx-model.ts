/**
 * One-node ONNX models (MatMul, Gemm, Conv) over float32 graph inputs, so onnxruntime-node can be
 * benchmarked on exactly our shapes without a Python export step.
 */
import { type AttributeValue, modelOf, node, serializeOnnx, valueInfo } from '../../io/onnx/index.js';

/** Serialises a one-node model: inputs → opType → output 'Y', at opset 13. */
export function singleNodeModel(
  opType: string,
  inputs: { name: string; shape: readonly number[] }[],
  outputShape: readonly number[],
  attrs: Readonly<Record<string, AttributeValue>> = {},
): Uint8Array {
  return serializeOnnx(
    modelOf(
      {
        name: 'bench',
        node: [
          node(
            opType,
            inputs.map((i) => i.name),
            ['Y'],
            attrs,
            'n0',
          ),
        ],
        input: inputs.map((i) => valueInfo(i.name, i.shape)),
        output: [valueInfo('Y', outputShape)],
      },
      13,
    ),
  );
}
