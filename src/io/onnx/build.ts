/**
 * Small constructors for the ONNX messages sparse24 writes: typed graph inputs/outputs, node
 * attributes from plain values, nodes and the model envelope. The exporter (src/nn/onnx) and the
 * onnxruntime benchmark peer both build their models with these.
 */
import type { Dtype } from '../dtypes.js';
import {
  type IAttributeProto,
  type IGraphProto,
  type IModelProto,
  type INodeProto,
  type IValueInfoProto,
  onnx,
} from './proto.js';
import { ONNX_DTYPE } from './tensor.js';

/** The default opset sparse24 writes: 17 has LayerNormalization; TensorRT 8.6+ and onnxruntime read it. */
export const DEFAULT_OPSET = 17;
/** IR version 8 goes with opset 17 (onnx's versioning table). */
const IR_VERSION = 8;

/** A typed value description; a dim may be a name (a symbolic dim such as 'batch'). */
export function valueInfo(name: string, shape: readonly (number | string)[], dtype: Dtype = 'F32'): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[dtype],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export type AttributeValue = number | readonly number[] | string | { readonly float: number };

const A = onnx.AttributeProto.AttributeType;

/**
 * An attribute from a plain value: an integer or integer list is INT / INTS, `{ float }` is FLOAT
 * (integers and floats cannot be told apart from a JS number), a string is STRING.
 */
export function attribute(name: string, value: AttributeValue): IAttributeProto {
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: A.INT, i: value };
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  return { name, type: A.INTS, ints: [...value] };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, AttributeValue>> = {},
  name = '',
): INodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

export function modelOf(graph: IGraphProto, opset = DEFAULT_OPSET, producerVersion = ''): IModelProto {
  return {
    irVersion: IR_VERSION,
    producerName: 'sparse24',
    producerVersion,
    opsetImport: [{ domain: '', version: opset }],
    graph,
  };
}
