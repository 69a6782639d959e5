/**
 * The optimizer and scheduler records of a checkpoint's optimizer file: JSON in `__metadata__`
 * (`sparse24.optimizer`, `sparse24.scheduler`) beside the moment tensors `state.<index>.<name>`.
 * A file is untrusted input: every record is checked field by field, and a record of the wrong
 * shape is a `FormatError` naming the file, the record and the field, never a TypeError.
 */
import { FormatError, type StoredTensor, toTensor } from '../io/index.js';
import type { Tensor } from '../tensor/index.js';
import type { SchedulerStateDict } from './optim/lr_scheduler.js';
import type { OptimizerStateDict, ParamState } from './optim/optimizer.js';

export const OPTIM_KEY = 'sparse24.optimizer';
export const SCHED_KEY = 'sparse24.scheduler';

type Hyper = number | boolean | string | null | number[];
type GroupRecord = Record<string, Hyper> & { params: number[] };

export interface OptimizerRecord {
  type: string;
  paramGroups: GroupRecord[];
  scalars: Record<string, Record<string, number>>;
}

export interface SchedulerRecord {
  type: string;
  state: SchedulerStateDict;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function parseJson(json: string, key: string, file: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new FormatError(file, `__metadata__ '${key}' is not valid JSON`);
  }
}

const isIndex = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isHyper = (x: unknown): boolean =>
  x === null ||
  ['number', 'boolean', 'string'].includes(typeof x) ||
  (Array.isArray(x) && x.every((e) => typeof e === 'number'));

/** The optimizer record of `file`, checked: {type, paramGroups: [{params, ...hyper}], scalars}. */
export function parseOptimizerRecord(json: string, file: string): OptimizerRecord {
  const v = parseJson(json, OPTIM_KEY, file);
  const bad = (what: string, found: unknown): never => {
    throw new FormatError(file, `__metadata__ '${OPTIM_KEY}': ${what}, found ${show(found)}`);
  };
  if (!isObject(v)) return bad('expected an object {type, paramGroups, scalars}', v);
  if (typeof v['type'] !== 'string') bad("'type' must be the optimizer's class name", v['type']);
  const groups = v['paramGroups'];
  if (!Array.isArray(groups)) return bad("'paramGroups' must be a list of groups", groups);
  groups.forEach((g: unknown, i) => {
    if (!isObject(g)) return bad(`paramGroups[${i}] must be an object`, g);
    const params = g['params'];
    if (!Array.isArray(params) || !params.every(isIndex))
      bad(`paramGroups[${i}].params must be a list of parameter indices`, params);
    for (const [k, h] of Object.entries(g))
      if (k !== 'params' && !isHyper(h)) bad(`paramGroups[${i}].${k} must be a number, boolean or list of numbers`, h);
  });
  const scalars = v['scalars'];
  if (!isObject(scalars)) return bad("'scalars' must be an object of per-parameter numbers", scalars);
  for (const [index, s] of Object.entries(scalars)) {
    if (!/^\d+$/.test(index)) bad(`scalars key '${index}' must be a parameter index`, index);
    if (!isObject(s) || !Object.values(s).every((x) => typeof x === 'number'))
      bad(`scalars['${index}'] must map names to numbers`, s);
  }
  return v as unknown as OptimizerRecord;
}

/** The scheduler record of `file`, checked: {type, state: {lastEpoch, baseLrs, lastLr}}. */
export function parseSchedulerRecord(json: string, file: string): SchedulerRecord {
  const v = parseJson(json, SCHED_KEY, file);
  const bad = (what: string, found: unknown): never => {
    throw new FormatError(file, `__metadata__ '${SCHED_KEY}': ${what}, found ${show(found)}`);
  };
  if (!isObject(v)) return bad('expected an object {type, state}', v);
  if (typeof v['type'] !== 'string') bad("'type' must be the scheduler's class name", v['type']);
  const state = v['state'];
  if (!isObject(state)) return bad("'state' must be an object {lastEpoch, baseLrs, lastLr}", state);
  if (typeof state['lastEpoch'] !== 'number') bad("'state.lastEpoch' must be a number", state['lastEpoch']);
  for (const k of ['baseLrs', 'lastLr']) {
    const list = state[k];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'number'))
      bad(`'state.${k}' must be a list of numbers`, list);
  }
  return v as unknown as SchedulerRecord;
}

/** Splits an optimizer's state dict into the record and the tensors of its file. */
export function optimizerRecord(
  type: string,
  sd: OptimizerStateDict,
): { record: OptimizerRecord; tensors: Map<string, Tensor> } {
  const tensors = new Map<string, Tensor>();
  const scalars: OptimizerRecord['scalars'] = {};
  for (const [index, state] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(state)) {
      if (typeof v === 'number') (scalars[index] ??= {})[name] = v;
      else tensors.set(`state.${index}.${name}`, v);
    }
  }
  return { record: { type, paramGroups: sd.paramGroups as unknown as GroupRecord[], scalars }, tensors };
}

/** Rebuilds PyTorch-shaped optimizer state from the file's record and tensors. */
export function optimizerState(
  record: OptimizerRecord,
  tensors: ReadonlyMap<string, StoredTensor>,
  file: string,
): OptimizerStateDict {
  const state: Record<number, ParamState> = {};
  const slot = (index: string): ParamState => (state[Number(index)] ??= {});
  for (const [index, scalars] of Object.entries(record.scalars)) Object.assign(slot(index), scalars);
  for (const [key, stored] of tensors) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (m === null)
      throw new FormatError(file, `unexpected tensor '${key}'; optimizer tensors are named state.<index>.<name>`);
    slot(m[1]!)[m[2]!] = toTensor(stored);
  }
  return { state, paramGroups: record.paramGroups as unknown as OptimizerStateDict['paramGroups'] };
}
