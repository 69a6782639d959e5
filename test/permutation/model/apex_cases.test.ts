/**
 * The 36 cases of apex's test_permutation_application.py (docs/apex-asp.md §4.1): counts of parameters
 * permuted along C and K, no unpermuted dimension, and the same output (atol 1e-5, rtol 1e-4) in
 * eval mode with randomised running statistics. Running statistics are reported apart
 * (`permutedBuffers`), so the counts stay apex's (its tests turn running stats off).
 */
import { describe, expect, it } from 'vitest';
import {
  AlreadySparse,
  Concat,
  ConvOneD,
  DifferentGroups,
  FlattenCase,
  ForksJoins,
  GroupedConvs,
  ModuleAttribute,
  OneSparseSibling,
  SiblingsPoison,
  SimpleConvs,
  SizeDependent,
  SquareAttribute,
  StackedMha,
  TwoBranches,
} from './apex_models.js';
import { W } from './apex_models.js';
import { runApexCase } from './helpers.js';

describe('apex test models', () => {
  it.each([
    ['smoke test', () => new SimpleConvs(2, 16), 1, 2],
    ['simple 5 64', () => new SimpleConvs(5, 64), 4, 8],
    ['simple 10 32', () => new SimpleConvs(10, 32), 9, 18],
    ['BatchNorm2d', () => new SimpleConvs(4, W, 'BatchNorm2d'), 3, 12],
    // sparse24 has no lazy modules: the Lazy* cases are the eager ones (LazyInstanceNorm2d added no norm in apex).
    ['LazyBatchNorm2d', () => new SimpleConvs(4, W, 'BatchNorm2d'), 3, 12],
    ['InstanceNorm2d', () => new SimpleConvs(4, W, 'InstanceNorm2d'), 3, 12],
    ['LazyInstanceNorm2d', () => new SimpleConvs(4, W), 3, 6],
    ['LayerNorm3', () => new SimpleConvs(4, W, 'LayerNorm3'), 3, 12],
    // Better than apex: apex passes LocalResponseNorm through, though it mixes neighbouring channels
    // (only its tiny alpha hides the change). sparse24 sees the channel shift and leaves those groups.
    ['LocalResponseNorm (cross-channel op)', () => new SimpleConvs(4, W, 'ChannelWindow'), 0, 0],
    ['GroupNorm', () => new SimpleConvs(4, W, 'GroupNorm'), 0, 0],
    ['conv1d', () => new ConvOneD(false), 2, 4],
    ['conv1d and conv2d', () => new ConvOneD(true), 3, 6],
    ['grouped convs', () => new GroupedConvs(), 2, 6],
    ['forks and joins', () => new ForksJoins(), 8, 18],
    ['GCD', () => new DifferentGroups(), 4, 2],
    ['sibling poison', () => new SiblingsPoison(), 1, 4],
    ['coparent poison', () => new TwoBranches(false), 3, 4],
    ['dw child is sibling', () => new TwoBranches(true), 3, 8],
    ['single attribute', () => new ModuleAttribute(0), 1, 3],
    ['single attribute thrice', () => new ModuleAttribute(1), 3, 7],
    ['stacked MHA', () => new StackedMha(), 1, 2],
    ['one sparse sibling', () => new OneSparseSibling(), 4, 8],
    ['simple concat', () => new Concat(1, 1, 1), 3, 6],
    ['concat dim0', () => new Concat(1, 0, 1), 3, 6],
    ['concat ratio2', () => new Concat(2, 1, 1), 3, 6],
    ['concat depth2', () => new Concat(1, 1, 2), 4, 8],
    ['concat depth3', () => new Concat(1, 1, 3), 5, 10],
    ['concat ratio3 depth4', () => new Concat(3, 1, 4), 6, 12],
    ['concat dim0 depth3', () => new Concat(1, 0, 3), 5, 10],
    ['flatten op', () => new FlattenCase(3, false), 0, 0],
    ['useless flatten op', () => new FlattenCase(1, false), 1, 2],
    ['flatten module', () => new FlattenCase(3, true), 0, 0],
    ['useless flatten module', () => new FlattenCase(1, true), 1, 2],
    // apex cannot trace this forward at all; sparse24 traces it and sees the channel-indexed constant.
    ['trace failure (size-dependent constant)', () => new SizeDependent(), 0, 0],
    // Better than apex (whose own comment says so): the transposed attribute's channel dim is found
    // through the transpose, so the linear's weight and bias and the attribute permute along K.
    ['square attributes', () => new SquareAttribute(), 1, 3],
  ] as const)('%s', (_tag, make, c, k) => {
    runApexCase(make(), c, k);
  });

  it('skip already sparse: the group is "not needed"', () => {
    const m = new AlreadySparse();
    const report = runApexCase(m, 0, 0, undefined, () => m.sparsify());
    expect(report.groups.map((g) => g.status)).toContain('not needed');
  });
});
