/// <reference lib="dom" />
/**
 * The lab page: loads the demo weight, draws it and its masks, runs the permutation search in a
 * worker, explains one compressed block and benchmarks the backends, then publishes everything as
 * `window.sparse24Results` and posts it to the server. A new weight (the picker or a dropped file)
 * redraws sections 1-4.
 */
import { benchInputs, LAB_BENCH_SHAPE, LAB_MODES, referenceOutputs, runMode, type ModeResult } from './bench.js';
import { renderBench } from './bench_view.js';
import { loadDemoModel } from './demo_model.js';
import { renderBlock } from './block_view.js';
import { byId, el, nextFrame } from './dom.js';
import { distinctColours } from './heatmap.js';
import { renderMasks, renderWeight } from './masks_view.js';
import { runPermutation } from './permute_view.js';
import { emptyResults, type LabResults } from './results.js';
import { type LabWeight, demoWeights, plantedTiesWeight, randomWeight, weightsFromFile } from './weights.js';

const status = byId('status');
const results = emptyResults();
let nm = '4:8';

function setStatus(text: string): void {
  status.textContent = text;
}

async function showWeight(w: LabWeight, r: LabResults): Promise<void> {
  r.weight = { name: w.name, shape: [...w.shape] };
  renderWeight(byId('weight-view'), w);
  r.masks = renderMasks(byId('masks'), w, nm).map((s) => ({
    pattern: s.pattern,
    keptFraction: s.keptFraction,
    violations: s.violations.length,
    error: s.error,
  }));
  r.block = renderBlock(byId('block'), w);
  await nextFrame();
  setStatus('searching a channel permutation');
  const { permutation: _p, ...outcome } = await runPermutation(byId('permute'), w, 5);
  r.permutation = outcome;
}

function picker(weights: LabWeight[], onPick: (w: LabWeight) => void): HTMLElement {
  const select = el('select', {});
  const options = [...weights, randomWeight(32, 64, 1), plantedTiesWeight(32, 64)];
  options.forEach((w, k) => select.append(el('option', { value: String(k) }, `${w.name} [${w.shape.join(', ')}]`)));
  select.onchange = () => onPick(options[Number(select.value)]!);
  const nmInput = el('input', { value: nm, size: '5', title: "an 'N:M' pattern shown beside the 2:4 masks" });
  nmInput.onchange = () => {
    nm = nmInput.value.trim();
    onPick(options[Number(select.value)]!);
  };
  const drop = el('div', { id: 'drop' }, 'Drop a .safetensors, .npy or .onnx file here to look at its weights.');
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add('over');
  };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file === undefined) return;
    void file.arrayBuffer().then((buf) => {
      try {
        const found = weightsFromFile(file.name, new Uint8Array(buf));
        select.replaceChildren();
        options.splice(0, options.length, ...found);
        found.forEach((w, k) => select.append(el('option', { value: String(k) }, `${w.name} [${w.shape.join(', ')}]`)));
        onPick(found[0]!);
      } catch (err) {
        drop.textContent = `could not read ${file.name}: ${(err as Error).message}`;
      }
    });
  };
  return el('div', {}, el('label', {}, 'weight: ', select), ' N:M: ', nmInput, drop);
}

async function postResults(r: LabResults): Promise<void> {
  await fetch('/results', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(r) });
}

async function run(): Promise<void> {
  const weights = await demoWeights();
  const view = el('div', { id: 'weight-view' });
  const onPick = (w: LabWeight): void => {
    showWeight(w, results).then(
      () => setStatus('done'),
      (e: unknown) => setStatus(`error: ${(e as Error).message}`),
    );
  };
  byId('weight').replaceChildren(picker(weights, onPick), view);
  await showWeight(weights[0]!, results);

  setStatus('benchmarking the backends');
  await nextFrame();
  setStatus('loading the trained demo model (the server trains it on first use, a few seconds)');
  const demo = await loadDemoModel();
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
  results.canvasColours = [...document.querySelectorAll('canvas')].map((c) => distinctColours(c));
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
