/**
 * `exportOnnx`: a model of this engine's layers as a standard ONNX file, by tracing one forward
 * pass on `exampleInput` (eval mode, no grad) and writing one or more ONNX nodes per traced op
 * (`ops.ts`). Parameters and buffers become initializers under their state-dict names, with their
 * current values — a pruned weight keeps its zeros, which is what TensorRT's `--sparsity=enable`
 * looks for. Shapes are those of the example input, as torch.onnx.export writes without
 * `dynamic_axes`.
 */
import { DEFAULT_OPSET, type IModelProto, modelOf, saveOnnx, tensorProtoFrom, valueInfo } from '../../io/onnx/index.js';
import type { Tensor } from '../../tensor/index.js';
import { tracedForward } from '../trace.js';
import { ValueError } from '../../tensor/errors.js';
import type { AnyModule } from '../module.js';
import { OnnxEmitter } from './emitter.js';
import { OnnxExportError } from './errors.js';
import { onnxMapping } from './ops.js';

export interface ExportOnnxOptions {
  /** The input(s) the model is traced on; their shapes become the graph's input shapes. */
  exampleInput: Tensor | readonly Tensor[];
  /** Graph input names (default 'input', or 'input_0', 'input_1', ... for several). */
  inputNames?: readonly string[];
  /** Graph output names (default 'output', or 'output_0', ...). */
  outputNames?: readonly string[];
  /** The ONNX opset written (default 17, the first with LayerNormalization). */
  opset?: number;
  /** The producer version recorded in the file. */
  producerVersion?: string;
}

export interface OnnxExport {
  readonly model: IModelProto;
  readonly inputs: readonly { name: string; shape: readonly number[] }[];
  readonly outputs: readonly { name: string; shape: readonly number[] }[];
  /** ONNX node count by op type. */
  readonly nodeCounts: Readonly<Record<string, number>>;
  readonly initializers: number;
}

function defaultNames(stem: string, count: number): string[] {
  return count === 1 ? [stem] : Array.from({ length: count }, (_, i) => `${stem}_${i}`);
}

/** The traced tensors from the inputs to `outputs`, each after everything it reads. */
function topologicalOrder(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const done = new Set<Tensor>();
  const stack: [Tensor, boolean][] = outputs.map((t) => [t, false]);
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (done.has(t)) continue;
    if (expanded || t.trace === null) {
      done.add(t);
      order.push(t);
      continue;
    }
    stack.push([t, true]);
    for (const i of t.trace.inputs) if (!done.has(i)) stack.push([i, false]);
  }
  return order;
}

function checkNames(names: readonly string[], count: number, what: string): void {
  if (names.length !== count)
    throw new ValueError(`exportOnnx: ${count} ${what} need ${count} names, got ${names.length}`);
  if (new Set(names).size !== names.length || names.some((n) => n === '')) {
    throw new ValueError(`exportOnnx: ${what} names must be distinct and non-empty, got ${JSON.stringify(names)}`);
  }
}

/** Builds the ONNX model of `model` traced on `options.exampleInput` (see the file comment). */
export function onnxModelOf(model: AnyModule, options: ExportOnnxOptions): OnnxExport {
  const inputs = Array.isArray(options.exampleInput) ? [...options.exampleInput] : [options.exampleInput as Tensor];
  if (inputs.length === 0) throw new ValueError('exportOnnx: exampleInput holds no tensor');
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < DEFAULT_OPSET) {
    throw new ValueError(`exportOnnx: opset must be an integer >= ${DEFAULT_OPSET}, got ${opset}`);
  }
  const inputNames = options.inputNames ?? defaultNames('input', inputs.length);
  checkNames(inputNames, inputs.length, 'inputs');

  const emitter = new OnnxEmitter(new Map<string, Tensor>([...model.namedParameters(), ...model.namedBuffers()]));
  const outputs = tracedForward(model, inputs);
  if (outputs.length === 0) throw new ValueError('exportOnnx: the model returned no tensor');
  const outputNames = options.outputNames ?? defaultNames('output', outputs.length);
  checkNames(outputNames, outputs.length, 'outputs');

  inputs.forEach((t, i) => emitter.bind(t, inputNames[i]!));
  for (const t of topologicalOrder(outputs)) {
    if (t.trace === null) continue;
    const mapping = onnxMapping(t.trace.op);
    if (mapping === undefined) {
      throw new OnnxExportError(t.trace.op, t.scope ?? '', 'has no ONNX mapping (docs/onnx.md lists the ops)');
    }
    emitter.bind(t, mapping(emitter.begin(t, t.trace), t.trace.attrs));
  }
  const graphOutputs = outputs.map((t, i) => {
    const want = outputNames[i]!;
    const have = emitter.nameOf(t);
    if (have !== want)
      emitter.nodes.push({ opType: 'Identity', input: [have], output: [want], name: `/Identity_${i}` });
    return { name: want, shape: [...t.shape] };
  });
  const graphInputs = inputs.map((t, i) => ({ name: inputNames[i]!, shape: [...t.shape] }));
  const initializerProtos = emitter.leaves.map((t) =>
    tensorProtoFrom(emitter.nameOf(t), { dtype: 'F32', shape: t.shape, data: t.data }),
  );
  const nodeCounts: Record<string, number> = {};
  for (const n of emitter.nodes) nodeCounts[n.opType!] = (nodeCounts[n.opType!] ?? 0) + 1;
  const proto = modelOf(
    {
      name: model.constructor.name,
      node: emitter.nodes,
      initializer: [...initializerProtos, ...emitter.constants],
      input: graphInputs.map((i) => valueInfo(i.name, i.shape)),
      output: graphOutputs.map((o) => valueInfo(o.name, o.shape)),
    },
    opset,
    options.producerVersion ?? '',
  );
  return {
    model: proto,
    inputs: graphInputs,
    outputs: graphOutputs,
    nodeCounts,
    initializers: initializerProtos.length + emitter.constants.length,
  };
}

/** Writes `model` as an ONNX file at `path` (atomically) and returns what was written. */
export async function exportOnnx(model: AnyModule, path: string, options: ExportOnnxOptions): Promise<OnnxExport> {
  const result = onnxModelOf(model, options);
  await saveOnnx(path, result.model);
  return result;
}
