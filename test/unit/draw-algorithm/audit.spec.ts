import {
  ALGORITHM_ID,
  EntriesDigest,
  EntryTable,
  buildAuditBundle,
  buildCommitment,
  deriveSeed,
  generateSecret,
  hashSecret,
  runDraw,
  verifyAuditBundle,
  type AuditBundle,
  type DrawTier,
} from '../../../src/draws/algorithm/index.js';
import { entriesText, randomEntries, sha256, streamOf } from './helpers.js';

const tiers: DrawTier[] = [
  { tier: 1, name: '一等奖', count: 2, prizeCents: 1_000_000 },
  { tier: 2, name: '二等奖', count: 5, prizeCents: 100_000 },
  { tier: 3, name: '三等奖', count: 20, prizeCents: 10_000 },
];
const entries = randomEntries('audit', 120, 60, 10000);
const text = entriesText(entries);

function makeBundle(): AuditBundle {
  const digest = new EntriesDigest();
  for (const e of entries) digest.addEntry(e.ref, e.holder, e.tickets);
  const entriesDigest = digest.digest();
  const secret = generateSecret();
  const beacon = 'beacon-2022-08-31';
  const seed = deriveSeed({ drawId: 'henan-2022-2022-08', entriesDigest, secret, beacon });
  const result = runDraw({ drawId: 'henan-2022-2022-08', table: EntryTable.fromEntries(entries), tiers, winLimitPerHolder: 1, alternateCount: 10, seed });
  return buildAuditBundle({
    campaignId: 'henan-2022',
    drawId: 'henan-2022-2022-08',
    entryCount: digest.entryCount,
    totalTickets: digest.totalTickets,
    entriesDigest,
    secret,
    beacon,
    tiers,
    winLimitPerHolder: 1,
    alternateCount: 10,
    result,
  });
}

const clone = (b: AuditBundle): AuditBundle => JSON.parse(JSON.stringify(b));
const verify = (b: unknown, t: string = text) => verifyAuditBundle(b, streamOf(t, 1000));

describe('audit bundle', () => {
  const bundle = makeBundle();

  test('has exactly the published fields', () => {
    expect(Object.keys(bundle)).toEqual([
      'algorithm', 'campaignId', 'drawId', 'entryCount', 'totalTickets', 'entriesDigest', 'secretHash', 'secret',
      'beacon', 'seed', 'tiers', 'winLimitPerHolder', 'alternateCount', 'winners', 'alternates',
    ]);
    expect(bundle.algorithm).toBe(ALGORITHM_ID);
    expect(bundle.entriesDigest).toBe(sha256(text));
    expect(bundle.secretHash).toBe(sha256(bundle.secret));
    expect(bundle.winners).toHaveLength(27);
    expect(bundle.alternates).toHaveLength(10);
    expect(bundle.winners[3]).toEqual({ tier: 2, slot: 2, ref: expect.any(String), holder: expect.any(String), tickets: expect.any(Number) });
    const commitment = buildCommitment({ drawId: bundle.drawId, entryCount: 120, totalTickets: bundle.totalTickets, entriesDigest: bundle.entriesDigest, secret: bundle.secret });
    expect(commitment).toEqual({
      algorithm: 'ILD-1', drawId: bundle.drawId, entryCount: 120, totalTickets: bundle.totalTickets,
      entriesDigest: bundle.entriesDigest, secretHash: bundle.secretHash,
    });
  });

  test('verifier reports MATCH for an honest bundle (also after a JSON round trip)', async () => {
    await expect(verify(bundle)).resolves.toEqual({ ok: true });
    await expect(verify(clone(bundle))).resolves.toEqual({ ok: true });
  });

  test('tampered bundles: the first difference is reported precisely', async () => {
    const cases: Array<[string, (b: AuditBundle) => void, string | RegExp]> = [
      ['algorithm', (b) => ((b as { algorithm: string }).algorithm = 'ILD-2'), 'algorithm: expected "ILD-1" got "ILD-2"'],
      ['entryCount', (b) => (b.entryCount = 119), 'entryCount: expected 120 got 119'],
      ['totalTickets', (b) => (b.totalTickets += 1), `totalTickets: expected ${bundle.totalTickets} got ${bundle.totalTickets + 1}`],
      ['digest', (b) => (b.entriesDigest = 'a'.repeat(64)), `entriesDigest: expected "${bundle.entriesDigest}" got "${'a'.repeat(64)}"`],
      ['secretHash', (b) => (b.secretHash = 'b'.repeat(64)), `secretHash: expected "${bundle.secretHash}" got "${'b'.repeat(64)}"`],
      ['secret', (b) => (b.secret = 'c'.repeat(64)), `secretHash: expected "${hashSecret('c'.repeat(64))}" got "${bundle.secretHash}"`],
      ['seed', (b) => (b.seed = 'd'.repeat(64)), `seed: expected "${bundle.seed}" got "${'d'.repeat(64)}"`],
      ['beacon', (b) => (b.beacon = 'other'), /^seed: expected "[0-9a-f]{64}" got "[0-9a-f]{64}"$/],
      ['winner ref', (b) => (b.winners[3].ref = entries[0].ref), `winners[3].ref: expected "${bundle.winners[3].ref}" got "${entries[0].ref}"`],
      ['winner tickets', (b) => (b.winners[0].tickets = 1), `winners[0].tickets: expected ${bundle.winners[0].tickets} got 1`],
      ['winner slot', (b) => (b.winners[1].slot = 3), 'winners[1].slot: expected 2 got 3'],
      ['winners swapped', (b) => ([b.winners[5], b.winners[6]] = [b.winners[6], b.winners[5]]), 'winners[5].slot: expected 4 got 5'],
      ['winner refs swapped', (b) => ([b.winners[5].ref, b.winners[6].ref] = [b.winners[6].ref, b.winners[5].ref]), `winners[5].ref: expected "${bundle.winners[5].ref}" got "${bundle.winners[6].ref}"`],
      ['winner missing', (b) => b.winners.pop(), /^winners\[26\]: expected \{"tier":3,"slot":20,"ref":"[0-9a-f]{64}",.*\} got nothing$/],
      ['extra winner', (b) => b.winners.push({ ...b.winners[0], tier: 3, slot: 21 }), /^winners\[27\]: expected nothing \(the draw fills only 27\) got \{"tier":3,"slot":21,/],
      ['alternate holder', (b) => (b.alternates[9].holder = '0'.repeat(16)), `alternates[9].holder: expected "${bundle.alternates[9].holder}" got "${'0'.repeat(16)}"`],
      ['alternate rank', (b) => (b.alternates[0].rank = 0), 'alternates[0].rank: expected 1 got 0'],
      ['tier count', (b) => (b.tiers[2].count = 19), /^winners\[26\]: expected nothing \(the draw fills only 26\)/],
      ['win limit', (b) => (b.winLimitPerHolder = 0), /^(winners|alternates)\[\d+\]\.(ref|holder|tickets): expected/],
      ['bad shape', (b) => ((b as unknown as Record<string, unknown>).winners = 'none'), 'winners: expected an array got "none"'],
      ['bad secret', (b) => (b.secret = 'XYZ'), 'secret: expected 64 lowercase hex chars got "XYZ"'],
    ];
    for (const [name, mutate, expected] of cases) {
      const b = clone(bundle);
      mutate(b);
      const r = await verify(b);
      expect({ name, r }).toEqual({
        name,
        r: { ok: false, difference: typeof expected === 'string' ? expected : expect.stringMatching(expected) },
      });
    }
    await expect(verify(null)).resolves.toEqual({ ok: false, difference: 'bundle: expected a JSON object got null' });
  });

  test('tampered entries files: the first difference is reported precisely', async () => {
    const lines = text.split('\n');
    const edit = (i: number, f: (l: string) => string): string => lines.map((l, k) => (k === i ? f(l) : l)).join('\n');
    // One more ticket on line 5.
    const t = entries[3].tickets;
    await expect(verify(bundle, edit(4, (l) => l.replace(new RegExp(`,${t}$`), `,${t + 1}`)))).resolves.toEqual({
      ok: false,
      difference: `totalTickets: expected ${bundle.totalTickets + 1} got ${bundle.totalTickets}`,
    });
    // A changed holder keeps count and total; only the digest differs.
    const changedHolder = edit(4, (l) => l.replace(entries[3].holder, '0123456789abcdef'));
    await expect(verify(bundle, changedHolder)).resolves.toEqual({
      ok: false,
      difference: `entriesDigest: expected "${sha256(changedHolder)}" got "${bundle.entriesDigest}"`,
    });
    // A line removed.
    await expect(verify(bundle, lines.filter((_, k) => k !== 7).join('\n'))).resolves.toEqual({
      ok: false,
      difference: 'entryCount: expected 119 got 120',
    });
    // Malformed line: format error with the line number.
    await expect(verify(bundle, edit(9, (l) => l.toUpperCase()))).resolves.toEqual({
      ok: false,
      difference: expect.stringMatching(/^entries file line 10: ref must be 64 lowercase hex chars/),
    });
    // Swapped lines: order error.
    await expect(verify(bundle, lines.map((l, k) => (k === 2 ? lines[3] : k === 3 ? lines[2] : l)).join('\n'))).resolves.toEqual({
      ok: false,
      difference: expect.stringMatching(/^entries file line 4: ref [0-9a-f]{64} is not after the previous ref/),
    });
  });

  test('stream errors are thrown, not reported as differences', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('ref,holder,tickets\n');
      throw new Error('connection reset');
    }
    await expect(verifyAuditBundle(bundle, failing())).rejects.toThrow('connection reset');
  });
});
