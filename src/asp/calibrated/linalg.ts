/**
 * The float64 linear algebra SparseGPT needs, on dense row-major n × n matrices: a Cholesky
 * factorisation, the inverse from it, and the upper factor of that inverse. Written out because
 * they are twenty lines each and a learner should see them; every loop is the textbook one
 * (Golub & Van Loan, algorithm 4.2.1 and back substitution).
 */
import { ValueError } from '../../tensor/errors.js';

/** L with A = L·Lᵀ (lower triangular, row-major); a ValueError when A is not positive definite. */
export function choleskyLower(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) {
      throw new ValueError(`cholesky: the matrix is not positive definite (pivot ${j} is ${d}); raise percdamp`);
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** A⁻¹ from A's Cholesky factor L: A⁻¹ = L⁻ᵀ·L⁻¹ (torch.cholesky_inverse). */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // Linv = L⁻¹ by forward substitution, column by column.
  const linv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * n + k]! * linv[k * n + c]!;
      linv[i * n + c] = s / l[i * n + i]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += linv[k * n + i]! * linv[k * n + j]!;
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

/** U with A = Uᵀ·U (upper triangular, row-major): torch.linalg.cholesky(A, upper=True). */
export function choleskyUpper(a: Float64Array, n: number): Float64Array {
  const l = choleskyLower(a, n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) u[j * n + i] = l[i * n + j]!;
  return u;
}
