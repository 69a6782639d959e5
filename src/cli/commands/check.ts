import { type StoredTensor, loadModelFolder, modelFolderOf, toFloat32 } from '../../io/index.js';
import { maskBufferKey } from '../../nn/index.js';
import { TENSOR_CORE_RULE, parseSparsityConfig, patternNM } from '../../sparse/index.js';
import { formatShape } from '../../tensor/shape.js';
import type { Command } from '../command.js';
import { groupRecordKeys, decodeRecord, recordParamOfKey } from '../util/check/records.js';
import {
  type CheckedTensor,
  countGroups,
  countRecordGroups,
  maskConsistency,
  recordEligibility,
  storedEligibility,
} from '../util/check/tensor_check.js';
import { onePositional } from '../util/options.js';
import { loadTensorFile } from '../util/tensor_file.js';

export type { CheckedTensor, StoredFormat } from '../util/check/tensor_check.js';

/** sparse: every eligible tensor is N:M; not-sparse: one is not; no-eligible-tensors: nothing to judge. */
export type Verdict = 'sparse' | 'not-sparse' | 'no-eligible-tensors';

export interface CheckReport {
  readonly file: string;
  readonly pattern: string;
  readonly tensors: readonly CheckedTensor[];
  readonly verdict: Verdict;
}

const NOT_COUNTED = { groups: 0, violatingGroups: 0, isNM: false, keptMagnitudeFraction: null } as const;

function checkDense(
  name: string,
  t: StoredTensor,
  tensors: ReadonlyMap<string, StoredTensor>,
  pattern: string,
  n: number,
  m: number,
  byName: boolean,
): CheckedTensor {
  const e = storedEligibility(name, t, m, byName);
  const base = {
    name,
    format: 'dense',
    dtype: t.dtype,
    shape: [...t.shape],
    candidate: e.candidate,
    eligible: e.eligible,
    storedViolatingGroups: null,
  } as const;
  if (!e.candidate || t.shape.length > 5) return { ...base, reasons: e.reasons, ...NOT_COUNTED, maskConsistent: null };
  const values = toFloat32(t);
  const maskKey = maskBufferKey(name);
  const mask = tensors.get(maskKey);
  const agreement = mask === undefined ? null : maskConsistency(values, t.shape, maskKey, mask);
  const reasons = agreement?.reason == null ? e.reasons : [...e.reasons, agreement.reason];
  return {
    ...base,
    reasons,
    ...countGroups(values, t.shape, pattern, n, m),
    maskConsistent: agreement === null ? null : agreement.consistent,
  };
}

/**
 * Checks every tensor of a loaded file against an N:M pattern. Compressed records (cutlass-24,
 * sparse-24-bitmask) are decoded and reported once, under their weight's name, where their first
 * key stands in the file;
 * an incomplete or inconsistent record throws a FormatError naming the param and the key.
 */
export function checkTensors(
  file: string,
  tensors: Map<string, StoredTensor>,
  pattern: string,
  byName: boolean,
): CheckReport {
  const { n, m } = patternNM(pattern);
  const records = byName ? groupRecordKeys(tensors.keys()) : new Map<string, string[]>();
  const paramOf = recordParamOfKey(records);
  const checked: CheckedTensor[] = [];
  for (const [name, t] of tensors) {
    const param = paramOf.get(name);
    if (param === undefined) {
      // A dense copy of a weight that also has a record is rejected when that record is decoded.
      if (!records.has(name)) checked.push(checkDense(name, t, tensors, pattern, n, m, byName));
      continue;
    }
    const keys = records.get(param)!;
    if (keys[0] !== name) continue;
    const d = decodeRecord(file, param, keys, tensors);
    const e = recordEligibility(d, m);
    const count = countRecordGroups(d.source, pattern, n, m);
    const storedOk = d.storedViolatingGroups === 0;
    const reasons = storedOk
      ? e.reasons
      : [
          ...e.reasons,
          `the stored ${d.format === 'cutlass-24' ? 'meta' : 'bitmask'} keeps more than 2 of 4 in ${d.storedViolatingGroups} of ${d.storedGroups} groups`,
        ];
    checked.push({
      name: d.name,
      format: d.format,
      dtype: d.dtype,
      shape: [...d.shape],
      candidate: true,
      eligible: e.eligible,
      reasons,
      ...count,
      storedViolatingGroups: d.storedViolatingGroups,
      isNM: count.isNM && storedOk,
      maskConsistent: null,
    });
  }
  const eligible = checked.filter((c) => c.eligible);
  const verdict: Verdict =
    eligible.length === 0 ? 'no-eligible-tensors' : eligible.every((c) => c.isNM) ? 'sparse' : 'not-sparse';
  return { file, pattern, tensors: checked, verdict };
}

function line(c: CheckedTensor, nm: string): string {
  const head = `${c.name} ${c.dtype} ${formatShape(c.shape)} ${c.format}`;
  if (!c.candidate) return `${head}: not checked (${c.reasons.join('; ')})`;
  const kept = c.keptMagnitudeFraction === null ? 'n/a' : c.keptMagnitudeFraction.toFixed(4);
  const status = c.isNM ? nm : `not ${nm}`;
  const stored =
    c.storedViolatingGroups === null ? '' : `, stored pattern ${c.storedViolatingGroups === 0 ? '2:4' : 'not 2:4'}`;
  const mask = c.maskConsistent === null ? '' : `, mask ${c.maskConsistent ? 'consistent' : 'inconsistent'}`;
  const why = c.reasons.length === 0 ? '' : ` (${c.reasons.join('; ')})`;
  return `${head}: ${status}, ${c.violatingGroups}/${c.groups} groups violating${stored}${mask}, kept magnitude ${kept}, ${c.eligible ? 'eligible' : 'not eligible'}${why}`;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'report whether the weights in a .safetensors, .npy or .onnx file are N:M sparse (2:4 by default)',
  help: [
    'Usage: sparse24 check FILE|FOLDER [--pattern P] [--json] [--strict]',
    '',
    'Checks every Linear/Conv weight of FILE (.safetensors: tensors named *.weight of rank >= 2;',
    '.npy: the array, if rank >= 2; .onnx: every initializer that is the weight of a Conv, Gemm or',
    'MatMul node, directly or through DequantizeLinear, read as [out, in, ...kernel]: Gemm with',
    'transB = 0 and MatMul weights are transposed first) for N:M sparsity along the input channels',
    "of its 2-D mask view (apex layout; for ONNX this is TensorRT's rule: for each output channel and",
    'kernel position, each group of four input channels holds at least two zeros). Per tensor: name,',
    'dtype, shape, storage format, groups of M checked, groups with more than N nonzeros, the share',
    "of |w| the pattern's mask would keep, and whether it is eligible for pruning (apex's rules:",
    'floating point or int8; F32/F16, and I8 as the float weight it was quantized from, need',
    `${TENSOR_CORE_RULE}; C % M == 0; finite values).`,
    '',
    "Compressed records are decoded: sparse24's cutlass-24 (<param>.cutlass_24_values + .cutlass_24_meta,",
    "or the older .sparse_24_packed_weight + .meta) and compressed-tensors' sparse-24-bitmask",
    '(<module>.compressed + .bitmask + .shape, reported as <module>.weight). FOLDER (or a',
    'model.safetensors beside a config.json) is a compressed-tensors model folder: its config.json',
    'must hold a sparse-24-bitmask sparsity_config. Each record is reported under its weight',
    'name: the decoded values are checked, and so is the stored pattern (a bitmask keeping 3 of',
    '4 is a violation). An incomplete or undecodable record is a malformed file. A dense weight with',
    'an apex mask buffer (<module>.__weight_mma_mask) also reports whether it is zero where the mask',
    'is 0 (maskConsistent; reported, not part of the verdict). The verdict is sparse (every eligible',
    'tensor is N:M), not-sparse, or no-eligible-tensors.',
    '',
    'Options:',
    '  --pattern P   m4n2_1d (default), m4n2_2d_best, m4n2_2d_greedy (all 2:4) or N:M, e.g. 1:4, 2:8, 4:8',
    '  --json        print one JSON object {file, pattern, tensors: [...], verdict}',
    '  --strict      exit 1 when an eligible tensor is not N:M',
    '',
    'Exit codes: 0 checked (or all eligible tensors N:M with --strict), 1 --strict and an eligible',
    'tensor is not N:M, 2 unreadable or malformed file, or bad usage.',
  ].join('\n'),
  options: { pattern: { type: 'string' }, json: { type: 'boolean' }, strict: { type: 'boolean' } },
  async run(args, io) {
    const path = onePositional(args.positionals, 'FILE', 'check');
    const pattern = typeof args.values['pattern'] === 'string' ? args.values['pattern'] : 'm4n2_1d';
    const { n, m } = patternNM(pattern);
    const dir = await modelFolderOf(path);
    let report: CheckReport;
    if (dir !== null) {
      const folder = await loadModelFolder(dir);
      parseSparsityConfig(folder.configFile, folder.config);
      report = checkTensors(folder.weightsFile, folder.weights.tensors, pattern, true);
    } else {
      const file = await loadTensorFile(path);
      report = checkTensors(path, file.tensors, pattern, file.kind === 'safetensors');
    }
    if (args.values['json'] === true) io.out(JSON.stringify(report));
    else {
      for (const c of report.tensors) io.out(line(c, `${n}:${m}`));
      const eligible = report.tensors.filter((c) => c.eligible);
      io.out(
        `verdict: ${report.verdict} (${eligible.filter((c) => c.isNM).length}/${eligible.length} eligible tensors are ${n}:${m})`,
      );
    }
    return args.values['strict'] === true && report.verdict === 'not-sparse' ? 1 : 0;
  },
};
