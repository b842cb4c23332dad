import seedrandom from 'seedrandom';
import { DrawInputError, HEX64, TWO_POW_53 } from './constants.js';

/**
 * The only thing ILD-1 needs from a random generator: `int32()` returning the next 4 output bytes
 * as a signed 32-bit integer (seedrandom's `prng.int32()`). Tests may inject their own source.
 */
export interface Int32Source {
  int32(): number;
}

const TWO_POW_32 = 4294967296;

/**
 * A uniform integer in [0, M) for 1 <= M <= 2^53, by rejection sampling on 53-bit values:
 * a = int32()>>>0, b = int32()>>>0, x = (a mod 2^21)*2^32 + b; reject (draw a new pair) while
 * x >= 2^53 - (2^53 mod M); the result is x mod M. All arithmetic is exact in doubles.
 */
export function uniformBelow(rng: Int32Source, M: number): number {
  if (!Number.isInteger(M) || M < 1 || M > TWO_POW_53) {
    throw new DrawInputError(`uniformBelow: M must be an integer in [1, 2^53], got ${M}`);
  }
  const limit = TWO_POW_53 - (TWO_POW_53 % M);
  for (;;) {
    const a = rng.int32() >>> 0;
    const b = rng.int32() >>> 0;
    const x = (a & 0x1fffff) * TWO_POW_32 + b;
    if (x < limit) return x % M;
  }
}

/**
 * The ILD-1 random stream for a seed: `seedrandom(seed)` with its default ARC4 generator
 * (ARC4 keyed by the seed string's bytes, first 256 output bytes discarded).
 */
export function createDrawRng(seed: string): Int32Source {
  if (!HEX64.test(seed)) throw new DrawInputError('seed must be 64 lowercase hex chars');
  return seedrandom(seed);
}
