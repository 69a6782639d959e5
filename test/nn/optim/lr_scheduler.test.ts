import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  LRScheduler,
  LinearLR,
  OneCycleLR,
  type OneCycleOptions,
  Parameter,
  SGD,
  StepLR,
} from '../../../src/nn/index.js';
import { ValueError, fromArray } from '../../../src/tensor/index.js';

interface SchedFixture {
  runs: { scheduler: string; args: Record<string, number | boolean | string>; lrs: number[]; momentums: number[] }[];
}

const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/nn/sched.json', import.meta.url)), 'utf8'),
) as SchedFixture;

function setup(): SGD {
  return new SGD([new Parameter(fromArray([0]))], { lr: 0.5, momentum: 0.9 });
}

function make(run: SchedFixture['runs'][number], opt: SGD): LRScheduler {
  const a = run.args;
  switch (run.scheduler) {
    case 'StepLR':
      return new StepLR(opt, a['stepSize'] as number, a['gamma'] as number);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, a['tMax'] as number, a['etaMin'] as number);
    case 'LinearLR':
      return new LinearLR(opt, a['startFactor'] as number, a['endFactor'] as number, a['totalIters'] as number);
    case 'OneCycleLR':
      return new OneCycleLR(opt, a as unknown as OneCycleOptions);
    default:
      throw new Error(`no scheduler ${run.scheduler}`);
  }
}

describe('LR schedulers against torch 1.13', () => {
  for (const run of fx.runs) {
    it(`${run.scheduler} ${JSON.stringify(run.args)}`, () => {
      const opt = setup();
      const s = make(run, opt);
      const lrs = [s.getLastLr()[0]!];
      const moms = [opt.paramGroups[0]!.momentum];
      for (let i = 1; i < run.lrs.length; i++) {
        opt.step();
        s.step();
        lrs.push(s.getLastLr()[0]!);
        moms.push(opt.paramGroups[0]!.momentum);
      }
      lrs.forEach((lr, i) => expect(lr, `lr at step ${i}`).toBeCloseTo(run.lrs[i]!, 12));
      moms.forEach((m, i) => expect(m, `momentum at step ${i}`).toBeCloseTo(run.momentums[i]!, 12));
      expect(opt.paramGroups[0]!.lr).toBe(lrs[lrs.length - 1]);
    });
  }

  it('state dict round trip resumes the same sequence', () => {
    const optA = setup();
    const a = new CosineAnnealingLR(optA, 7, 0.001);
    for (let i = 0; i < 3; i++) a.step();
    const sd = { opt: optA.stateDict(), sched: a.stateDict() };
    const optB = setup();
    const b = new CosineAnnealingLR(optB, 7, 0.001);
    optB.loadStateDict(sd.opt);
    b.loadStateDict(sd.sched);
    for (let i = 0; i < 5; i++) {
      a.step();
      b.step();
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
    expect(b.lastEpoch).toBe(8);
  });

  it('OneCycleLR refuses to step past totalSteps and checks maxLr per group', () => {
    const opt = setup();
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow(/stepped 3 times, more than totalSteps = 2/);
    expect(() => new OneCycleLR(setup(), { maxLr: [1, 2], totalSteps: 3 })).toThrow(ValueError);
  });

  it('per-group base lrs scale independently', () => {
    const opt = new SGD(
      [{ params: [new Parameter(fromArray([0]))] }, { params: [new Parameter(fromArray([0]))], lr: 2 }],
      { lr: 1 },
    );
    const s = new StepLR(opt, 1, 0.5);
    s.step();
    expect(s.getLastLr()).toEqual([0.5, 1]);
    expect(s.baseLrs).toEqual([1, 2]);
  });
});
