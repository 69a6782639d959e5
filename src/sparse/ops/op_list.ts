/**
 * The sparse ops join the typed op list (src/tensor/op_list.ts) by declaration merging, as the
 * sparse kernels join `KernelSet`: the core list stays free of anything src/sparse defines, and
 * every pass over the list (the permutation rules, an exporter) sees these ops too.
 */
import type { ConvAttrs } from '../../tensor/op_list.js';

/** The compressed weight's N:M pattern, beside the dense op's own attributes. */
export interface SparsePatternAttrs {
  n: number;
  m: number;
}

export type SparseConvAttrs = ConvAttrs & SparsePatternAttrs;

export interface SparseOpAttrs {
  sparseLinear: { inFeatures: number; outFeatures: number; bias: boolean } & SparsePatternAttrs;
  sparseConv1d: SparseConvAttrs;
  sparseConv2d: SparseConvAttrs;
  sparseConv3d: SparseConvAttrs;
}

export type SparseOpName = keyof SparseOpAttrs;

declare module '../../tensor/op_list.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the merge is the point: it adds the members
  interface OpAttrs extends SparseOpAttrs {}
}
