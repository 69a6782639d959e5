import type { BenchCase } from './cases.js';

/**
 * A prepared benchmark body: inputs allocated, kernels compiled on first run (warm-up absorbs it).
 * `run` returns the kernel's output (or, for an asynchronous kernel set, a Promise of it).
 */
export interface Prepared {
  run: () => unknown;
  dispose?: () => void;
}

/** Something that computes a case: one of sparse24's kernel sets, or a peer library. */
export interface Implementation {
  /** Row label, e.g. `sparse24 gpu/webasm 2:4` or `onnxruntime-node`. */
  name: string;
  /** Peers are the libraries a user would pick instead; sparse24 rows are reported as ratios to the best. */
  peer: boolean;
  /** The kernel set: `reference`, `gpu/webasm`, ... (for peers, the peer's name). */
  backend: string;
  /** Dense weights, or a compressed 2:4 operand. */
  variant: 'dense' | '2:4';
  /** Null when this implementation cannot run the case. */
  prepare(c: BenchCase): Promise<Prepared | null>;
}
