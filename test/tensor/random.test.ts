import { describe, expect, it } from 'vitest';
import { MT19937, ValueError, manualSeed, rand, randDoubles, randint, randn } from '../../src/tensor/index.js';

/*
 * Golden values from NumPy's legacy RandomState (the generator np.random.seed drives). Each array
 * carries the one-liner that produced it; run with /usr/bin/python3 (Debian's python3-numpy).
 */

function doublesAfter(seed: number, skip: number, count: number): number[] {
  const g = new MT19937(seed);
  randDoubles(skip, g);
  return Array.from(randDoubles(count, g));
}

describe('MT19937 against NumPy legacy', () => {
  it('reproduces rand for seed 1 exactly', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.rand(5).tolist()))"
    expect(doublesAfter(1, 0, 5)).toEqual([
      0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977, 0.14675589081711304,
    ]);
  });

  it('stays exact across the 624-word state regeneration (doubles 310..314)', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.rand(315)[310:].tolist()))"
    expect(doublesAfter(1, 310, 5)).toEqual([
      0.9163055534683507, 0.9096355249515571, 0.2571182937821962, 0.1108913007440292, 0.19296273201911285,
    ]);
  });

  it('stays exact far into the stream (doubles 1000..1004)', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.rand(1005)[1000:].tolist()))"
    expect(doublesAfter(1, 1000, 5)).toEqual([
      0.3258099666132048, 0.889827341447375, 0.7517077209192669, 0.7626320954451107, 0.46947902855992574,
    ]);
  });

  it('seeds 0, 42 and 2**32-1 as NumPy does', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(0); print(repr(np.random.rand(3).tolist()))"
    expect(doublesAfter(0, 0, 3)).toEqual([0.5488135039273248, 0.7151893663724195, 0.6027633760716439]);
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(42); print(repr(np.random.rand(3).tolist()))"
    expect(doublesAfter(42, 0, 3)).toEqual([0.3745401188473625, 0.9507143064099162, 0.7319939418114051]);
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(2**32-1); print(repr(np.random.rand(3).tolist()))"
    expect(doublesAfter(2 ** 32 - 1, 0, 3)).toEqual([0.0976320289940138, 0.9123828453026218, 0.78903530185164]);
  });

  it('produces the reference first word for the default seed 5489', () => {
    // eslint-disable-next-line @stylistic/max-len -- a command to paste
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(5489); print(np.random.randint(0, 2**32, dtype=np.uint64))"
    expect(new MT19937(5489).nextUint32()).toBe(3499211612);
    expect(new MT19937().nextUint32()).toBe(3499211612);
  });

  it('reproduces the randn sequence (polar method with cached second value)', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.randn(7).tolist()))"
    const want = [
      1.6243453636632417, -0.6117564136500754, -0.5281717522634557, -1.0729686221561705, 0.8654076293246785,
      -2.3015386968802827, 1.74481176421648,
    ];
    const g = new MT19937(1);
    const got = want.map(() => g.nextGauss());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14));
    manualSeed(1);
    expect(Array.from(randn([7]).data)).toEqual(want.map(Math.fround));
  });

  it('reproduces randint for small and offset ranges', () => {
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.randint(0, 10, 20).tolist()))"
    manualSeed(1);
    expect(Array.from(randint(0, 10, [20]).data)).toEqual([5, 8, 9, 5, 0, 0, 1, 7, 6, 9, 2, 4, 5, 2, 4, 2, 4, 7, 7, 9]);
    // eslint-disable-next-line @stylistic/max-len -- a command to paste
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); print(repr(np.random.randint(-5, 1000, 20).tolist()))"
    const g = new MT19937(1);
    expect(Array.from(randint(-5, 1000, [4, 5], { generator: g }).data)).toEqual([
      32, 230, 903, 67, 762, 900, 710, 640, 842, 955, 139, 124, 967, 578, 744, 503, 385, 276, 173, 271,
    ]);
  });
});

describe('seeding and creation functions', () => {
  it('manualSeed makes rand reproduce np.random.rand rounded to float32', () => {
    manualSeed(1);
    const t = rand([2, 2]);
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual(
      [0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977].map(Math.fround),
    );
    manualSeed(1);
    expect(Array.from(rand([4]).data)).toEqual(Array.from(t.data));
  });

  it('re-seeding a generator resets the gaussian cache', () => {
    const g = new MT19937(1);
    g.nextGauss(); // leaves the second value cached
    g.seed(1);
    expect(g.nextGauss()).toBeCloseTo(1.6243453636632417, 14);
  });

  it('separate generators do not share state', () => {
    const a = new MT19937(7);
    const b = new MT19937(7);
    a.nextDouble();
    expect(b.nextDouble()).not.toBe(a.nextDouble());
  });

  it('rejects bad seeds and ranges', () => {
    expect(() => new MT19937(-1)).toThrow(ValueError);
    expect(() => new MT19937(2 ** 32)).toThrow(ValueError);
    expect(() => manualSeed(1.5)).toThrow(ValueError);
    expect(() => new MT19937(1).nextInt(3, 3)).toThrow(ValueError);
    expect(() => randint(0, 1.5, [2])).toThrow(ValueError);
  });

  it('randint with a one-value range returns it without consuming the stream', () => {
    // eslint-disable-next-line @stylistic/max-len -- a command to paste
    // /usr/bin/python3 -c "import numpy as np; np.random.seed(1); np.random.randint(4,5); print(repr(np.random.rand()))"
    const g = new MT19937(1);
    expect(g.nextInt(4, 5)).toBe(4);
    expect(g.nextDouble()).toBe(0.417022004702574);
  });
});
