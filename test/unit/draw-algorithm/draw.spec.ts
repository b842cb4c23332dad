import seedrandom from 'seedrandom';
import {
  EntryTable,
  runDraw,
  uniformBelow,
  type DrawResult,
  type DrawTier,
  type Entry,
} from '../../../src/draws/algorithm/index.js';
import { randomEntries, sha256 } from './helpers.js';

const tier = (t: number, count: number): DrawTier => ({ tier: t, name: `T${t}`, count, prizeCents: 100 * t });
const ref = (i: number): string => i.toString(16).padStart(64, '0');
const holder = (i: number): string => i.toString(16).padStart(16, '0');
const SEED = sha256('draw.spec');

/** Naive O(N*K) reference implementation of ILD-1 selection, written from the spec. */
function naiveDraw(entries: readonly Entry[], tiers: readonly DrawTier[], winLimit: number, alternateCount: number, seed: string): DrawResult {
  const rng = seedrandom(seed);
  const alive = entries.map(() => true);
  const wins = new Map<string, number>();
  const pick = (): Entry | null => {
    let total = 0;
    entries.forEach((e, i) => {
      if (alive[i]) total += e.tickets;
    });
    if (total === 0) return null;
    const r = uniformBelow(rng, total);
    let run = 0;
    for (let i = 0; i < entries.length; i++) {
      if (!alive[i]) continue;
      run += entries[i].tickets;
      if (run > r) {
        alive[i] = false;
        const w = (wins.get(entries[i].holder) ?? 0) + 1;
        wins.set(entries[i].holder, w);
        if (winLimit > 0 && w >= winLimit) entries.forEach((e, j) => e.holder === entries[i].holder && (alive[j] = false));
        return entries[i];
      }
    }
    throw new Error('unreachable');
  };
  const result: DrawResult = { winners: [], alternates: [] };
  let done = false;
  for (const t of tiers) {
    for (let slot = 1; slot <= t.count && !done; slot++) {
      const e = pick();
      if (e === null) done = true;
      else result.winners.push({ tier: t.tier, slot, ...e });
    }
  }
  for (let rank = 1; rank <= alternateCount && !done; rank++) {
    const e = pick();
    if (e === null) done = true;
    else result.alternates.push({ rank, ...e });
  }
  return result;
}

describe('runDraw', () => {
  test('a single entry wins the first prize; the rest stay unfilled', () => {
    const table = EntryTable.fromEntries([{ ref: ref(1), holder: holder(1), tickets: 3 }]);
    const r = runDraw({ drawId: 'd1', table, tiers: [tier(1, 2), tier(2, 1)], winLimitPerHolder: 1, alternateCount: 2, seed: SEED });
    expect(r.winners).toEqual([{ tier: 1, slot: 1, ref: ref(1), holder: holder(1), tickets: 3 }]);
    expect(r.alternates).toEqual([]);
  });

  test('no entries: nothing is filled', () => {
    const table = EntryTable.fromEntries([]);
    expect(runDraw({ drawId: 'd1', table, tiers: [tier(1, 3)], winLimitPerHolder: 1, alternateCount: 5, seed: SEED })).toEqual({
      winners: [],
      alternates: [],
    });
  });

  test('win limit 1 removes all of a holder\'s entries after one win', () => {
    // Holder A has 3 entries, B and C one each: with limit 1 at most 3 picks can be filled.
    const entries = [
      { ref: ref(1), holder: holder(0xa), tickets: 100 },
      { ref: ref(2), holder: holder(0xb), tickets: 1 },
      { ref: ref(3), holder: holder(0xa), tickets: 100 },
      { ref: ref(4), holder: holder(0xc), tickets: 1 },
      { ref: ref(5), holder: holder(0xa), tickets: 100 },
    ];
    const table = EntryTable.fromEntries(entries);
    for (let s = 0; s < 30; s++) {
      const r = runDraw({ drawId: 'd', table, tiers: [tier(1, 2), tier(2, 2)], winLimitPerHolder: 1, alternateCount: 3, seed: sha256(`wl1-${s}`) });
      const all = [...r.winners, ...r.alternates];
      expect(all).toHaveLength(3);
      expect(new Set(all.map((w) => w.holder)).size).toBe(3);
      expect(all.filter((w) => w.holder === holder(0xa))).toHaveLength(1);
      // All three picks are filled in order: 2 prizes of tier 1, then the first of tier 2.
      expect(r.winners.map((w) => [w.tier, w.slot])).toEqual([
        [1, 1],
        [1, 2],
        [2, 1],
      ]);
      expect(r.alternates).toEqual([]);
    }
  });

  test('win limit 2 allows exactly two wins per holder', () => {
    const entries = [1, 2, 3, 4, 5, 6].map((i) => ({ ref: ref(i), holder: holder(i <= 4 ? 0xa : 0xb), tickets: 10 }));
    const table = EntryTable.fromEntries(entries);
    const r = runDraw({ drawId: 'd', table, tiers: [tier(1, 10)], winLimitPerHolder: 2, alternateCount: 0, seed: SEED });
    expect(r.winners).toHaveLength(4);
    expect(r.winners.filter((w) => w.holder === holder(0xa))).toHaveLength(2);
    expect(r.winners.filter((w) => w.holder === holder(0xb))).toHaveLength(2);
  });

  test('win limit 0 means no limit: every entry can win', () => {
    const entries = [1, 2, 3, 4, 5].map((i) => ({ ref: ref(i), holder: holder(7), tickets: i }));
    const table = EntryTable.fromEntries(entries);
    const r = runDraw({ drawId: 'd', table, tiers: [tier(1, 3)], winLimitPerHolder: 0, alternateCount: 4, seed: SEED });
    expect(r.winners).toHaveLength(3);
    expect(r.alternates).toHaveLength(2); // tickets ran out after 5 picks
    expect(r.alternates.map((a) => a.rank)).toEqual([1, 2]);
    expect(new Set([...r.winners, ...r.alternates].map((w) => w.ref)).size).toBe(5);
  });

  test('default win limit is 1', () => {
    const entries = [1, 2, 3].map((i) => ({ ref: ref(i), holder: holder(7), tickets: i }));
    const r = runDraw({ drawId: 'd', table: EntryTable.fromEntries(entries), tiers: [tier(1, 3)], alternateCount: 0, seed: SEED });
    expect(r.winners).toHaveLength(1);
  });

  test('tiers are drawn in the published order, not sorted by number', () => {
    const entries = [1, 2, 3, 4].map((i) => ({ ref: ref(i), holder: holder(i), tickets: 1 }));
    const r = runDraw({ drawId: 'd', table: EntryTable.fromEntries(entries), tiers: [tier(3, 1), tier(1, 2)], winLimitPerHolder: 1, alternateCount: 1, seed: SEED });
    expect(r.winners.map((w) => [w.tier, w.slot])).toEqual([
      [3, 1],
      [1, 1],
      [1, 2],
    ]);
    expect(r.alternates).toHaveLength(1);
  });

  test('rejects bad parameters', () => {
    const table = EntryTable.fromEntries([{ ref: ref(1), holder: holder(1), tickets: 1 }]);
    const base = { drawId: 'd', table, tiers: [tier(1, 1)], winLimitPerHolder: 1, alternateCount: 0, seed: SEED };
    expect(() => runDraw({ ...base, seed: 'abc' })).toThrow(/seed/);
    expect(() => runDraw({ ...base, tiers: [tier(1, 1), tier(1, 2)] })).toThrow(/repeated/);
    expect(() => runDraw({ ...base, tiers: [{ ...tier(1, 1), count: -1 }] })).toThrow(/count/);
    expect(() => runDraw({ ...base, winLimitPerHolder: -1 })).toThrow(/winLimitPerHolder/);
    expect(() => runDraw({ ...base, alternateCount: 1.5 })).toThrow(/alternateCount/);
    expect(() => runDraw({ ...base, drawId: '' })).toThrow(/drawId/);
  });

  test('Fenwick draw equals a naive O(N*K) reference on random small inputs', () => {
    const gen = seedrandom('naive-vs-fenwick');
    for (let c = 0; c < 300; c++) {
      const n = Math.floor(gen() * 40);
      const big = c % 10 === 0; // some cases with huge ticket counts (exactness near 2^53)
      const entries = randomEntries(`case-${c}`, n, 1 + Math.floor(gen() * 12), big ? 2 ** 47 : 1 + Math.floor(gen() * 60));
      const tiers = Array.from({ length: 1 + Math.floor(gen() * 3) }, (_, i) => tier(i + 1, Math.floor(gen() * 6)));
      const winLimit = Math.floor(gen() * 4);
      const alternateCount = Math.floor(gen() * 6);
      const seed = sha256(`seed-${c}`);
      const table = EntryTable.fromEntries(entries);
      const got = runDraw({ drawId: `d${c}`, table, tiers, winLimitPerHolder: winLimit, alternateCount, seed });
      expect(got).toEqual(naiveDraw(entries, tiers, winLimit, alternateCount, seed));
    }
  });

  test('win frequencies match tickets/total (chi-square, 20,000 draws, df=7, p=0.001 critical 24.32)', () => {
    const tickets = [1, 2, 3, 5, 8, 13, 21, 47];
    const total = tickets.reduce((a, b) => a + b, 0);
    const entries = tickets.map((t, i) => ({ ref: ref(i + 1), holder: holder(i + 1), tickets: t }));
    const table = EntryTable.fromEntries(entries);
    const draws = 20_000;
    const counts = new Array<number>(tickets.length).fill(0);
    for (let s = 0; s < draws; s++) {
      const r = runDraw({ drawId: 'chi', table, tiers: [tier(1, 1)], winLimitPerHolder: 1, alternateCount: 0, seed: sha256(`chi-square ${s}`) });
      counts[Number.parseInt(r.winners[0].ref, 16) - 1]++;
    }
    const chi2 = (expected: number[]): number => counts.reduce((acc, o, i) => acc + (o - expected[i]) ** 2 / expected[i], 0);
    const weighted = chi2(tickets.map((t) => (draws * t) / total));
    expect(weighted).toBeLessThan(24.32);
    // Power check: the same counts are far from a uniform (ticket-blind) distribution.
    expect(chi2(tickets.map(() => draws / tickets.length))).toBeGreaterThan(1000);
  });
});
