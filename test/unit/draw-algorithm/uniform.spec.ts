import seedrandom from 'seedrandom';
import { createDrawRng, uniformBelow, type Int32Source } from '../../../src/draws/algorithm/index.js';

/** An Int32Source that replays the given uint32 values (as seedrandom would return them: signed). */
function replay(values: number[]): Int32Source & { used: number } {
  const src = {
    used: 0,
    int32(): number {
      if (src.used >= values.length) throw new Error('replay exhausted');
      return values[src.used++] | 0;
    },
  };
  return src;
}

/**
 * Independent re-implementation of seedrandom's default generator exactly as docs/draw-algorithm.md
 * describes it (key = mixkey(seed), ARC4 key schedule, drop 256 bytes, int32 = 4 bytes big-endian).
 */
function documentedArc4(seed: string): Int32Source {
  const key: number[] = [];
  let smear = 0;
  for (let j = 0; j < seed.length; j++) {
    const k = j & 255;
    smear ^= (key[k] ?? 0) * 19;
    key[k] = (smear + seed.charCodeAt(j)) & 255;
  }
  if (key.length === 0) key.push(0);
  const S = Array.from({ length: 256 }, (_, i) => i);
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + key[i % key.length] + S[i]) & 255;
    [S[i], S[j]] = [S[j], S[i]];
  }
  let i = 0;
  j = 0;
  const nextByte = (): number => {
    i = (i + 1) & 255;
    j = (j + S[i]) & 255;
    [S[i], S[j]] = [S[j], S[i]];
    return S[(S[i] + S[j]) & 255];
  };
  for (let k = 0; k < 256; k++) nextByte();
  return {
    int32: () => ((nextByte() << 24) | (nextByte() << 16) | (nextByte() << 8) | nextByte()) | 0,
  };
}

describe('uniformBelow', () => {
  test('accepts x below the limit and returns x mod M, ignoring the top 11 bits of a', () => {
    const src = replay([0, 7]);
    expect(uniformBelow(src, 3)).toBe(1);
    expect(src.used).toBe(2);
    expect(uniformBelow(replay([0xffe00000, 5]), 1000)).toBe(5);
    // a's low 21 bits are the high bits of x.
    expect(uniformBelow(replay([1, 0]), 2 ** 53)).toBe(2 ** 32);
    expect(uniformBelow(replay([0x1fffff, 0xffffffff]), 2 ** 53)).toBe(2 ** 53 - 1);
  });

  test('rejection path: x >= 2^53 - (2^53 mod M) draws a new pair', () => {
    // M = 3: 2^53 mod 3 = 2, limit = 2^53 - 2; x = 2^53 - 1 and 2^53 - 2 are rejected.
    const src = replay([0x1fffff, 0xffffffff, 0x1fffff, 0xfffffffe, 0, 8]);
    expect(uniformBelow(src, 3)).toBe(2);
    expect(src.used).toBe(6);
    // x = 2^53 - 3 = limit - 1 is accepted: (2^53 - 3) mod 3 = 2.
    expect(uniformBelow(replay([0x1fffff, 0xfffffffd]), 3)).toBe(2);
    // M = 2^52 + 1: 2^53 mod M = 2^52 - 1, so limit = M and every x >= M (almost half) is rejected.
    const M = 2 ** 52 + 1;
    const limit = 2 ** 53 - (2 ** 53 % M);
    expect(limit).toBe(M);
    const a = Math.floor(limit / 2 ** 32) & 0x1fffff;
    const b = limit % 2 ** 32;
    const src2 = replay([a, b, 0, 42]);
    expect(uniformBelow(src2, M)).toBe(42);
    expect(src2.used).toBe(4);
    const src3 = replay([a, b - 1]);
    expect(uniformBelow(src3, M)).toBe((limit - 1) % M);
  });

  test('M = 1 always gives 0; M = 2^53 never rejects', () => {
    expect(uniformBelow(replay([0x1fffff, 0xffffffff]), 1)).toBe(0);
    expect(uniformBelow(replay([0x1fffff, 0xffffffff]), 2 ** 53)).toBe(2 ** 53 - 1);
  });

  test('refuses M outside [1, 2^53] and non-integers', () => {
    const src = replay([]);
    expect(() => uniformBelow(src, 0)).toThrow();
    expect(() => uniformBelow(src, 2 ** 53 + 2)).toThrow();
    expect(() => uniformBelow(src, 2.5)).toThrow();
    expect(() => uniformBelow(src, Number.NaN)).toThrow();
  });

  test('the documented ARC4 stream equals seedrandom for ILD-1 seeds and other strings', () => {
    for (const seed of ['13ddcf875bc617f3ec094f0d9c878580a2b809be1af98f5cc4206915fd67ab52', 'hello', 'x'.repeat(300), '']) {
      const a = seedrandom(seed);
      const b = documentedArc4(seed);
      for (let k = 0; k < 2000; k++) expect(b.int32()).toBe(a.int32());
    }
  });

  test('createDrawRng is seedrandom(seed) and only accepts 64-hex seeds', () => {
    const seed = 'ab'.repeat(32);
    const a = createDrawRng(seed);
    const b = seedrandom(seed);
    for (let k = 0; k < 10; k++) expect(a.int32()).toBe(b.int32());
    expect(() => createDrawRng('xyz')).toThrow();
  });
});
