/**
 * The lab's demo checkpoint: three small weights shaped like the demo CNN's layers, generated
 * deterministically (MT19937, seed 24) rather than trained, so the page loads instantly and shows the
 * same numbers everywhere. They are made to look like trained weights in the way that matters for
 * 2:4: input channels differ in scale (log-normal column norms), and in `classifier.fc1.weight` the
 * strong channels sit next to each other, so the default 2:4 mask throws away a lot of magnitude and
 * a channel permutation wins much of it back.
 */
import { serializeSafetensors } from '../../io/index.js';
import { MT19937 } from '../../tensor/random.js';

export const DEMO_SEED = 24;

function normals(g: MT19937, count: number): Float64Array {
  return Float64Array.from({ length: count }, () => g.nextGauss());
}

/** A [rows][cols] (times `inner` kernel positions) weight whose input channel c has a log-normal scale. */
function scaledWeight(g: MT19937, shape: number[], spread: number, clustered: boolean): Float32Array {
  const cols = shape[1]!;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const scales = Array.from(normals(g, cols), (z) => Math.exp(spread * z));
  if (clustered) scales.sort((a, b) => b - a);
  const z = normals(g, shape[0]! * cols * inner);
  const w = new Float32Array(z.length);
  for (let i = 0; i < w.length; i++) w[i] = (0.1 * z[i]! * scales[Math.floor(i / inner) % cols]!) / Math.sqrt(cols);
  return w;
}

/** The demo weights by PyTorch-style name, each with its shape. */
export function demoWeights(): Map<string, { shape: number[]; data: Float32Array }> {
  const g = new MT19937(DEMO_SEED);
  const specs: [string, number[], number, boolean][] = [
    ['classifier.fc1.weight', [64, 128], 0.9, true],
    ['features.conv2.weight', [32, 16, 3, 3], 0.6, false],
    ['classifier.fc2.weight', [16, 64], 0.5, false],
  ];
  return new Map(
    specs.map(([name, shape, spread, clustered]) => [name, { shape, data: scaledWeight(g, shape, spread, clustered) }]),
  );
}

/** The demo checkpoint as safetensors bytes, served at /demo.safetensors. */
export function demoCheckpoint(): Uint8Array {
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, w] of demoWeights()) tensors[name] = { dtype: 'F32', ...w };
  return serializeSafetensors(tensors, {
    source: `sparse24 lab demo weights (MT19937 seed ${DEMO_SEED}, not trained)`,
  });
}
