/**
 * `node --import tsx test/sparse/scripts/hostile_shapes.ts`: masks and checks a zero-element
 * weight with huge dimensions, as a safetensors file may declare it, and prints "ok". Before the
 * fix the 2-D view walked K x C = 7.2e16 positions and this never returned.
 */
import {
  compressNM,
  createMask,
  fromCutlass24,
  fromSparse24Bitmask,
  isNM,
  tensorRTReport,
  toCutlass,
  toSparse24Bitmask,
  toView,
  type Compressed24,
} from '../../../src/sparse/index.js';

const shape = [4503599627370496, 16, 0];
const empty = new Float32Array(0);
toView(empty, shape);
createMask(empty, shape, 'm4n2_1d');
createMask(empty, shape, '8:16');
isNM(empty, shape, 2, 4);
tensorRTReport(empty, shape);
tensorRTReport(empty, [2 ** 52, 0, 16]);
// Compressed records whose stored shape says 2^52 rows of nothing.
const rows = 2 ** 52;
fromSparse24Bitmask('p', {
  'p.shape': { dtype: 'I64', shape: [2], data: BigInt64Array.from([BigInt(rows), 0n]) },
  'p.bitmask': { dtype: 'U8', shape: [rows, 0], data: new Uint8Array(0) },
  'p.compressed': { dtype: 'F16', shape: [rows, 0], data: new Uint16Array(0) },
});
fromCutlass24('q', {
  'q.cutlass_24_values': { dtype: 'F16', shape: [rows, 0], data: new Uint16Array(0) },
  'q.cutlass_24_meta': { dtype: 'I16', shape: [rows, 0], data: new Int16Array(0) },
});
const c = compressNM(empty, new Uint8Array(0), rows, 0, 2, 4) as Compressed24;
toSparse24Bitmask('r', c);
toCutlass(c, 'float16');
process.stdout.write('ok\n');
