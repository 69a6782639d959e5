import { type Eligibility, keptMagnitude, patternNM, weightEligibility } from '../../asp/oneshot.js';
import { type StoredTensor, toFloat32 } from '../../io/index.js';
import { createMask, toView } from '../../sparse/index.js';
import { formatShape } from '../../tensor/shape.js';
import type { Command } from '../command.js';
import { onePositional } from '../util/options.js';
import { loadTensorFile } from '../util/tensor_file.js';

/** One tensor's line of the check. Group counts are over the 2-D mask view, groups of M along C. */
export interface CheckedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly candidate: boolean;
  readonly eligible: boolean;
  readonly reasons: readonly string[];
  /** Full groups of M input channels (0 for a non-candidate). */
  readonly groups: number;
  /** Groups holding more than N nonzeros. */
  readonly violatingGroups: number;
  readonly isNM: boolean;
  /** Share of sum |w| the pattern's mask would keep; null where no mask can be computed. */
  readonly keptMagnitudeFraction: number | null;
}

/** sparse: every eligible tensor is N:M; not-sparse: one is not; no-eligible-tensors: nothing to judge. */
export type Verdict = 'sparse' | 'not-sparse' | 'no-eligible-tensors';

export interface CheckReport {
  readonly file: string;
  readonly pattern: string;
  readonly tensors: readonly CheckedTensor[];
  readonly verdict: Verdict;
}

function checkOne(name: string, t: StoredTensor, pattern: string, n: number, m: number, e: Eligibility): CheckedTensor {
  const base = { name, dtype: t.dtype, shape: [...t.shape], candidate: e.candidate, eligible: e.eligible, reasons: e.reasons };
  if (!e.candidate || t.shape.length > 5) return { ...base, groups: 0, violatingGroups: 0, isNM: false, keptMagnitudeFraction: null };
  const values = toFloat32(t);
  const view = toView(values, t.shape);
  const perRow = Math.floor(view.cols / m);
  let violating = 0;
  for (let r = 0; r < view.rows; r++) {
    for (let g = 0; g < perRow; g++) {
      let nonzero = 0;
      for (let i = 0, at = r * view.cols + g * m; i < m; i++) if (view.data[at + i] !== 0) nonzero++;
      if (nonzero > n) violating++;
    }
  }
  let kept: number | null = null;
  if (view.cols % m === 0 && values.every((v) => Number.isFinite(v))) {
    try {
      kept = keptMagnitude(values, createMask(values, t.shape, pattern));
    } catch {
      kept = null; // e.g. a 2-D pattern on a view whose rows do not split into 4x4 blocks
    }
  }
  return {
    ...base,
    groups: perRow * view.rows,
    violatingGroups: violating,
    isNM: view.cols % m === 0 && violating === 0,
    keptMagnitudeFraction: kept,
  };
}

/** Checks every tensor of a loaded file against an N:M pattern. */
export function checkTensors(file: string, tensors: Map<string, StoredTensor>, pattern: string, byName: boolean): CheckReport {
  const { n, m } = patternNM(pattern);
  const checked = [...tensors].map(([name, t]) => checkOne(name, t, pattern, n, m, weightEligibility(name, t, m, byName)));
  const eligible = checked.filter((c) => c.eligible);
  const verdict: Verdict = eligible.length === 0 ? 'no-eligible-tensors' : eligible.every((c) => c.isNM) ? 'sparse' : 'not-sparse';
  return { file, pattern, tensors: checked, verdict };
}

function line(c: CheckedTensor, nm: string): string {
  const head = `${c.name} ${c.dtype} ${formatShape(c.shape)}`;
  if (!c.candidate) return `${head}: not checked (${c.reasons.join('; ')})`;
  const kept = c.keptMagnitudeFraction === null ? 'n/a' : c.keptMagnitudeFraction.toFixed(4);
  const status = c.isNM ? nm : `not ${nm}`;
  const why = c.eligible ? '' : ` (${c.reasons.join('; ')})`;
  return `${head}: ${status}, ${c.violatingGroups}/${c.groups} groups violating, kept magnitude ${kept}, ${c.eligible ? 'eligible' : 'not eligible'}${why}`;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'report whether the weights in a .safetensors or .npy file are N:M sparse (2:4 by default)',
  help: [
    'Usage: sparse24 check FILE [--pattern P] [--json] [--strict]',
    '',
    'Checks every Linear/Conv weight of FILE (.safetensors: tensors named *.weight of rank >= 2;',
    '.npy: the array, if rank >= 2) for N:M sparsity along the input channels of its 2-D mask view',
    '(apex layout). Per tensor: name, dtype, shape, groups of M checked, groups with more than N',
    'nonzeros, the share of |w| the pattern\'s mask would keep, and whether it is eligible for',
    "pruning (apex's rules: floating point; F32/F16 need dim0 % 8 == 0 and dim1 % 16 == 0; C % M == 0;",
    'finite values). The verdict is sparse (every eligible tensor is N:M), not-sparse, or',
    'no-eligible-tensors.',
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
    const file = await loadTensorFile(path);
    const report = checkTensors(path, file.tensors, pattern, file.kind === 'safetensors');
    if (args.values['json'] === true) io.out(JSON.stringify(report));
    else {
      for (const c of report.tensors) io.out(line(c, `${n}:${m}`));
      const eligible = report.tensors.filter((c) => c.eligible);
      io.out(`verdict: ${report.verdict} (${eligible.filter((c) => c.isNM).length}/${eligible.length} eligible tensors are ${n}:${m})`);
    }
    return args.values['strict'] === true && report.verdict === 'not-sparse' ? 1 : 0;
  },
};
