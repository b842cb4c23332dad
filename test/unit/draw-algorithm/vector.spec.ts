import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import {
  ENTRIES_HEADER,
  EntriesDigest,
  EntryTable,
  DrawSampler,
  buildAuditBundle,
  computeTickets,
  createDrawRng,
  deriveSeed,
  hashSecret,
  holderPseudonym,
  invoiceRef,
  readEntriesFile,
  runDraw,
  verifyAuditBundle,
  type DrawAlternate,
  type DrawTier,
  type DrawWinner,
  type Entry,
} from '../../../src/draws/algorithm/index.js';
import { streamOf } from './helpers.js';

interface Vector {
  inputs: {
    drawId: string;
    entries: Entry[];
    tiers: DrawTier[];
    winLimitPerHolder: number;
    alternateCount: number;
    secret: string;
    beacon: string;
  };
  derivation: {
    holderKey: string;
    unitCents: number;
    cap: number;
    entrySources: Array<{ invoiceCode: string; invoiceNumber: string; consumerId: number; amountCents: number }>;
  };
  expected: {
    entriesFile: string;
    entryCount: number;
    totalTickets: number;
    entriesDigest: string;
    secretHash: string;
    seed: string;
    firstInt32: number[];
    trace: Array<{ pick: number; remainingTickets: number; unfilled?: true; a?: number; b?: number; x?: number; r?: number; entryIndex?: number; remainingAfter?: number }>;
    winners: DrawWinner[];
    alternates: DrawAlternate[];
  };
}

// FROZEN: test/fixtures/ild1-vector.json must never change for ILD-1 (see docs/draw-algorithm.md).
const vector: Vector = JSON.parse(readFileSync(new URL('../../fixtures/ild1-vector.json', import.meta.url), 'utf8'));
const { inputs, expected, derivation } = vector;

describe('ILD-1 frozen test vector', () => {
  test('entries derive from the invoice sources', () => {
    const derived = derivation.entrySources.map((s) => ({
      ref: invoiceRef(s.invoiceCode, s.invoiceNumber),
      holder: holderPseudonym(derivation.holderKey, inputs.drawId, s.consumerId),
      tickets: computeTickets(s.amountCents, derivation.unitCents, derivation.cap),
    }));
    expect(derived).toEqual(inputs.entries);
  });

  test('entries file, digest, commitment and seed', async () => {
    const d = new EntriesDigest();
    let file = ENTRIES_HEADER;
    for (const e of inputs.entries) file += d.addEntry(e.ref, e.holder, e.tickets);
    expect(file).toBe(expected.entriesFile);
    expect(Buffer.byteLength(file)).toBe(1049); // stated in docs/draw-algorithm.md section 11
    expect(createHash('sha256').update(expected.entriesFile, 'utf8').digest('hex')).toBe(expected.entriesDigest);
    expect(d.digest()).toBe(expected.entriesDigest);
    expect(d.entryCount).toBe(expected.entryCount);
    expect(d.totalTickets).toBe(expected.totalTickets);
    const read = await readEntriesFile(streamOf(expected.entriesFile));
    expect(read.entriesDigest).toBe(expected.entriesDigest);
    expect(hashSecret(inputs.secret)).toBe(expected.secretHash);
    const seed = deriveSeed({ drawId: inputs.drawId, entriesDigest: expected.entriesDigest, secret: inputs.secret, beacon: inputs.beacon });
    expect(seed).toBe(expected.seed);
    const rng = createDrawRng(seed);
    expect(expected.firstInt32.map(() => rng.int32())).toEqual(expected.firstInt32);
  });

  test('pick-by-pick trace', () => {
    const table = EntryTable.fromEntries(inputs.entries);
    const base = createDrawRng(expected.seed);
    const ints: number[] = [];
    const sampler = new DrawSampler(table, { int32: () => { const v = base.int32(); ints.push(v >>> 0); return v; } }, inputs.winLimitPerHolder);
    for (const step of expected.trace) {
      ints.length = 0;
      expect(sampler.remaining).toBe(step.remainingTickets);
      const idx = sampler.pick();
      if (step.unfilled) {
        expect(idx).toBe(-1);
        continue;
      }
      const [a, b] = ints.slice(-2);
      const x = (a % 2 ** 21) * 2 ** 32 + b;
      expect({ a, b, x, r: x % step.remainingTickets, entryIndex: idx, remainingAfter: sampler.remaining }).toEqual({
        a: step.a, b: step.b, x: step.x, r: step.r, entryIndex: step.entryIndex, remainingAfter: step.remainingAfter,
      });
    }
  });

  test('winners and alternates, and the verifier accepts the bundle', async () => {
    const table = EntryTable.fromEntries(inputs.entries);
    const result = runDraw({ ...inputs, table, seed: expected.seed });
    expect(result.winners).toEqual(expected.winners);
    expect(result.alternates).toEqual(expected.alternates);
    const bundle = buildAuditBundle({
      ...inputs,
      campaignId: 'henan-2022',
      entryCount: expected.entryCount,
      totalTickets: expected.totalTickets,
      entriesDigest: expected.entriesDigest,
      result,
    });
    expect(bundle.seed).toBe(expected.seed);
    await expect(verifyAuditBundle(bundle, streamOf(expected.entriesFile))).resolves.toEqual({ ok: true });
  });
});
