/**
 * Max and average pooling on the wasm kernels (./assembly/pooling.ts): the reference's results to
 * the last bit (the same window order, f64 sums rounded once), with the N·C planes split over the
 * threads. The backward kernels sum one plane at a time in an f64 scratch plane per thread.
 */
import { ShapeError, ValueError } from '../../errors.js';
import type { MaxPoolResult, PoolParams } from '../types.js';
import { type WasmRuntime, wasmRuntime } from './runtime.js';

const planes = (p: PoolParams): number => p.batch * p.channels;
const inPlane = (p: PoolParams): number => p.inSize[0] * p.inSize[1] * p.inSize[2];
const outPlane = (p: PoolParams): number => p.outSize[0] * p.outSize[1] * p.outSize[2];

/** The leading arguments of every pooling kernel (see runtime.ts's WORK table). */
function geometry(p: PoolParams): number[] {
  return [planes(p), ...p.inSize, ...p.outSize, ...p.kernelSize, ...p.stride, ...p.padding, ...p.dilation];
}

function expectLength(what: string, got: number, want: number): void {
  if (got !== want) throw new ShapeError(`wasm pooling: ${what} has ${got} values, expected ${want}`);
}

/** One f64 plane per thread for the backward kernels. */
const accBytes = (rt: WasmRuntime, p: PoolParams): number => rt.threads * inPlane(p) * 8;

export function maxPool(x: Float32Array, p: PoolParams): MaxPoolResult {
  expectLength('x', x.length, planes(p) * inPlane(p));
  const n = planes(p) * outPlane(p);
  if (n === 0) return { values: new Float32Array(0), argmax: new Int32Array(0) };
  const rt = wasmRuntime();
  return rt.heap.scoped((s) => {
    const xp = s.put(x);
    const values = s.alloc(n * 4);
    const argmax = s.alloc(n * 4);
    rt.run('maxPool', ...geometry(p), xp, values, argmax);
    return { values: rt.heap.take(values, n), argmax: rt.heap.i32(argmax, n).slice() };
  });
}

export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, p: PoolParams): Float32Array {
  const n = planes(p) * outPlane(p);
  const size = inPlane(p);
  expectLength('dy', dy.length, n);
  expectLength('argmax', argmax.length, n);
  // The kernel adds at argmax unchecked: an index outside the plane would write outside dx.
  for (let o = 0; o < n; o++) {
    const at = argmax[o]!;
    if (!(at >= -1 && at < size))
      throw new ValueError(`wasm maxPoolBackward: argmax[${o}] = ${at} is outside the plane of ${size} values`);
  }
  const dxLen = planes(p) * size;
  if (dxLen === 0) return new Float32Array(0);
  const rt = wasmRuntime();
  return rt.heap.scoped((s) => {
    const dyp = s.put(dy);
    const am = s.alloc(n * 4);
    rt.heap.i32(am, n).set(argmax);
    const dx = s.alloc(dxLen * 4);
    rt.run('maxPoolBackward', ...geometry(p), dyp, am, dx, s.alloc(accBytes(rt, p)));
    return rt.heap.take(dx, dxLen);
  });
}

export function avgPool(x: Float32Array, p: PoolParams): Float32Array {
  expectLength('x', x.length, planes(p) * inPlane(p));
  const n = planes(p) * outPlane(p);
  if (n === 0) return new Float32Array(0);
  const rt = wasmRuntime();
  return rt.heap.scoped((s) => {
    const xp = s.put(x);
    const y = s.alloc(n * 4);
    rt.run('avgPool', ...geometry(p), p.countIncludePad ? 1 : 0, xp, y);
    return rt.heap.take(y, n);
  });
}

export function avgPoolBackward(dy: Float32Array, p: PoolParams): Float32Array {
  const n = planes(p) * outPlane(p);
  expectLength('dy', dy.length, n);
  const dxLen = planes(p) * inPlane(p);
  if (dxLen === 0) return new Float32Array(0);
  const rt = wasmRuntime();
  return rt.heap.scoped((s) => {
    const dyp = s.put(dy);
    const dx = s.alloc(dxLen * 4);
    rt.run('avgPoolBackward', ...geometry(p), p.countIncludePad ? 1 : 0, dyp, dx, s.alloc(accBytes(rt, p)));
    return rt.heap.take(dx, dxLen);
  });
}
