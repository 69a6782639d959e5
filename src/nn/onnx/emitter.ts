/**
 * What an ONNX op mapping sees while the exporter walks a traced graph: names for the traced op's
 * inputs, a way to add constants and nodes, and the module state the op read without tracing it
 * (a BatchNorm's running statistics). One mapping per op name lives in `ops.ts`.
 */
import type { AttributeValue, INodeProto, ITensorProto } from '../../io/onnx/index.js';
import { attribute as attributeOf, tensorProtoFrom } from '../../io/onnx/index.js';
import type { Tensor, TraceNode } from '../../tensor/index.js';
import { OnnxExportError } from './errors.js';

export class OnnxEmitter {
  readonly nodes: INodeProto[] = [];
  readonly constants: ITensorProto[] = [];
  #count = 0;

  constructor(
    /** The ONNX name of a tensor the graph already has (an input, initializer or earlier output). */
    private readonly nameOf: (t: Tensor) => string,
    /** A module's state tensor by its dotted state-dict name, or undefined. */
    private readonly state: (name: string) => Tensor | undefined,
  ) {}

  /** Starts one traced op: its output tensor and trace node. */
  begin(out: Tensor, trace: TraceNode): OpContext {
    return new OpContext(this, out, trace, this.nameOf, this.state);
  }

  fresh(stem: string): string {
    return `${stem}_${this.#count++}`;
  }
}

export class OpContext {
  constructor(
    private readonly emitter: OnnxEmitter,
    readonly out: Tensor,
    readonly trace: TraceNode,
    private readonly nameOf: (t: Tensor) => string,
    private readonly state: (name: string) => Tensor | undefined,
  ) {}

  get op(): string {
    return this.trace.op;
  }

  get scope(): string {
    return this.out.scope ?? '';
  }

  /** The ONNX name of traced input i. */
  input(i: number): string {
    const t = this.trace.inputs[i];
    if (t === undefined) this.fail(`expects input ${i}, the trace holds ${this.trace.inputs.length}`);
    return this.nameOf(t);
  }

  inputTensor(i: number): Tensor {
    const t = this.trace.inputs[i];
    if (t === undefined) this.fail(`expects input ${i}, the trace holds ${this.trace.inputs.length}`);
    return t;
  }

  get inputCount(): number {
    return this.trace.inputs.length;
  }

  /** A float32 constant initializer. */
  floats(values: ArrayLike<number>, shape: readonly number[] = [values.length]): string {
    return this.constant({ dtype: 'F32', shape, data: Float32Array.from(values) });
  }

  /** An int64 constant initializer (shapes, axes, pads as ONNX wants them). */
  int64s(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant({ dtype: 'I64', shape, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
  }

  private constant(stored: Parameters<typeof tensorProtoFrom>[1]): string {
    const name = this.emitter.fresh(`${this.stem()}_const`);
    this.emitter.constants.push(tensorProtoFrom(name, stored));
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttributeValue>> = {}): string {
    const output = this.emitter.fresh(`${this.stem()}_${opType}`);
    this.emitter.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: `${this.scope === '' ? '' : `/${this.scope}`}/${opType}_${this.emitter.nodes.length}`,
      attribute: Object.entries(attrs).map(([k, v]) => attributeOf(k, v)),
    });
    return output;
  }

  /** The state tensor `<scope>.<local>` the op read outside its traced inputs (running statistics). */
  stateOf(local: string): Tensor {
    const name = this.scope === '' ? local : `${this.scope}.${local}`;
    const t = this.state(name);
    if (t === undefined) this.fail(`needs the module state '${name}', which the model does not have`);
    return t;
  }

  /** The ONNX name of a state tensor (registered as an initializer under its state-dict name). */
  stateName(local: string): string {
    return this.nameOf(this.stateOf(local));
  }

  fail(reason: string): never {
    throw new OnnxExportError(this.op, this.scope, reason);
  }

  private stem(): string {
    return this.scope === '' ? this.op : `${this.scope}.${this.op}`;
  }
}
