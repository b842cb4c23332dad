import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EntryTable,
  buildAuditBundle,
  createDrawRng,
  deriveSeed,
  runDraw,
  verifyAuditBundle,
  type AuditBundle,
  type DrawAlternate,
  type DrawWinner,
} from '../../../src/draws/algorithm/index.js';
import { beaconProblem } from '../../../src/draws/dto/draw-admin.dto.js';
import { streamOf } from './helpers.js';

// FROZEN, like ild1-vector.json: the same inputs with a Chinese beacon (docs/draw-algorithm.md section 11).
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const base = fixture('ild1-vector.json');
const vector: {
  beacon: string;
  beaconUtf8Hex: string;
  expected: { seed: string; firstInt32: number[]; winners: DrawWinner[]; alternates: DrawAlternate[]; auditBundle: AuditBundle };
} = fixture('ild1-vector-utf8-beacon.json');
const { inputs } = base;
const { expected } = vector;

describe('ILD-1 test vector with a UTF-8 beacon', () => {
  test('the beacon is the Chinese lottery result, NFC text the service accepts', () => {
    expect(vector.beacon).toBe('2022-09-06 福彩3D 第2022236期 开奖号码 1 2 3');
    expect(Buffer.from(vector.beacon, 'utf8').toString('hex')).toBe(vector.beaconUtf8Hex);
    expect(beaconProblem(vector.beacon)).toBeNull();
  });

  test('the seed hashes the UTF-8 bytes of the beacon, exactly', () => {
    const seed = deriveSeed({ drawId: inputs.drawId, entriesDigest: base.expected.entriesDigest, secret: inputs.secret, beacon: vector.beacon });
    expect(seed).toBe(expected.seed);
    // Written out as section 5 says, independently of deriveSeed.
    const preimage = Buffer.concat([
      Buffer.from(`ILD-1\n${inputs.drawId}\n${base.expected.entriesDigest}\n${inputs.secret}\n`, 'utf8'),
      Buffer.from(vector.beaconUtf8Hex, 'hex'),
    ]);
    expect(createHash('sha256').update(preimage).digest('hex')).toBe(expected.seed);
    const rng = createDrawRng(seed);
    expect(expected.firstInt32.map(() => rng.int32() >>> 0)).toEqual(expected.firstInt32);
    // The same visible text composed (NFC) and decomposed (NFD) is other bytes and so another seed: why the
    // service takes NFC text only, and the algorithm never normalizes.
    const seedOf = (beacon: string) => deriveSeed({ drawId: inputs.drawId, entriesDigest: base.expected.entriesDigest, secret: inputs.secret, beacon });
    expect(seedOf('caf\u00e9')).not.toBe(seedOf('cafe\u0301'));
  });

  test('winners, alternates and the audit bundle', async () => {
    const result = runDraw({ ...inputs, table: EntryTable.fromEntries(inputs.entries), seed: expected.seed });
    expect(result.winners).toEqual(expected.winners);
    expect(result.alternates).toEqual(expected.alternates);
    const bundle = buildAuditBundle({
      ...inputs,
      beacon: vector.beacon,
      campaignId: 'henan-2022',
      entryCount: base.expected.entryCount,
      totalTickets: base.expected.totalTickets,
      entriesDigest: base.expected.entriesDigest,
      result,
    });
    expect(bundle).toEqual(expected.auditBundle);
    await expect(verifyAuditBundle(bundle, streamOf(base.expected.entriesFile))).resolves.toEqual({ ok: true });
    // One character of the beacon changed: the verifier no longer matches.
    const other = { ...bundle, beacon: vector.beacon.replace('福彩', '体彩') };
    await expect(verifyAuditBundle(other, streamOf(base.expected.entriesFile))).resolves.toMatchObject({ ok: false });
  });

  test('`npm run verify` (the built CLI) prints MATCH for the bundle and entries file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ild1-utf8-'));
    try {
      writeFileSync(join(dir, 'audit.json'), JSON.stringify(expected.auditBundle), 'utf8');
      writeFileSync(join(dir, 'entries.csv'), base.expected.entriesFile, 'utf8');
      const run = spawnSync(process.execPath, ['dist/src/draws/verify.cli.js', '--bundle', join(dir, 'audit.json'), '--entries', join(dir, 'entries.csv')], {
        encoding: 'utf8',
      });
      expect(run.stdout.trim()).toBe('MATCH');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('beacon rules of a draw request', () => {
  test.each([
    ['ssq-2022088:02,09,14,21,27,33+11', null],
    ['福'.repeat(256), null],
    ['😀'.repeat(256), null], // characters, not UTF-16 units
    ['福'.repeat(257), 'beacon must be 1-256 characters'],
    ['', 'beacon must be 1-256 characters'],
    ['line\nbreak', 'beacon must not contain control characters'],
    ['tab\there', 'beacon must not contain control characters'],
    ['nul\u0000', 'beacon must not contain control characters'],
    ['zero\u200bwidth', 'beacon must be visible text without control or zero-width characters'],
    ['private \uE000', 'beacon must be visible text without control or zero-width characters'],
    ['e\u0301', 'beacon must be NFC-normalized Unicode text'],
    ['lone \uD800', 'beacon must be valid Unicode text'],
  ])('%j', (beacon, problem) => {
    expect(beaconProblem(beacon)).toBe(problem);
  });
});
