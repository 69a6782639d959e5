/**
 * A minimal ONNX model writer: just enough protobuf to describe one node (MatMul, Gemm, Conv) over
 * float32 graph inputs, so onnxruntime-node can be benchmarked on exactly our shapes without a
 * Python export step. Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ...).
 */

class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(v: number): void {
    let x = v;
    while (x > 127) {
      this.bytes.push((x & 127) | 128);
      x = Math.floor(x / 128);
    }
    this.bytes.push(x);
  }

  int(field: number, v: number): this {
    this.varint(field * 8); // wire type 0
    this.varint(v);
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.varint(field * 8 + 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  str(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  msg(field: number, m: ProtoWriter): this {
    return this.bytesField(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export type OnnxAttribute = { name: string; ints: number[] } | { name: string; int: number };

const FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function valueInfo(name: string, shape: readonly number[]): ProtoWriter {
  const dims = new ProtoWriter();
  for (const d of shape) dims.msg(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).msg(2, dims);
  return new ProtoWriter().str(1, name).msg(2, new ProtoWriter().msg(1, tensorType));
}

function attribute(a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().str(1, a.name);
  if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    return w.int(20, ATTR_INTS);
  }
  return w.int(3, a.int).int(20, ATTR_INT);
}

/** Serialises a one-node model: inputs → opType → output 'Y'. */
export function singleNodeModel(
  opType: string,
  inputs: { name: string; shape: readonly number[] }[],
  outputShape: readonly number[],
  attrs: OnnxAttribute[] = [],
): Uint8Array {
  const node = new ProtoWriter();
  for (const i of inputs) node.str(1, i.name);
  node.str(2, 'Y').str(3, 'n0').str(4, opType);
  for (const a of attrs) node.msg(5, attribute(a));
  const graph = new ProtoWriter().msg(1, node).str(2, 'bench');
  for (const i of inputs) graph.msg(11, valueInfo(i.name, i.shape));
  graph.msg(12, valueInfo('Y', outputShape));
  const opset = new ProtoWriter().str(1, '').int(2, 13);
  return new ProtoWriter().int(1, 8).msg(8, opset).msg(7, graph).finish();
}
