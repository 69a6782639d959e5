/**
 * The ONNX protobuf schema, from the `onnx-proto` package (protobufjs code generated from
 * onnx.proto). Everything else in sparse24 reaches ONNX messages through this file, so the
 * dependency has one door: decoding untrusted bytes (errors become `FormatError`) and encoding.
 */
import onnxProto from 'onnx-proto';
import { FormatError } from '../errors.js';

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;
export type IModelProto = onnxProto.onnx.IModelProto;
export type IGraphProto = onnxProto.onnx.IGraphProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** An int64 as protobufjs hands it over: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toNumber(): number; toString(): string } | null | undefined;

/** The value of an int64 field, or null when it is not a safe integer (a hostile dim, say). */
export function int64Value(v: Int64): number | null {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v.toString());
  return Number.isSafeInteger(n) ? n : null;
}

/** Decodes a ModelProto; malformed bytes (truncated fields, bad wire types, nesting too deep) are FormatErrors. */
export function decodeModelProto(bytes: Uint8Array, name: string): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    const reason = e instanceof RangeError && /call stack/i.test(e.message) ? 'messages nested too deep' : String(e);
    throw new FormatError(name, `not a valid ONNX model (protobuf decoding failed: ${reason.slice(0, 200)})`);
  }
}

export function encodeModelProto(model: IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
