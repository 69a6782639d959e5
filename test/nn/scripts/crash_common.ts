/** The training state the crash tests save and compare: a small model, Adam and StepLR, all seeded. */
import { Adam, Linear, ReLU, Sequential, StepLR } from '../../../src/nn/index.js';
import { Tensor, manualSeed } from '../../../src/tensor/index.js';

export interface TrainingState {
  model: Sequential;
  optimizer: Adam;
  scheduler: StepLR;
}

export function freshState(seed: number): TrainingState {
  manualSeed(seed);
  const model = new Sequential(new Linear(16, 8), new ReLU(), new Linear(8, 4));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  return { model, optimizer, scheduler: new StepLR(optimizer, 1, 0.5) };
}

/** One optimizer and scheduler step with made-up gradients (deterministic in `k`). */
export function step(s: TrainingState, k: number): void {
  for (const p of s.model.parameters())
    p.grad = new Tensor(
      p.data.map((_, i) => Math.sin(i + 7 * k)),
      p.shape,
    );
  s.optimizer.step();
  s.scheduler.step();
}

/** Everything a resume depends on, as JSON-comparable data. */
export function fingerprint(s: TrainingState): unknown {
  const model = [...s.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)]);
  const sd = s.optimizer.stateDict();
  const state = Object.entries(sd.state).map(([i, st]) => [
    i,
    Object.entries(st).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v.data)]),
  ]);
  return { model, state, groups: sd.paramGroups, scheduler: s.scheduler.stateDict() };
}
