/** Valid files the fuzzers start from: the golden fixtures and records our own writers produce. */
import { type StoredTensor, serializeNpy, serializeSafetensors } from '../../src/io/index.js';
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
