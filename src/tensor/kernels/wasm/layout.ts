/**
 * Sizes of the packed operands the wasm kernels read (see assembly/panels.ts and assembly/gemm.ts):
 * one home for the layout arithmetic every caller allocates by.
 */

/** Bytes of a k × n matrix packed into panels of 16 columns (64 bytes per row, zero-padded). */
export const panelBytes = (k: number, n: number): number => Math.ceil(n / 16) * k * 64;

/** Bytes of an m × k matrix packed into strips of 4 rows (16 bytes per k step, zero-padded). */
export const stripBytes = (m: number, k: number): number => Math.ceil(m / 4) * k * 16;
