/**
 * What an ONNX op mapping sees while the exporter walks a traced graph: names for the traced op's
 * inputs, a way to add constants and nodes, and the module state the op read without tracing it
 * (a BatchNorm's running statistics). One mapping per op name lives in `ops.ts`.
 */
import type { AttributeValue, INodeProto, ITensorProto } from '../../io/onnx/index.js';
import { attribute as attributeOf, tensorProtoFrom } from '../../io/onnx/index.js';
import { type Tensor, type TraceNode, joinName } from '../../tensor/index.js';
import { OnnxExportError } from './errors.js';

export class OnnxEmitter {
  readonly nodes: INodeProto[] = [];
  readonly constants: ITensorProto[] = [];
  /** Leaves the graph reads (module state and constants), in first-use order. */
  readonly leaves: Tensor[] = [];
  readonly #names = new Map<Tensor, string>();
  readonly #stateNames = new Map<Tensor, string>();
  #count = 0;

  /** `state`: the model's parameters and buffers by state-dict name. */
  constructor(private readonly state: ReadonlyMap<string, Tensor>) {
    for (const [name, t] of state) if (!this.#stateNames.has(t)) this.#stateNames.set(t, name);
  }

  /** Names a graph input or an op's output. */
  bind(t: Tensor, name: string): void {
    this.#names.set(t, name);
  }

  /**
   * The ONNX name of a tensor: a graph input or an earlier op's output, else a leaf the forward
   * pass read — module state under its state-dict name, or a constant it created.
   */
  nameOf(t: Tensor): string {
    let name = this.#names.get(t);
    if (name !== undefined) return name;
    if (t.trace !== null) throw new Error('exportOnnx: internal: a traced tensor was read before it was written');
    name = this.#stateNames.get(t) ?? this.fresh('constant');
    this.#names.set(t, name);
    this.leaves.push(t);
    return name;
  }

  stateTensor(name: string): Tensor | undefined {
    return this.state.get(name);
  }

  /** Starts one traced op: its output tensor and trace node. */
  begin(out: Tensor, trace: TraceNode): OpContext {
    return new OpContext(this, out, trace);
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
    return this.emitter.nameOf(t);
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

  /** An int8 constant initializer (QuantizeLinear zero points). */
  int8s(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant({ dtype: 'I8', shape, data: Int8Array.from(values) });
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
    const name = joinName(this.scope, local);
    const t = this.emitter.stateTensor(name);
    if (t === undefined) this.fail(`needs the module state '${name}', which the model does not have`);
    return t;
  }

  /** The ONNX name of a state tensor (registered as an initializer under its state-dict name). */
  stateName(local: string): string {
    return this.emitter.nameOf(this.stateOf(local));
  }

  fail(reason: string): never {
    throw new OnnxExportError(this.op, this.scope, reason);
  }

  private stem(): string {
    return this.scope === '' ? this.op : `${this.scope}.${this.op}`;
  }
}
