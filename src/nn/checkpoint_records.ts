/**
 * The optimizer and scheduler records of a checkpoint's optimizer file: JSON in `__metadata__`
 * (`sparse24.optimizer`, `sparse24.scheduler`) beside the moment tensors `state.<index>.<name>`.
 * A file is untrusted input: every record is checked field by field, and a record of the wrong
 * shape is a `FormatError` naming the file, the record and the field, never a TypeError.
 */
import { FormatError, type StoredTensor, toTensor } from '../io/index.js';
import { type Tensor, ValueError } from '../tensor/index.js';
import type { SchedulerStateDict } from './optim/lr_scheduler.js';
import type { OptimizerStateDict, OptimizerStateInput, ParamState } from './optim/optimizer.js';

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

const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isNumber = (x: unknown): x is number => typeof x === 'number';
const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNumber);
const isHyper = (x: unknown): x is Hyper =>
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
  const type = v['type'];
  if (typeof type !== 'string') return bad("'type' must be the optimizer's class name", type);
  const groups = v['paramGroups'];
  if (!Array.isArray(groups)) return bad("'paramGroups' must be a list of groups", groups);
  const paramGroups = groups.map((g: unknown, i): GroupRecord => {
    if (!isObject(g)) return bad(`paramGroups[${i}] must be an object`, g);
    const params = g['params'];
    if (!Array.isArray(params) || !params.every(isIndex))
      return bad(`paramGroups[${i}].params must be a list of parameter indices`, params);
    const hyper: Record<string, Hyper> = {};
    for (const [k, h] of Object.entries(g)) {
      if (k === 'params') hyper[k] = params;
      else if (isHyper(h)) hyper[k] = h;
      else bad(`paramGroups[${i}].${k} must be a number, boolean or list of numbers`, h);
    }
    return { ...hyper, params };
  });
  const scalars = v['scalars'];
  if (!isObject(scalars)) return bad("'scalars' must be an object of per-parameter numbers", scalars);
  const perParam: OptimizerRecord['scalars'] = {};
  for (const [index, s] of Object.entries(scalars)) {
    if (!/^\d+$/.test(index)) bad(`scalars key '${index}' must be a parameter index`, index);
    if (!isObject(s)) return bad(`scalars['${index}'] must map names to numbers`, s);
    const named: Record<string, number> = {};
    for (const [name, x] of Object.entries(s)) {
      if (isNumber(x)) named[name] = x;
      else bad(`scalars['${index}'] must map names to numbers`, s);
    }
    perParam[index] = named;
  }
  return { type, paramGroups, scalars: perParam };
}

/** The scheduler record of `file`, checked: {type, state: {lastEpoch, baseLrs, lastLr}}. */
export function parseSchedulerRecord(json: string, file: string): SchedulerRecord {
  const v = parseJson(json, SCHED_KEY, file);
  const bad = (what: string, found: unknown): never => {
    throw new FormatError(file, `__metadata__ '${SCHED_KEY}': ${what}, found ${show(found)}`);
  };
  if (!isObject(v)) return bad('expected an object {type, state}', v);
  const type = v['type'];
  if (typeof type !== 'string') return bad("'type' must be the scheduler's class name", type);
  const state = v['state'];
  if (!isObject(state)) return bad("'state' must be an object {lastEpoch, baseLrs, lastLr}", state);
  const { lastEpoch, baseLrs, lastLr } = state;
  if (!isNumber(lastEpoch)) return bad("'state.lastEpoch' must be a number", lastEpoch);
  if (!isNumbers(baseLrs)) return bad("'state.baseLrs' must be a list of numbers", baseLrs);
  if (!isNumbers(lastLr)) return bad("'state.lastLr' must be a list of numbers", lastLr);
  return { type, state: { ...state, lastEpoch, baseLrs, lastLr } };
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
  return { record: { type, paramGroups: sd.paramGroups.map((g, i) => groupRecord(type, i, g)), scalars }, tensors };
}

/** A group as its record holds it: every hyperparameter must be JSON a file can hold (number, boolean, numbers). */
function groupRecord(type: string, index: number, group: OptimizerStateDict['paramGroups'][number]): GroupRecord {
  const out: Record<string, Hyper> = {};
  for (const [k, h] of Object.entries(group)) {
    if (k === 'params' || h === undefined) continue; // params below; JSON has no undefined (it left such keys out)
    if (!isHyper(h))
      throw new ValueError(
        `${type} group ${index}: hyperparameter '${k}' is ${show(h)}, which a checkpoint cannot hold`,
      );
    out[k] = h;
  }
  return { ...out, params: group.params };
}

/** Rebuilds PyTorch-shaped optimizer state from the file's record and tensors. */
export function optimizerState(
  record: OptimizerRecord,
  tensors: ReadonlyMap<string, StoredTensor>,
  file: string,
): OptimizerStateInput {
  const state: Record<number, ParamState> = {};
  const slot = (index: string): ParamState => (state[Number(index)] ??= {});
  for (const [index, scalars] of Object.entries(record.scalars)) Object.assign(slot(index), scalars);
  for (const [key, stored] of tensors) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (m === null)
      throw new FormatError(file, `unexpected tensor '${key}'; optimizer tensors are named state.<index>.<name>`);
    slot(m[1]!)[m[2]!] = toTensor(stored);
  }
  return { state, paramGroups: record.paramGroups };
}
