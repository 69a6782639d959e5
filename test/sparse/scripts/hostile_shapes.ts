/**
 * `node --import tsx test/sparse/scripts/hostile_shapes.ts`: masks and checks a zero-element
 * weight with huge dimensions, as a safetensors file may declare it, and prints "ok". Before the
 * fix the 2-D view walked K x C = 7.2e16 positions and this never returned.
 */
import { createMask, isNM, tensorRTReport, toView } from '../../../src/sparse/index.js';

const shape = [4503599627370496, 16, 0];
const empty = new Float32Array(0);
toView(empty, shape);
createMask(empty, shape, 'm4n2_1d');
createMask(empty, shape, '8:16');
isNM(empty, shape, 2, 4);
tensorRTReport(empty, shape);
tensorRTReport(empty, [2 ** 52, 0, 16]);
process.stdout.write('ok\n');
