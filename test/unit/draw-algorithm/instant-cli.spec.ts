import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInstantCommitment, publishInstantDay, type InstantBand, type InstantDayRules } from '../../../src/draws/algorithm/index.js';

/** `npm run verify` on a published instant day (needs `npm run build`: it runs dist/src/draws/verify.cli.js). */
const vector = JSON.parse(readFileSync(new URL('../../fixtures/ili1-vector.json', import.meta.url), 'utf8'));
const { commitment, bundle, log } = vector.expected as { commitment: object; bundle: Record<string, unknown>; log: string };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ili1-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(files: { day?: object; log?: string; commitment?: object }, extra: string[] = []) {
  const name = Math.random().toString(36).slice(2);
  const paths = { day: join(dir, `${name}-day.json`), log: join(dir, `${name}-log.csv`), commitment: join(dir, `${name}-commitment.json`) };
  writeFileSync(paths.day, JSON.stringify(files.day ?? bundle));
  writeFileSync(paths.log, files.log ?? log);
  writeFileSync(paths.commitment, JSON.stringify(files.commitment ?? commitment));
  const args = ['dist/src/draws/verify.cli.js', '--instant-day', paths.day, '--log', paths.log, '--commitment', paths.commitment, ...extra];
  return spawnSync(process.execPath, args, { encoding: 'utf8' });
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

describe('npm run verify -- --instant-day', () => {
  it('prints MATCH for the published day', () => {
    const r = run({});
    expect(r.stdout).toBe('MATCH\n');
    expect(r.status).toBe(0);
  });

  it('a log that does not hash to the published digest', () => {
    const r = run({ log: log.replace(/,b100-1000,2\n/, ',b100-1000,1\n') });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^MISMATCH: logDigest: expected "[0-9a-f]{64}" got "/);
  });

  it('a changed outcome, digest recomputed to match', () => {
    const tampered = log.replace(/\n12,(\w+),b100-1000,0\n/, '\n12,$1,b100-1000,3\n');
    expect(tampered).not.toBe(log);
    const r = run({ log: tampered, day: { ...bundle, logDigest: digest(tampered) } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('MISMATCH: log line 13 (position 12): outcome expected 0 got 3\n');
  });

  it('a missing entry', () => {
    const lines = log.split('\n');
    const dropped = [...lines.slice(0, 3), ...lines.slice(4)].join('\n');
    const r = run({ log: dropped, day: { ...bundle, logDigest: digest(dropped), entryCount: 13 } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('MISMATCH: day log line 4: position: expected 3 got "4"\n');
  });

  it('a secret other than the committed one', () => {
    const r = run({ commitment: { ...commitment, secretHash: digest('x') } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^MISMATCH: secretHash: /);
  });

  it('usage errors exit 2', () => {
    const r = spawnSync(process.execPath, ['dist/src/draws/verify.cli.js', '--instant-day', 'x.json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--instant-day, --log and --commitment are required together/);
  });
});

describe('npm run verify -- --instant-day … --earlier-day … --earlier-log …', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const bands: InstantBand[] = [{ band: 'b100-1000', tiers: [{ tier: 1, name: '三等奖', prizeCents: 3000, odds: 300000, budget: 2 }] }];
  const entries = (prefix: string) => Array.from({ length: 30 }, (_, i) => ({ ref: sha(`${prefix}${i}`), band: 'b100-1000' }));
  const first = publishInstantDay({ campaignId: 'c', rules: { dayId: 'c-2026-03-01', bands, returns: [] }, secret: sha('s1'), entries: entries('a') });
  const lines = first.log.trim().split('\n').slice(1).map((l) => l.split(','));
  const won = lines.find((l) => l[3] === '1') as string[];
  const lost = lines.find((l) => l[3] === '0') as string[];

  function secondDay(returned: string[]) {
    const rules: InstantDayRules = {
      dayId: 'c-2026-03-02',
      bands,
      returns: [{ dayId: 'c-2026-03-01', position: Number(returned[0]), ref: returned[1], band: 'b100-1000', tier: 1 }],
    };
    const secret = sha('s2');
    return { commitment: buildInstantCommitment(rules, secret), ...publishInstantDay({ campaignId: 'c', rules, secret, entries: entries('b') }) };
  }
  function runWithEarlier(day: ReturnType<typeof secondDay>) {
    const earlierDay = join(dir, 'earlier-day.json');
    const earlierLog = join(dir, 'earlier-log.csv');
    writeFileSync(earlierDay, JSON.stringify(first.bundle));
    writeFileSync(earlierLog, first.log);
    return run({ day: day.bundle, log: day.log, commitment: day.commitment }, ['--earlier-day', earlierDay, '--earlier-log', earlierLog]);
  }

  it('a returned prize that was a win of that day: MATCH', () => {
    const r = runWithEarlier(secondDay(won));
    expect(r.stdout).toBe('MATCH\n');
    expect(r.status).toBe(0);
  });

  it('a returned "prize" that never won: MISMATCH naming it', () => {
    const r = runWithEarlier(secondDay(lost));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`MISMATCH: returns[0].tier: c-2026-03-01 position ${lost[0]} won nothing, not tier 1\n`);
  });

  it('without the earlier day it says the returns were not checked', () => {
    const day = secondDay(won);
    const r = run({ day: day.bundle, log: day.log, commitment: day.commitment });
    expect(r.stdout).toBe('MATCH\n');
    expect(r.stderr).toMatch(/1 returned prize\(s\) not checked/);
  });
});
