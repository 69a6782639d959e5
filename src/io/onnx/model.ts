/**
 * ONNX model files: `parseOnnx` / `loadOnnx` read the parts sparse24 uses (opsets, the graph's
 * nodes with their attributes, initializers, inputs and outputs); `serializeOnnx` / `saveOnnx`
 * write a model built as an `IModelProto` (see src/nn/onnx for the exporter).
 */
import { writeFileAtomic } from '../atomic.js';
import { quote } from '../clip.js';
import type { StoredTensor } from '../dtypes.js';
import { FormatError } from '../errors.js';
import { type ReadLimits, readRegularFile } from '../file_read.js';
import {
  type IAttributeProto,
  type IModelProto,
  decodeModelProto,
  encodeModelProto,
  int64Value,
  onnx,
} from './proto.js';
import { storedFromTensorProto } from './tensor.js';

/** A node attribute, by the kinds sparse24 reads; other kinds are kept as `other`. */
export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'other'; readonly type: number };

export interface OnnxNode {
  readonly opType: string;
  /** '' is the default ONNX domain. */
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producer: string;
  /** Opset version by domain ('' is the default domain). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly nodes: readonly OnnxNode[];
  /** Initializers by name, in file order. */
  readonly initializers: ReadonlyMap<string, StoredTensor>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

const A = onnx.AttributeProto.AttributeType;

function attribute(a: IAttributeProto, file: string, where: string): OnnxAttribute {
  const num = (v: Parameters<typeof int64Value>[0]): number => {
    const n = int64Value(v);
    if (n === null) throw new FormatError(file, `${where}: attribute ${quote(a.name)} holds an int64 past 2^53`);
    return n;
  };
  switch (a.type) {
    case A.INT:
      return { kind: 'int', value: num(a.i) };
    case A.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map(num) };
    case A.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case A.FLOATS:
      return { kind: 'floats', value: [...(a.floats ?? [])] };
    case A.STRING:
      return { kind: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array(0)) };
    default:
      return { kind: 'other', type: a.type ?? 0 };
  }
}

/** Parses an ONNX model held in memory; `name` appears in errors. */
export function parseOnnx(bytes: Uint8Array, name = '<memory>'): OnnxModel {
  const m = decodeModelProto(bytes, name);
  if (m.graph === null || m.graph === undefined) throw new FormatError(name, 'the ONNX model has no graph');
  const g = m.graph;
  const opsets = new Map<string, number>();
  for (const o of m.opsetImport ?? []) opsets.set(o.domain ?? '', int64Value(o.version) ?? -1);
  if (opsets.size === 0) throw new FormatError(name, 'the ONNX model imports no opset (opset_import is empty)');
  const nodes = (g.node ?? []).map((n, i): OnnxNode => {
    const where = `node ${i} (${quote(n.opType ?? '')})`;
    const attributes = new Map<string, OnnxAttribute>();
    for (const a of n.attribute ?? []) attributes.set(a.name ?? '', attribute(a, name, where));
    return {
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      name: n.name ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes,
    };
  });
  const initializers = new Map<string, StoredTensor>();
  for (const t of g.initializer ?? []) {
    const key = t.name ?? '';
    if (initializers.has(key)) throw new FormatError(name, `initializer ${quote(key)} appears twice`);
    initializers.set(key, storedFromTensorProto(t, name));
  }
  return {
    irVersion: int64Value(m.irVersion) ?? -1,
    producer: m.producerName ?? '',
    opsets,
    nodes,
    initializers,
    inputs: (g.input ?? []).map((v) => v.name ?? ''),
    outputs: (g.output ?? []).map((v) => v.name ?? ''),
  };
}

/** Reads an ONNX model file: a regular file of at most `maxBytes` (see `readRegularFile`). */
export async function loadOnnx(path: string, limits?: ReadLimits): Promise<OnnxModel> {
  return parseOnnx(await readRegularFile(path, limits), path);
}

export function serializeOnnx(model: IModelProto): Uint8Array {
  return encodeModelProto(model);
}

/** Writes an ONNX model atomically (a crash leaves the old file or the new one, never half). */
export async function saveOnnx(path: string, model: IModelProto): Promise<void> {
  await writeFileAtomic(path, serializeOnnx(model));
}
