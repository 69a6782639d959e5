import { ValueError } from './errors.js';

/**
 * MT19937, the Mersenne Twister, seeded and sampled the way NumPy's legacy `RandomState` does it,
 * so `manualSeed(1); randArray(3)` reproduces `np.random.seed(1); np.random.rand(3)` bit for bit.
 */
export class MT19937 {
  private readonly mt = new Uint32Array(624);
  private mti = 625;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** NumPy's `init_genrand`: the integer-seed path of `np.random.seed(s)`. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ValueError(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev mod 2^32, split to stay exact in doubles.
      mt[i] = ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
    this.mti = 624;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next raw 32-bit output. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) with 53 random bits (NumPy's `random_standard_uniform`). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A standard normal sample by the polar method, caching the second value (NumPy's legacy `gauss`). */
  nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * An integer in [low, high) by masked rejection sampling, as NumPy's legacy `randint` does for
   * ranges below 2^32.
   */
  nextInt(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new ValueError(`randint needs integers low < high, got low=${low}, high=${high}`);
    }
    const range = high - low - 1;
    if (range > 0xffffffff) throw new ValueError(`randint range ${range + 1} exceeds 2^32`);
    if (range === 0) return low;
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do {
      v = (this.nextUint32() & mask) >>> 0;
    } while (v > range);
    return low + v;
  }
}

let globalGenerator = new MT19937(5489);

/** Seeds the global generator, like `torch.manual_seed` (the sequence is NumPy's legacy one). */
export function manualSeed(seed: number): void {
  globalGenerator = new MT19937(seed);
}

/** The generator that creation functions use unless one is passed. */
export function defaultGenerator(): MT19937 {
  return globalGenerator;
}
