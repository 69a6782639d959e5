/**
 * The layers 2:4 sparsity applies to: Linear and Conv1d/2d/3d (subclasses included). Sparse
 * inference, Sparse-QAT and channel permutation each need to tell them apart and pick the matching
 * sparse or quantized counterpart; they all ask `prunableLayer` here.
 */
import type { AnyModule } from '../module.js';
import { Conv1d, Conv2d, Conv3d } from './conv.js';
import { Linear } from './linear.js';

export type PrunableLayer = Linear | Conv1d | Conv2d | Conv3d;

/** A prunable layer with its kind, so a `switch` on `kind` narrows `layer`. */
export type PrunableLayerOf =
  | { readonly kind: 'linear'; readonly layer: Linear }
  | { readonly kind: 'conv1d'; readonly layer: Conv1d }
  | { readonly kind: 'conv2d'; readonly layer: Conv2d }
  | { readonly kind: 'conv3d'; readonly layer: Conv3d };

export type PrunableLayerKind = PrunableLayerOf['kind'];

/** The module as a prunable layer with its kind, or null when it is none. */
export function prunableLayer(module: unknown): PrunableLayerOf | null {
  if (module instanceof Linear) return { kind: 'linear', layer: module };
  if (module instanceof Conv1d) return { kind: 'conv1d', layer: module };
  if (module instanceof Conv2d) return { kind: 'conv2d', layer: module };
  if (module instanceof Conv3d) return { kind: 'conv3d', layer: module };
  return null;
}

/** 'linear', 'conv1d', 'conv2d' or 'conv3d', or null for any other module. */
export function prunableLayerKind(module: unknown): PrunableLayerKind | null {
  return prunableLayer(module)?.kind ?? null;
}

export function isPrunableLayer(module: AnyModule): module is AnyModule & PrunableLayer {
  return prunableLayer(module) !== null;
}
