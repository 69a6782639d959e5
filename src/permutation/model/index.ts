/** The model side of channel permutation: graph (channel classes), op rules, applying, `permuteModel`. */
export { ChannelClasses, type ClassInfo, type ParamDim, gcd } from './classes.js';
export { type Link, type NodeKind, type OpEffect, RULES, type Rule, type RuleTable, opEffect } from './rules.js';
export { type GraphNode, type ModelGraph, type NamedTensor, type RoleOf, buildGraph, tracedForward } from './graph.js';
export { StagedWrites, permuteAlong, replicatePermutation } from './apply.js';
export * from './permute_model.js';
