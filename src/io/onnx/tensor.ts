/**
 * ONNX TensorProto ⇄ StoredTensor. Initializers are read from `raw_data` (little-endian) or from
 * the typed repeated fields (`float_data`, `int32_data` — which also carries FLOAT16, BFLOAT16,
 * INT8, UINT8, INT16 and BOOL — `int64_data`, `double_data`). Written initializers always use
 * `raw_data`, as PyTorch's exporter does.
 */
import { quote, shapeText } from '../clip.js';
import { type Dtype, type StoredTensor, DTYPES, bytesFromTyped, firstNonBool, typedFromBytes } from '../dtypes.js';
import { FormatError } from '../errors.js';
import { type ITensorProto, int64Value } from './proto.js';

/** TensorProto.DataType codes (onnx.proto) of the element types sparse24 stores. */
export const ONNX_DTYPE: Readonly<Record<Dtype, number>> = {
  F32: 1,
  U8: 2,
  I8: 3,
  I16: 5,
  I32: 6,
  I64: 7,
  BOOL: 9,
  F16: 10,
  F64: 11,
  BF16: 16,
};
const BY_CODE = new Map<number, Dtype>(Object.entries(ONNX_DTYPE).map(([d, c]) => [c, d as Dtype]));
/** Names of the codes sparse24 does not read, for errors. */
const OTHER_CODES: Readonly<Record<number, string>> = { 4: 'UINT16', 8: 'STRING', 12: 'UINT32', 13: 'UINT64' };
const EXTERNAL = 1;

/** The element type of a TensorProto data type code, or an error naming the code. */
export function dtypeOfCode(code: number, file: string, what: string): Dtype {
  const d = BY_CODE.get(code);
  if (d !== undefined) return d;
  const known = OTHER_CODES[code];
  throw new FormatError(
    file,
    `${what}: ONNX data type ${known ?? code}${known === undefined ? ' (unknown)' : ''} is not supported; ` +
      `supported: ${[...BY_CODE.values()].join(', ')}`,
  );
}

/** The dims of a TensorProto, checked: non-negative safe integers whose product is the element count. */
function dimsOf(t: ITensorProto, file: string, what: string): number[] {
  const dims = (t.dims ?? []).map(int64Value);
  if (dims.some((d) => d === null || d < 0)) {
    throw new FormatError(file, `${what}: dims ${shapeText((t.dims ?? []).map(String))} are not integers >= 0`);
  }
  return dims as number[];
}

/** Reads an initializer; what it allocates is bounded by the bytes the file holds for it. */
export function storedFromTensorProto(t: ITensorProto, file: string): StoredTensor {
  const what = `initializer ${quote(t.name ?? '')}`;
  if (t.dataLocation === EXTERNAL || (t.externalData ?? []).length > 0) {
    throw new FormatError(file, `${what} keeps its data in an external file, which sparse24 does not read`);
  }
  const dtype = dtypeOfCode(t.dataType ?? 0, file, what);
  const shape = dimsOf(t, file, what);
  const count = shape.reduce((a, b) => a * b, 1);
  const size = DTYPES[dtype].size;
  const raw = t.rawData ?? new Uint8Array(0);
  let data;
  if (raw.length > 0 || count === 0) {
    if (raw.length !== count * size) {
      throw new FormatError(
        file,
        `${what}: shape ${shapeText(shape)} of ${dtype} needs ${count * size} bytes, raw_data holds ${raw.length}`,
      );
    }
    data = typedFromBytes(dtype, raw);
  } else {
    data = fromTypedFields(t, dtype, count, file, what);
  }
  if (dtype === 'BOOL' && firstNonBool(data as Uint8Array) >= 0) {
    throw new FormatError(file, `${what}: a BOOL element is neither 0 nor 1`);
  }
  // dtype, shape and element count were tied together above, so this pairing is sound.
  return { dtype, shape, data } as StoredTensor;
}

/** The element values of a tensor stored in the repeated fields, in `dtype`'s array. */
function fromTypedFields(t: ITensorProto, dtype: Dtype, count: number, file: string, what: string) {
  const field =
    dtype === 'F32' ? t.floatData : dtype === 'F64' ? t.doubleData : dtype === 'I64' ? t.int64Data : t.int32Data;
  const values = field ?? [];
  if (values.length !== count) {
    throw new FormatError(file, `${what}: ${count} elements expected, the tensor holds ${values.length}`);
  }
  const out = new DTYPES[dtype].ctor(count);
  if (out instanceof BigInt64Array) {
    values.forEach((v, i) => (out[i] = BigInt(typeof v === 'number' ? v : v.toString())));
  } else {
    values.forEach((v, i) => (out[i] = typeof v === 'number' ? v : Number(v.toString())));
  }
  return out;
}

/** An initializer with raw little-endian data. */
export function tensorProtoFrom(name: string, stored: StoredTensor): ITensorProto {
  return {
    name,
    dataType: ONNX_DTYPE[stored.dtype],
    dims: [...stored.shape],
    rawData: bytesFromTyped(stored.data),
  };
}
