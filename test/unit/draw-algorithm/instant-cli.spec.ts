import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
