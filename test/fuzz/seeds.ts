/** Valid files the fuzzers start from: the golden fixtures and records our own writers produce. */
import { type StoredTensor, serializeNpy, serializeOnnx, serializeSafetensors } from '../../src/io/index.js';
import { modelOf, node, tensorProtoFrom, valueInfo } from '../../src/io/onnx/index.js';
import { compress24, toCutlass24, toSparse24Bitmask } from '../../src/sparse/index.js';
import { fixtureBytes } from '../io/fixtures.js';

export const safetensorsSeeds: readonly Uint8Array[] = [
  fixtureBytes('golden.safetensors'),
  serializeSafetensors(
    {
      'fc.weight': { dtype: 'F16', shape: [8, 16], data: new Uint16Array(128).fill(0x3c00) },
      b: { dtype: 'I64', shape: [2], data: BigInt64Array.from([1n, -1n]) },
    },
    { epoch: '3' },
  ),
];

export const npySeeds: readonly Uint8Array[] = [
  fixtureBytes('f4.npy'),
  fixtureBytes('be_i8.npy'),
  fixtureBytes('v2_f4.npy'),
  serializeNpy({ dtype: 'BOOL', shape: [2, 3], data: Uint8Array.from([0, 1, 1, 0, 1, 0]) }),
];

export const idxSeeds: readonly Uint8Array[] = [
  fixtureBytes('u8.idx'),
  fixtureBytes('i32.idx'),
  fixtureBytes('f64.idx'),
];
export const idxGzipSeeds: readonly Uint8Array[] = [
  fixtureBytes('u8.idx.gz'),
  fixtureBytes('f32.idx.gz'),
  fixtureBytes('i16.idx.gz'),
];

/** A [rows][cols] matrix keeping columns 0 and 2 of every group of four. */
function pruned(rows: number, cols: number): { values: Float32Array; mask: Uint8Array } {
  const values = Float32Array.from({ length: rows * cols }, (_, i) =>
    i % 4 === 0 || i % 4 === 2 ? ((i * 7) % 13) - 6 || 1 : 0,
  );
  return { values, mask: Uint8Array.from(values, (_, i) => (i % 4 === 0 || i % 4 === 2 ? 1 : 0)) };
}

/** Files holding compressed-tensors records (both formats) beside a dense weight and its apex mask. */
export function recordSeeds(): Uint8Array[] {
  const { values, mask } = pruned(32, 64);
  const c = compress24(values, mask, 32, 64);
  const dense: Record<string, StoredTensor> = {
    'd.weight': { dtype: 'F32', shape: [8, 16], data: new Float32Array(128).fill(0.5) },
    'd.__weight_mma_mask': { dtype: 'BOOL', shape: [8, 16], data: new Uint8Array(128).fill(1) },
  };
  return [
    serializeSafetensors({ ...toSparse24Bitmask('l.weight', c, 'float32'), ...dense }),
    serializeSafetensors({ ...toSparse24Bitmask('l.weight', c, 'float16') }),
    serializeSafetensors({ ...toCutlass24('l.weight', c, 'float16'), ...dense }),
    serializeSafetensors({ ...toCutlass24('l.weight', c, 'int8') }),
  ];
}

/** The header length + 8 of a safetensors buffer: where its data starts (mutations focus there). */
export function headerEnd(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)) + 8;
}

/** A length-delimited protobuf field: tag (field, wire type 2), varint length, bytes. */
export function protoField(field: number, body: Uint8Array): Uint8Array {
  const head: number[] = [(field << 3) | 2];
  for (let n = body.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      head.push(n);
      break;
    }
    head.push((n & 127) | 128);
  }
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** ONNX models our writer produces: a Gemm + Conv graph with F32, F16 and I8 initializers. */
export function onnxSeeds(): Uint8Array[] {
  const graph = (dtype: 'F32' | 'F16'): Uint8Array =>
    serializeOnnx(
      modelOf({
        name: 'seed',
        node: [
          node('Gemm', ['x', 'W'], ['h'], { transB: 1, alpha: { float: 1 } }, 'fc'),
          node('DequantizeLinear', ['Kq', 's'], ['K']),
          node('Conv', ['img', 'K'], ['z'], { kernel_shape: [1, 1], pads: [0, 0, 0, 0] }, 'conv'),
        ],
        initializer: [
          tensorProtoFrom(
            'W',
            dtype === 'F32'
              ? { dtype, shape: [2, 4], data: Float32Array.from([1, 0, 0, 2, 0, 3, 4, 0]) }
              : { dtype, shape: [2, 4], data: new Uint16Array(8).fill(0x3c00) },
          ),
          tensorProtoFrom('Kq', { dtype: 'I8', shape: [2, 4, 1, 1], data: Int8Array.from([1, 0, 0, 2, 3, 0, 0, 4]) }),
          tensorProtoFrom('s', { dtype: 'F32', shape: [], data: Float32Array.from([0.5]) }),
        ],
        input: [valueInfo('x', ['batch', 4]), valueInfo('img', [1, 4, 2, 2])],
        output: [valueInfo('h', ['batch', 2]), valueInfo('z', [1, 2, 2, 2])],
      }),
    );
  return [graph('F32'), graph('F16')];
}
