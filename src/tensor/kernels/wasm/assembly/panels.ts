// Packing a matrix into panels: columns in groups of 16, each group stored as k rows of 16 floats
// (64 bytes, zero-padded past the last column). Dense GEMM reads its B operand this way and the sparse
// kernels read their dense operand this way, so every inner loop does aligned 16-byte loads.
import { PANEL_BYTES, rangeStart } from './common';

/**
 * Packs B (k × n; element (r, j) at b + 4·(r·rs + j·cs)) into ceil(n/16) panels at dst, panel p at
 * dst + p·k·64. Threads split the panels.
 */
export function packPanels(tid: i32, nt: i32, b: usize, rs: i32, cs: i32, k: i32, n: i32, dst: usize): void {
  const panels = (n + 15) >> 4;
  const p0 = rangeStart(panels, tid, nt);
  const p1 = rangeStart(panels, tid + 1, nt);
  const rowBytes = <usize>rs << 2;
  const colBytes = <usize>cs << 2;
  for (let p = p0; p < p1; p++) {
    const j0 = p << 4;
    const w = min(16, n - j0);
    let out = dst + <usize>p * <usize>k * PANEL_BYTES;
    let src = b + <usize>j0 * colBytes;
    if (cs == 1 && w == 16) {
      for (let r = 0; r < k; r++) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        v128.store(out, v128.load(src, 32), 32);
        v128.store(out, v128.load(src, 48), 48);
        out += PANEL_BYTES;
        src += rowBytes;
      }
    } else if (rs == 1) {
      // Transposed source: walk each source column (contiguous in r) once.
      for (let j = 0; j < 16; j++) {
        let o = out + (<usize>j << 2);
        if (j < w) {
          let s = src + <usize>j * colBytes;
          for (let r = 0; r < k; r++) {
            store<f32>(o, load<f32>(s));
            o += PANEL_BYTES;
            s += 4;
          }
        } else {
          for (let r = 0; r < k; r++) {
            store<f32>(o, 0);
            o += PANEL_BYTES;
          }
        }
      }
    } else {
      for (let r = 0; r < k; r++) {
        for (let j = 0; j < 16; j++) {
          store<f32>(out + (<usize>j << 2), j < w ? load<f32>(src + <usize>j * colBytes) : 0);
        }
        out += PANEL_BYTES;
        src += rowBytes;
      }
    }
  }
}
