// Runs many small two-thread wasm GEMMs and checks each result exactly; exits 0 when all are right.
// Run under --cpu-prof by wasm_threads.test.ts: the profiler's interrupts wake threads blocked in
// Atomics.wait, which once made a worker run a job twice.
import { kernels, setWasmThreads } from '../../../../src/tensor/index.js';

setWasmThreads(2);
const k = kernels('wasm');
const p = { batch: 1, m: 8, k: 16, n: 40, transA: false, transB: false, strideA: 0, strideB: 0 };
const a = new Float32Array(8 * 16).fill(1);
const b = new Float32Array(16 * 40).fill(2);
const jobs = Number(process.argv[2] ?? 20000);
for (let i = 0; i < jobs; i++) {
  const c = k.gemm(a, b, p);
  if (!c.every((v) => v === 32)) {
    console.error(`job ${i}: wrong result ${c[0]}`);
    process.exit(1);
  }
}
console.log(`ok ${jobs}`);
