/** Loads test/fixtures/sparse/golden.json (written by tools/make_sparse_fixtures.py). */
import { readFileSync } from 'node:fs';

export interface MaskCase {
  shape: number[];
  weight: number[];
  mask: number[];
}
export interface CutlassCase {
  shape: [number, number];
  dtype: 'float16' | 'bfloat16' | 'int8';
  dense: number[];
  mask: number[];
  packed: number[];
  meta: number[];
}
export interface BitmaskCase {
  shape: [number, number];
  dense: number[];
  mask: number[];
  bitmask: number[];
  compressed_f16: number[];
}
export interface Golden {
  m4n2_1d_tie: MaskCase;
  m4n2_1d_randn: MaskCase;
  create_mask_conv1d: MaskCase;
  create_mask_conv2d: MaskCase;
  cutlass_f16: CutlassCase;
  cutlass_bf16: CutlassCase;
  cutlass_i8: CutlassCase;
  bitmask_c16: BitmaskCase;
  bitmask_c12: BitmaskCase;
  half: { values_bits: number[]; float16: number[]; bfloat16: number[] };
}

export const golden = JSON.parse(
  readFileSync(new URL('../fixtures/sparse/golden.json', import.meta.url), 'utf8'),
) as Golden;
