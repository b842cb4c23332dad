/**
 * Direct-to-database fixtures for the draw tests (e2e and faults): consumers and registrations in bulk with
 * multi-row INSERTs, as the intake would have written them, plus small helpers to wait on draws.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { deriveSeed, readEntriesFile, runDraw, type DrawResult, type ReadEntriesResult } from '../../src/draws/algorithm/index.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Inserts `count` identity-verified consumers; returns their ids in order. */
export async function insertConsumers(ds: DataSource, pii: PiiProtector, count: number): Promise<number[]> {
  const tag = randomBytes(6).toString('hex');
  const ids: number[] = [];
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const values: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const phone = `13${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
      values.push(pii.lookupHash('phone', `${phone}:${tag}:${start + i}`), '139****0000', pii.encrypt(phone), '张三', new Date('2022-07-01T00:00:00Z'), new Date('2022-07-01T00:00:00Z'));
    }
    const result = await ds.query(
      `INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, real_name, identity_verified_at, created_at) VALUES ${Array(n).fill('(?,?,?,?,?,?)').join(',')}`,
      values,
    );
    for (let i = 0; i < n; i++) ids.push(Number(result.insertId) + i);
  }
  return ids;
}

let codeCounter = 0;

export interface InvoiceBatch {
  periodKey: string;
  issueDate: string;
  consumerIds: number[];
  count: number;
  status?: 'verified' | 'pending';
  /** Paid amount (tickets weight) of the i-th invoice; default 20-2000 yuan pseudo-random. */
  paidCents?: (i: number) => number;
  batchRows?: number;
}

/**
 * Inserts registrations of the henan-2022 campaign directly: invoice code unique per call, numbers 00000000..,
 * ref = SHA-256('<code>-<number>') like the intake; consumers assigned round robin. Returns the invoice ids.
 */
export async function insertInvoices(ds: DataSource, batch: InvoiceBatch): Promise<number[]> {
  codeCounter += 1;
  const code = `0410${String(process.pid % 10000).padStart(4, '0')}${String(codeCounter).padStart(4, '0')}`;
  const status = batch.status ?? 'verified';
  const rows = batch.batchRows ?? 2000;
  const registeredAt = new Date(`${batch.issueDate}T04:00:00Z`);
  const ids: number[] = [];
  for (let start = 0; start < batch.count; start += rows) {
    const n = Math.min(rows, batch.count - start);
    const values: unknown[] = [];
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const number = String(i).padStart(8, '0');
      const paid = batch.paidCents ? batch.paidCents(i) : 2000 + ((i * 7919) % 198_000);
      values.push(
        batch.consumerIds[i % batch.consumerIds.length],
        'henan-2022',
        batch.periodKey,
        '10',
        code,
        number,
        sha256(`${code}-${number}`),
        batch.issueDate,
        paid,
        'typed',
        status,
        status === 'pending' ? 'AWAITING_REGISTRY_RECORD' : null,
        status === 'verified' ? paid : null,
        status === 'verified' ? 'total' : null,
        registeredAt,
        batch.issueDate,
        batch.periodKey,
        status === 'verified' ? registeredAt : null,
      );
    }
    const result = await ds.query(
      `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
         source, status, status_reason, paid_cents, matched_amount, registered_at, registered_on, registered_month, verified_at)
       VALUES ${Array(n).fill('(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
      values,
    );
    for (let k = 0; k < n; k++) ids.push(Number(result.insertId) + k);
  }
  return ids;
}

export async function drawRow(ds: DataSource, drawId: string): Promise<Record<string, any>> {
  const [row] = await ds.query(`SELECT * FROM draws WHERE id = ?`, [drawId]);
  return row;
}

export interface ExpectedDraw {
  /** The draw row as it is now (`SELECT *`): the sealed secret, entries digest, tiers and limits among it. */
  sealed: Record<string, any>;
  /** The sealed secret, decrypted with the PII key. */
  secret: string;
  /** The entries file rebuilt from draw_entries in position order (what the audit bundle is verified against). */
  file: Buffer;
  /** That file read back by ILD-1: its table and entries digest. */
  read: ReadEntriesResult;
  /** What ILD-1 draws from those entries and the sealed secret (beacon ''). */
  expected: DrawResult;
}

/**
 * What ILD-1 must produce for a draw from the committed entries and the sealed secret alone. The caller checks
 * `read.entriesDigest` against the digest it expects (the one committed at the freeze).
 */
export async function expectedDrawResult(ds: DataSource, piiKey: string, drawId: string): Promise<ExpectedDraw> {
  const sealed = await drawRow(ds, drawId);
  const secret = new PiiProtector(piiKey).decrypt(sealed.secret_encrypted);
  const rows: Array<{ ref: string; holder: string; tickets: number }> = await ds.query(
    `SELECT ref, holder, tickets FROM draw_entries WHERE draw_id = ? ORDER BY position`,
    [drawId],
  );
  const file = Buffer.from(`ref,holder,tickets\n${rows.map((r) => `${r.ref},${r.holder},${r.tickets}\n`).join('')}`);
  const read = await readEntriesFile(Readable.from([file]));
  const expected = runDraw({
    drawId,
    table: read.table,
    tiers: JSON.parse(sealed.tiers),
    winLimitPerHolder: Number(sealed.win_limit_per_holder),
    alternateCount: Number(sealed.alternate_count),
    seed: deriveSeed({ drawId, entriesDigest: read.entriesDigest, secret, beacon: '' }),
  });
  return { sealed, secret, file, read, expected };
}

/** Polls until the draw has one of `statuses`; throws with the last row after `timeoutMs`. */
export async function waitForDrawStatus(ds: DataSource, drawId: string, statuses: string | string[], timeoutMs = 30_000): Promise<Record<string, any>> {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  const until = Date.now() + timeoutMs;
  let row: Record<string, any> = {};
  for (;;) {
    row = await drawRow(ds, drawId);
    if (row && wanted.includes(row.status)) return row;
    if (Date.now() > until) throw new Error(`draw ${drawId} did not reach ${wanted.join('/')} in ${timeoutMs} ms; now ${row?.status} (${row?.failure_reason ?? ''})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StoredPick {
  pick_index: number;
  kind: string;
  tier: number | null;
  slot: number | null;
  alternate_rank: number | null;
  ref: string;
  holder: string;
  tickets: number;
}

export async function picksOf(ds: DataSource, drawId: string): Promise<StoredPick[]> {
  const rows = await ds.query(
    `SELECT pick_index, kind, tier, slot, alternate_rank, ref, holder, tickets FROM draw_picks WHERE draw_id = ? ORDER BY pick_index`,
    [drawId],
  );
  return rows.map((r: Record<string, unknown>) => ({
    pick_index: Number(r.pick_index),
    kind: String(r.kind),
    tier: r.tier === null ? null : Number(r.tier),
    slot: r.slot === null ? null : Number(r.slot),
    alternate_rank: r.alternate_rank === null ? null : Number(r.alternate_rank),
    ref: String(r.ref),
    holder: String(r.holder),
    tickets: Number(r.tickets),
  }));
}

export async function auditActions(ds: DataSource, drawId: string): Promise<string[]> {
  const rows: Array<{ action: string }> = await ds.query(`SELECT action FROM draw_audit_log WHERE draw_id = ? ORDER BY id`, [drawId]);
  return rows.map((r) => r.action);
}

/** Collects an async iterable of strings into one string. */
export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

/**
 * Runs `npm run verify` (the built CLI, dist/src/draws/verify.cli.js) on a draw's audit bundle and entries
 * file, written to a fresh temp dir that is removed afterwards; returns its exit status and output.
 */
export async function runVerifyCli(bundle: string, entries: string): Promise<{ status: number | null; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'il-draw-'));
  try {
    const bundlePath = join(dir, 'audit.json');
    const entriesPath = join(dir, 'entries.csv');
    await writeFile(bundlePath, bundle);
    await writeFile(entriesPath, entries);
    const run = spawnSync(process.execPath, ['dist/src/draws/verify.cli.js', '--bundle', bundlePath, '--entries', entriesPath], { encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
