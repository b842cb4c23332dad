import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  INSTANT_LOG_HEADER,
  InstantDay,
  buildInstantCommitment,
  hashInstantSecret,
  invoiceRef,
  publishInstantDay,
  readInstantLog,
  runInstantDay,
  validateInstantRules,
  verifyInstantDay,
  verifyBudgetReturns,
  type BudgetReturn,
  type InstantBand,
  type InstantDayRules,
} from '../../../src/draws/algorithm/index.js';

interface Vector {
  inputs: {
    campaignId: string;
    dayId: string;
    secret: string;
    bands: InstantBand[];
    returns: BudgetReturn[];
    entries: { invoiceNumber: string; ref: string; band: string }[];
  };
  expected: {
    secretHash: string;
    commitment: unknown;
    trace: { position: number; block0: string; a: number; b: number; x: number; r: number; drawnTier: number; outcome: number }[];
    log: string;
    logDigest: string;
    tally: { band: string; tier: number; budget: number; returned: number; won: number; left: number }[];
    bundle: Record<string, unknown>;
  };
}

const vector: Vector = JSON.parse(readFileSync(new URL('../../fixtures/ili1-vector.json', import.meta.url), 'utf8'));
const { inputs, expected } = vector;
const rules: InstantDayRules = { dayId: inputs.dayId, bands: inputs.bands, returns: inputs.returns };
const entries = inputs.entries.map(({ ref, band }) => ({ ref, band }));

/**
 * ILI-1 written again from docs/draw-algorithm.md part 2 alone (BigInt arithmetic, node:crypto, nothing
 * from the module under test), so the vector is checked by two implementations.
 */
function independentDay(r: InstantDayRules, secret: string, log: { ref: string; band: string }[]) {
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const M = 1_000_000n;
  const limit = 2n ** 53n - ((2n ** 53n) % M);
  const left = new Map<string, number>();
  for (const b of r.bands) for (const t of b.tiers) left.set(`${b.band}/${t.tier}`, t.budget);
  for (const ret of r.returns) left.set(`${ret.band}/${ret.tier}`, (left.get(`${ret.band}/${ret.tier}`) as number) + 1);
  return log.map((e, i) => {
    const position = i + 1;
    const key = ['ILI-1', r.dayId, secret, String(position), e.ref, e.band].join('\n');
    // The byte stream, 8 bytes per (a, b) pair; one block holds 4 pairs.
    let stream = Buffer.alloc(0);
    let k = 0;
    let offset = 0;
    let rnd: bigint;
    for (;;) {
      while (stream.length < offset + 8) stream = Buffer.concat([stream, sha(`${key}\n${k++}`)]);
      const a = BigInt(stream.readUInt32BE(offset));
      const b = BigInt(stream.readUInt32BE(offset + 4));
      offset += 8;
      const x = (a % 2n ** 21n) * 2n ** 32n + b;
      if (x < limit) {
        rnd = x % M;
        break;
      }
    }
    const tiers = r.bands.find((b) => b.band === e.band)!.tiers;
    let cum = 0n;
    let drawn = -1;
    for (let j = 0; j < tiers.length; j++) {
      cum += BigInt(tiers[j].odds);
      if (rnd < cum) {
        drawn = j;
        break;
      }
    }
    let outcome = 0;
    for (let j = drawn; drawn >= 0 && j < tiers.length; j++) {
      const slot = `${e.band}/${tiers[j].tier}`;
      if ((left.get(slot) as number) > 0) {
        left.set(slot, (left.get(slot) as number) - 1);
        outcome = tiers[j].tier;
        break;
      }
    }
    return { position, r: Number(rnd), drawnTier: drawn >= 0 ? tiers[drawn].tier : 0, outcome };
  });
}

describe('ILI-1 test vector (docs/draw-algorithm.md 2.11)', () => {
  it('refs are the SHA-256 of the fully digital invoice identity', () => {
    for (const e of inputs.entries) expect(invoiceRef('', e.invoiceNumber)).toBe(e.ref);
  });

  it('secretHash and the commitment', () => {
    expect(hashInstantSecret(inputs.secret)).toBe(expected.secretHash);
    expect(createHash('sha256').update(inputs.secret, 'ascii').digest('hex')).toBe(expected.secretHash);
    expect(buildInstantCommitment(rules, inputs.secret)).toEqual(expected.commitment);
  });

  it('the trace: first block, a, b, x, r, drawn tier and outcome of every entry', () => {
    const { outcomes } = runInstantDay(rules, inputs.secret, entries);
    expect(outcomes.map((o) => ({ position: o.position, r: o.r, drawnTier: o.drawnTier, outcome: o.outcome }))).toEqual(
      expected.trace.map((t) => ({ position: t.position, r: t.r, drawnTier: t.drawnTier, outcome: t.outcome })),
    );
    for (const t of expected.trace) {
      const e = entries[t.position - 1];
      const block0 = createHash('sha256').update(['ILI-1', inputs.dayId, inputs.secret, t.position, e.ref, e.band, '0'].join('\n')).digest();
      expect(block0.toString('hex')).toBe(t.block0);
      expect([block0.readUInt32BE(0), block0.readUInt32BE(4)]).toEqual([t.a, t.b]);
      expect((t.a % 2 ** 21) * 2 ** 32 + t.b).toBe(t.x);
      expect(t.x % 1_000_000).toBe(t.r);
    }
  });

  it('an independent implementation from the spec gives the same outcomes', () => {
    expect(independentDay(rules, inputs.secret, entries)).toEqual(
      expected.trace.map((t) => ({ position: t.position, r: t.r, drawnTier: t.drawnTier, outcome: t.outcome })),
    );
  });

  it('the vector shows a fall-through, a spent band and a returned prize being won', () => {
    const t = expected.trace;
    expect(t.some((x) => x.drawnTier !== 0 && x.outcome !== 0 && x.outcome !== x.drawnTier)).toBe(true);
    expect(t.some((x) => x.drawnTier !== 0 && x.outcome === 0)).toBe(true);
    expect(expected.tally.find((x) => x.returned > 0)?.won).toBeGreaterThan(0);
  });

  it('the log, its digest, the tally and the bundle', () => {
    const { bundle, log } = publishInstantDay({ campaignId: inputs.campaignId, rules, secret: inputs.secret, entries });
    expect(log).toBe(expected.log);
    expect(createHash('sha256').update(log, 'utf8').digest('hex')).toBe(expected.logDigest);
    expect(bundle.tally).toEqual(expected.tally);
    expect(bundle).toEqual(expected.bundle);
  });

  it('verifies: MATCH on the published files', () => {
    const result = verifyInstantDay(expected.commitment, expected.bundle, expected.log);
    expect(result.ok).toBe(true);
  });
});

describe('ILI-1 budgets', () => {
  const band = (budget: number[], odds: number[]): InstantBand => ({
    band: 'b100-1000',
    tiers: budget.map((b, i) => ({ tier: i + 1, name: `t${i + 1}`, prizeCents: 1000 * (3 - i), odds: odds[i], budget: b })),
  });
  const many = Array.from({ length: 400 }, (_, i) => ({ ref: createHash('sha256').update(`e${i}`).digest('hex'), band: 'b100-1000' }));
  const secret = createHash('sha256').update('budgets').digest('hex');

  it('never awards more than budget + returned, and a drawn tier falls through only to later tiers', () => {
    const r: InstantDayRules = { dayId: 'd-2026-03-03', bands: [band([2, 3, 5], [300000, 300000, 300000])], returns: [] };
    const { outcomes, tally } = runInstantDay(r, secret, many);
    expect(tally.map((t) => t.won)).toEqual([2, 3, 5]);
    expect(tally.every((t) => t.left === 0)).toBe(true);
    for (const o of outcomes) if (o.outcome !== 0) expect(o.outcome).toBeGreaterThanOrEqual(o.drawnTier);
    // Once every tier is spent, nobody wins.
    const lastWin = Math.max(...outcomes.filter((o) => o.outcome !== 0).map((o) => o.position));
    expect(outcomes.filter((o) => o.position > lastWin).every((o) => o.outcome === 0)).toBe(true);
  });

  it('a returned prize adds one to its tier of the day that lists it', () => {
    const returns: BudgetReturn[] = [
      { dayId: 'd-2026-03-02', position: 4, ref: 'a'.repeat(64), band: 'b100-1000', tier: 1 },
      { dayId: 'd-2026-03-02', position: 9, ref: 'b'.repeat(64), band: 'b100-1000', tier: 1 },
    ];
    const base: InstantDayRules = { dayId: 'd-2026-03-03', bands: [band([1, 0, 0], [500000, 0, 0])], returns: [] };
    expect(runInstantDay(base, secret, many).tally[0]).toMatchObject({ budget: 1, returned: 0, won: 1, left: 0 });
    expect(runInstantDay({ ...base, returns }, secret, many).tally[0]).toMatchObject({ budget: 1, returned: 2, won: 3, left: 0 });
  });

  it('replay rebuilds a day after a restart and refuses a log with another outcome', () => {
    const r: InstantDayRules = { dayId: 'd-2026-03-03', bands: [band([2, 3, 5], [300000, 300000, 300000])], returns: [] };
    const full = runInstantDay(r, secret, many);
    const day = InstantDay.replay(r, secret, full.outcomes.slice(0, 100));
    expect(day.entryCount).toBe(100);
    const next = day.draw(many[100].ref, many[100].band);
    expect(next).toEqual(full.outcomes[100]);
    const forged = full.outcomes.slice(0, 10).map((o, i) => (i === 5 ? { ...o, outcome: o.outcome === 0 ? 1 : 0 } : o));
    expect(() => InstantDay.replay(r, secret, forged)).toThrow(/position 6/);
  });

  it('refuses bad rules: odds over a million, repeated tiers, unsorted or unknown returns, an own-day return', () => {
    const ok: InstantDayRules = { dayId: 'd-2026-03-03', bands: [band([1, 1, 1], [1, 1, 1])], returns: [] };
    expect(() => validateInstantRules(ok)).not.toThrow();
    expect(() => validateInstantRules({ ...ok, bands: [band([1, 1, 1], [500000, 500000, 1])] })).toThrow(/odds add up/);
    expect(() => validateInstantRules({ ...ok, bands: [{ band: 'B', tiers: ok.bands[0].tiers }] })).toThrow(/band must be/);
    const ret = (dayId: string, position: number, tier = 1): BudgetReturn => ({ dayId, position, ref: 'c'.repeat(64), band: 'b100-1000', tier });
    expect(() => validateInstantRules({ ...ok, returns: [ret('d-2026-03-02', 5), ret('d-2026-03-02', 3)] })).toThrow(/sorted/);
    expect(() => validateInstantRules({ ...ok, returns: [ret('d-2026-03-02', 5), ret('d-2026-03-02', 5)] })).toThrow(/twice/);
    expect(() => validateInstantRules({ ...ok, returns: [ret('d-2026-03-02', 5, 9)] })).toThrow(/not a tier/);
    expect(() => validateInstantRules({ ...ok, returns: [ret('d-2026-03-03', 5)] })).toThrow(/later day/);
  });

  it('a ref can enter a day once', () => {
    const day = new InstantDay({ dayId: 'd-2026-03-03', bands: [band([1, 1, 1], [1, 1, 1])], returns: [] }, secret);
    day.draw(many[0].ref, 'b100-1000');
    expect(() => day.draw(many[0].ref, 'b100-1000')).toThrow(/already/);
    expect(() => day.draw(many[1].ref, 'b9')).toThrow(/not a band/);
  });
});

describe('ILI-1 verification catches tampering', () => {
  const lines = expected.log.split('\n');
  const verify = (log: string, bundle: Record<string, unknown> = expected.bundle, commitment: unknown = expected.commitment) =>
    verifyInstantDay(commitment, bundle, log);
  const rehashed = (log: string, extra: Record<string, unknown> = {}) => ({
    ...expected.bundle,
    logDigest: createHash('sha256').update(log).digest('hex'),
    entryCount: log.split('\n').length - 2,
    ...extra,
  });

  it('a changed log with the old digest: logDigest mismatch', () => {
    const log = expected.log.replace(/,b100-1000,0\n/, ',b100-1000,1\n');
    expect(verify(log)).toEqual({ ok: false, difference: expect.stringMatching(/^logDigest: expected "[0-9a-f]{64}" got "/) });
  });

  it('a changed outcome with a recomputed digest: the entry is named', () => {
    // Position 1 did not win; claim it won tier 1.
    const log = [lines[0], lines[1].replace(/,0$/, ',1'), ...lines.slice(2)].join('\n');
    expect(verify(log, rehashed(log))).toEqual({ ok: false, difference: 'log line 2 (position 1): outcome expected 0 got 1' });
  });

  it('a missing entry: the positions have a gap, or the count is short', () => {
    const gap = [...lines.slice(0, 4), ...lines.slice(5)].join('\n');
    expect(verify(gap, rehashed(gap))).toEqual({ ok: false, difference: 'day log line 5: position: expected 4 got "5"' });
    const lastDropped = [...lines.slice(0, -2), ''].join('\n');
    expect(verify(lastDropped)).toEqual({ ok: false, difference: 'entryCount: expected 13 got 14' });
  });

  it('an entry moved to another position changes outcomes', () => {
    const swapped = [lines[0], lines[2].replace(/^2,/, '1,'), lines[1].replace(/^1,/, '2,'), ...lines.slice(3)].join('\n');
    const result = verify(swapped, rehashed(swapped));
    expect(result.ok).toBe(false);
  });

  it('a secret that does not match the commitment', () => {
    const other = createHash('sha256').update('another secret').digest('hex');
    expect(verify(expected.log, { ...expected.bundle, secret: other })).toEqual({
      ok: false,
      difference: `secretHash: expected "${hashInstantSecret(other)}" (the hash of the revealed secret) got "${expected.secretHash}"`,
    });
  });

  it('budgets or returns changed after the commitment', () => {
    const bands = JSON.parse(JSON.stringify(expected.bundle.bands));
    bands[0].tiers[0].budget = 5;
    expect(verify(expected.log, { ...expected.bundle, bands })).toEqual({ ok: false, difference: 'bands[0].tiers[0].budget: expected 1 got 5' });
    expect(verify(expected.log, { ...expected.bundle, returns: [] })).toEqual({
      ok: false,
      difference: expect.stringMatching(/^returns\[0\]: expected an object got nothing/),
    });
  });

  it('a wrong tally', () => {
    const tally = JSON.parse(JSON.stringify(expected.tally));
    tally[1].won = 0;
    expect(verify(expected.log, { ...expected.bundle, tally })).toEqual({ ok: false, difference: 'tally[1].won: expected 1 got 0' });
  });

  it('format errors: header, CR line endings, unknown band, bad outcome', () => {
    expect(() => readInstantLog('pos,ref\n', inputs.bands)).toThrow(/line 1/);
    expect(() => readInstantLog(expected.log.replace(/\n/g, '\r\n'), inputs.bands)).toThrow(/line 1/);
    expect(() => readInstantLog(expected.log.slice(0, -1), inputs.bands)).toThrow(/must end/);
    expect(() => readInstantLog(expected.log.replace('b1000-up', 'b5000-up'), inputs.bands)).toThrow(/line 4: band/);
    expect(() => readInstantLog(expected.log.replace(/,b100-1000,2\n/, ',b100-1000,7\n'), inputs.bands)).toThrow(/outcome 7 is not a tier/);
    expect(readInstantLog(INSTANT_LOG_HEADER, inputs.bands).entries).toEqual([]);
  });
});

describe('ILI-1 returned prizes are checked against the day they came from', () => {
  const secret = createHash('sha256').update('returns').digest('hex');
  const bands: InstantBand[] = [{ band: 'b100-1000', tiers: [{ tier: 1, name: 't1', prizeCents: 10000, odds: 400000, budget: 3 }] }];
  const earlier = publishInstantDay({
    campaignId: 'c',
    rules: { dayId: 'd-2026-03-01', bands, returns: [] },
    secret,
    entries: Array.from({ length: 20 }, (_, i) => ({ ref: createHash('sha256').update(`r${i}`).digest('hex'), band: 'b100-1000' })),
  });
  const verified = verifyInstantDay(buildInstantCommitment({ dayId: 'd-2026-03-01', bands, returns: [] }, secret), earlier.bundle, earlier.log);
  if (!verified.ok) throw new Error(verified.difference);
  const logs = new Map([['d-2026-03-01', verified.entries]]);
  const won = verified.entries.find((e) => e.outcome === 1)!;
  const lost = verified.entries.find((e) => e.outcome === 0)!;
  const ret = (e: { position: number; ref: string }, tier = 1): BudgetReturn => ({ dayId: 'd-2026-03-01', position: e.position, ref: e.ref, band: 'b100-1000', tier });

  it('a real win returns; a losing line, a wrong ref or an unknown day do not', () => {
    expect(verifyBudgetReturns([ret(won)], logs)).toBeNull();
    expect(verifyBudgetReturns([ret(lost)], logs)).toBe(`returns[0].tier: d-2026-03-01 position ${lost.position} won nothing, not tier 1`);
    expect(verifyBudgetReturns([{ ...ret(won), ref: lost.ref }], logs)).toMatch(/^returns\[0\]\.ref: expected/);
    expect(verifyBudgetReturns([{ ...ret(won), dayId: 'd-2026-02-28' }], logs)).toBe('returns[0]: the log of d-2026-02-28 was not given');
    expect(verifyBudgetReturns([{ ...ret(won), position: 99 }], logs)).toBe('returns[0]: d-2026-03-01 has no position 99');
  });
});
