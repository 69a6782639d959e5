/// <reference lib="dom" />
/**
 * The lab page: loads the demo weight, draws it and its masks, runs the permutation search in a
 * worker, explains one compressed block and benchmarks the backends, then publishes everything as
 * `window.sparse24Results` and posts it to the server. A new weight (the picker, or a file dropped or
 * chosen) redraws sections 1-4; `?bench=off` in the URL skips section 5.
 */
import { benchInputs, LAB_BENCH_SHAPE, LAB_MODES, referenceOutputs, runMode, type ModeResult } from './bench.js';
import { renderBench } from './bench_view.js';
import { loadDemoModel } from './demo_model.js';
import { renderBlock } from './block_view.js';
import { byId, el, nextFrame } from './dom.js';
import { distinctColours } from './heatmap.js';
import { renderMasks, renderWeight } from './masks_view.js';
import { runPermutation, warmPermutationWorker } from './permute_view.js';
import { emptyResults, type LabResults } from './results.js';
import {
  type FileWeights,
  type LabWeight,
  demoWeights,
  plantedTiesWeight,
  randomWeight,
  weightsFromFile,
} from './weights.js';

const status = byId('status');
const results = emptyResults();
let nm = '4:8';
/** `?bench=off` skips section 5 (the kernel benchmark), for a quicker page (the file tests use it). */
const benchOn = new URLSearchParams(location.search).get('bench') !== 'off';
/** Files above this size are refused before they are read. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

function setStatus(text: string): void {
  status.textContent = text;
}

interface Choice {
  readonly w: LabWeight;
  /** 'demo checkpoint', 'random', 'planted ties' or 'file NAME'. */
  readonly source: string;
}

const label = (w: LabWeight): string => `${w.name} [${w.shape.join(', ')}]`;

/** The search of the weight shown last; a newer weight aborts it. */
let showing: AbortController | null = null;

/** Sections 1-4 for `c`. Picking another weight meanwhile aborts this one: only the newest publishes. */
async function showWeight(c: Choice, r: LabResults): Promise<void> {
  showing?.abort();
  const ac = new AbortController();
  showing = ac;
  const { w } = c;
  r.weight = { name: w.name, shape: [...w.shape], source: c.source };
  r.permutation = null;
  renderWeight(byId('weight-view'), w);
  r.masks = renderMasks(byId('masks'), w, nm).map((s) => ({
    pattern: s.pattern,
    keptFraction: s.keptFraction,
    keptMagnitude: s.keptMagnitude,
    violations: s.violations.length,
    error: s.error,
  }));
  r.block = renderBlock(byId('block'), w);
  await nextFrame();
  if (ac.signal.aborted) return;
  setStatus('searching a channel permutation');
  try {
    const { permutation, ...outcome } = await runPermutation(byId('permute'), w, 5, ac.signal);
    r.permutation = { ...outcome, order: [...permutation] };
    r.weightsShown++;
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  }
}

/**
 * The weight picker: the demo checkpoint's weights, a random and a planted-ties matrix, and, once a
 * file is dropped or chosen, that file's usable weights first (the first of them shown). A file that
 * cannot be read leaves everything as it was and says why under the drop zone. `addTrained` appends
 * the trained demo model's dense layers when they arrive, keeping the weight shown selected.
 */
function picker(
  demo: LabWeight[],
  onPick: (c: Choice) => void,
): { element: HTMLElement; addTrained(weights: LabWeight[]): void } {
  const select = el('select', { id: 'weight-select' });
  const builtIn: Choice[] = [
    ...demo.map((w) => ({ w, source: 'demo checkpoint' })),
    { w: randomWeight(32, 64, 1), source: 'random' },
    { w: plantedTiesWeight(32, 64), source: 'planted ties' },
  ];
  let fromFile: Choice[] = [];
  let trained: Choice[] = [];
  let fileName = '';
  let choices: Choice[] = [];
  const fill = (): void => {
    choices = [...fromFile, ...builtIn, ...trained];
    const group = (title: string, from: number, items: Choice[]): HTMLOptGroupElement =>
      el('optgroup', { label: title }, ...items.map((c, k) => el('option', { value: String(from + k) }, label(c.w))));
    const demoCount = demo.length;
    select.replaceChildren(
      ...(fromFile.length > 0 ? [group(fileName, 0, fromFile)] : []),
      group('demo checkpoint', fromFile.length, builtIn.slice(0, demoCount)),
      group('generated', fromFile.length + demoCount, builtIn.slice(demoCount)),
      ...(trained.length > 0
        ? [group('trained demo CNN, dense (before pruning)', fromFile.length + builtIn.length, trained)]
        : []),
    );
    select.value = '0';
    results.weightChoices = choices.map((c) => label(c.w));
  };
  fill();
  select.onchange = () => onPick(choices[Number(select.value)]!);
  const nmInput = el('input', { value: nm, size: '5', title: "an 'N:M' pattern shown beside the 2:4 masks" });
  nmInput.onchange = () => {
    nm = nmInput.value.trim();
    onPick(choices[Number(select.value)]!);
  };

  const fileError = el('div', { id: 'file-error', role: 'alert', style: 'color: #a00' });
  const fileNote = el('div', { id: 'file-note', class: 'note' });
  const refuse = (message: string): void => {
    const text = `${message} The weight shown is unchanged.`;
    fileError.textContent = text;
    results.fileError = text;
  };
  const readFile = async (file: File): Promise<void> => {
    let found: FileWeights;
    try {
      if (file.size > MAX_FILE_BYTES) throw new Error(`${file.size} bytes is more than the page reads (512 MiB)`);
      found = weightsFromFile(file.name, new Uint8Array(await file.arrayBuffer()));
    } catch (err) {
      refuse(`Could not read ${file.name}: ${(err as Error).message}.`);
      return;
    }
    fileError.textContent = '';
    results.fileError = null;
    fileName = file.name;
    fromFile = found.weights.map((w) => ({ w, source: `file ${file.name}` }));
    fileNote.textContent =
      `${file.name}: ${found.weights.length} usable weight(s), the first shown` +
      (found.weights.length > 1 ? '; pick another in the list above.' : '.') +
      (found.skipped.length > 0 ? ` Not offered: ${found.skipped.join('; ')}.` : '');
    fill();
    onPick(choices[0]!);
  };
  const take = (files: FileList | null | undefined): void => {
    const file = files?.[0];
    if (file === undefined) refuse('Nothing to read: drop a file (not text or a link).');
    else void readFile(file);
  };

  const input = el('input', { type: 'file', id: 'file-input', accept: '.safetensors,.npy,.onnx' });
  input.onchange = () => {
    take(input.files);
    input.value = ''; // choosing the same file again reads it again
  };
  const drop = el(
    'div',
    { id: 'drop' },
    'Drop a .safetensors, .npy or .onnx file here to look at its weights, or choose one: ',
    input,
  );
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add('over');
  };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    take(e.dataTransfer?.files);
  };
  const element = el('div', {}, el('label', {}, 'weight: ', select), ' N:M: ', nmInput, drop, fileError, fileNote);
  const addTrained = (weights: LabWeight[]): void => {
    const shown = choices[Number(select.value)];
    trained = weights.map((w) => ({ w, source: 'trained demo model (dense)' }));
    fill();
    select.value = String(Math.max(0, choices.indexOf(shown!)));
  };
  return { element, addTrained };
}

async function postResults(r: LabResults): Promise<void> {
  await fetch('/results', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(r) });
}

let weightPicker: ReturnType<typeof picker> | null = null;

async function run(): Promise<void> {
  warmPermutationWorker();
  const weights = await demoWeights();
  const view = el('div', { id: 'weight-view' });
  const onPick = (c: Choice): void => {
    showWeight(c, results).then(
      () => {
        if (results.done) setStatus('done');
      },
      (e: unknown) => setStatus(`error: ${(e as Error).message}`),
    );
  };
  weightPicker = picker(weights, onPick);
  byId('weight').replaceChildren(weightPicker.element, view);
  await showWeight({ w: weights[0]!, source: 'demo checkpoint' }, results);

  if (benchOn) await bench();
  else byId('bench').replaceChildren(el('p', { class: 'note' }, 'Skipped: the page was opened with ?bench=off.'));
  results.canvasColours = [...document.querySelectorAll('canvas')].map((c) => distinctColours(c));
}

async function bench(): Promise<void> {
  setStatus('benchmarking the backends');
  await nextFrame();
  setStatus('loading the trained demo model (the server trains it on first use, a few seconds)');
  const demo = await loadDemoModel();
  weightPicker?.addTrained(demo.denseWeights);
  results.demoModel = {
    testImages: demo.labels.length,
    masksHold: demo.masksHold,
    sparseLayers: [...demo.facts.sparseLayers],
    nodeBackend: demo.facts.backend,
    nodeCompressedAccuracy: demo.facts.compressedAccuracy,
  };
  const inputs = benchInputs(demo);
  const ref = referenceOutputs(inputs);
  const modes: ModeResult[] = [];
  results.benchShape = LAB_BENCH_SHAPE;
  for (const spec of LAB_MODES) {
    setStatus(`benchmarking ${spec.mode}`);
    await nextFrame();
    modes.push(await runMode(spec, inputs, ref));
    renderBench(byId('bench'), LAB_BENCH_SHAPE, modes, results.tolerance);
  }
  results.modes = modes;
}

run()
  .then(
    () => setStatus('done'),
    (e: unknown) => {
      results.error = (e as Error).stack ?? String(e);
      setStatus(`error: ${(e as Error).message}`);
    },
  )
  .finally(() => {
    results.done = true;
    postResults(results).catch(() => undefined);
  });
