/**
 * A worker killed in the middle of a draw step (SIGKILL: no graceful shutdown) loses the job's lock; BullMQ's
 * stalled-job check hands the job to the next worker, which finishes it with the same result. This runs the
 * compiled worker (`node dist/src/main.worker.js`, as production does; `npm test` builds first) against a
 * real MariaDB database and Redis prefix, on a clock started after the July period's draw time:
 *
 *   worker A: freezes July (300,000 entries) -> killed right after its first progress report
 *   worker B: picks the freeze up again, freezes, chains the draw -> killed while loading the entries
 *   worker C: picks the draw up again, draws and publishes
 *
 * The winners stored are compared with a recomputation from the committed entries and the sealed secret
 * taken before worker C ran, and the audit bundle with verifyAuditBundle.
 */
import { jest } from '@jest/globals';
import { Queue, QueueEvents } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { dataSourceOptions } from '../../src/core/database/data-source-options.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { verifyAuditBundle } from '../../src/draws/algorithm/index.js';
import { DrawJob, drawJobId } from '../../src/draws/draw-jobs.js';
import { destroyTestEnvironment, isolatedConfig } from '../support/test-env.js';
import { drawRow, expectedDrawResult, insertConsumers, insertInvoices, picksOf, waitForDrawStatus } from './draw-fixtures.js';

jest.setTimeout(300_000);

const WORKER = 'dist/src/main.worker.js';
const JULY = 'henan-2022-2022-07';
const ENTRIES = 300_000;
const config = isolatedConfig();
let ds: DataSource;
let queue: Queue;
let events: QueueEvents;
const children: ChildProcess[] = [];

function startWorker(name: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      REDIS_PREFIX: config.REDIS_PREFIX,
      PII_KEY: config.PII_KEY,
      CLOCK_START: '2022-08-08T12:00:00+08:00',
      LOG_LEVEL: 'log',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void name;
  return { child, output: () => output, exited };
}

/** Resolves with the first progress report of `jobId` (as the worker sends it to Redis). */
function firstProgress(jobId: string, phase?: string): Promise<{ phase: string; processed: number; total: number }> {
  return new Promise((resolve) => {
    const listener = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      const p = data as { phase: string; processed: number; total: number };
      if (id !== jobId || (phase && p?.phase !== phase)) return;
      events.off('progress', listener);
      resolve(p);
    };
    events.on('progress', listener);
  });
}

async function kill(worker: ReturnType<typeof startWorker>): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

beforeAll(async () => {
  if (!existsSync(WORKER)) throw new Error('Run `npm run build` first (npm test does it in pretest)');
  await migrateDatabase(config.DATABASE_URL);
  ds = new DataSource(dataSourceOptions(config.DATABASE_URL));
  await ds.initialize();
  const consumers = await insertConsumers(ds, new PiiProtector(config.PII_KEY), 2_000);
  await insertInvoices(ds, { periodKey: '2022-07', issueDate: '2022-07-20', consumerIds: consumers, count: ENTRIES, batchRows: 4000 });
  queue = new Queue('draws', { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
  events = new QueueEvents('draws', { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
  await events.waitUntilReady();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await events?.close();
  await queue?.close();
  await ds?.destroy();
  await destroyTestEnvironment(config);
});

test('a worker killed mid-freeze and another killed mid-draw: the next one finishes with the same winners', async () => {
  // Worker A: the tick (queued here, so the test does not depend on when the scheduler first fires) freezes July.
  const a = startWorker('A');
  const freezeStarted = firstProgress(drawJobId('freeze', JULY), 'freeze');
  await queue.add(DrawJob.tick, {}, { jobId: 'test-tick-1' });
  const progress = await freezeStarted;
  await kill(a);
  expect(progress.processed).toBeLessThan(ENTRIES);
  const freezeJob = await queue.getJob(drawJobId('freeze', JULY));
  expect(await freezeJob?.getState()).toBe('active'); // its lock dies with the process
  expect((await drawRow(ds, JULY)).status).toBe('scheduled');
  const partial = Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [JULY]))[0].n);
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(ENTRIES);

  // Worker B takes the stalled freeze over, freezes from scratch and chains the draw (drawAt has passed): killed while loading.
  const b = startWorker('B');
  const drawStarted = firstProgress(drawJobId('draw', JULY), 'load');
  await drawStarted;
  await kill(b);
  const frozen = await drawRow(ds, JULY);
  expect(frozen.status).toBe('frozen');
  expect(Number(frozen.entry_count)).toBe(ENTRIES);
  expect(await (await queue.getJob(drawJobId('draw', JULY)))?.getState()).toBe('active');
  expect(await picksOf(ds, JULY)).toEqual([]);

  // What the draw must produce, from the committed entries and the sealed secret alone.
  const { sealed, file, read, expected } = await expectedDrawResult(ds, config.PII_KEY, JULY);
  expect(read.entriesDigest).toBe(sealed.entries_digest);

  // Worker C takes the stalled draw over; publication follows.
  const c = startWorker('C');
  try {
    await waitForDrawStatus(ds, JULY, 'published', 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nworker C:\n${c.output()}`);
  }
  const picks = await picksOf(ds, JULY);
  expect(picks.filter((p) => p.kind === 'winner').map((p) => ({ tier: p.tier, slot: p.slot, ref: p.ref, holder: p.holder, tickets: p.tickets }))).toEqual(
    expected.winners,
  );
  expect(picks.filter((p) => p.kind === 'alternate').map((p) => ({ rank: p.alternate_rank, ref: p.ref, holder: p.holder, tickets: p.tickets }))).toEqual(
    expected.alternates,
  );
  const [{ audit_bundle: bundle }] = await ds.query(`SELECT audit_bundle FROM draws WHERE id = ?`, [JULY]);
  expect(await verifyAuditBundle(JSON.parse(bundle), Readable.from([file]))).toEqual({ ok: true });
  expect(JSON.parse(bundle).entriesDigest).toBe(frozen.entries_digest);

  // One snapshot, one secret, one set of winners: the killed attempts left nothing behind.
  const log: Array<{ action: string; details: string | null }> = await ds.query(`SELECT action, details FROM draw_audit_log WHERE draw_id = ? ORDER BY id`, [JULY]);
  const actions = log.map((l) => l.action);
  // The runs after a kill are the stalled job taken over, not new jobs: BullMQ counts the stall.
  const started = (phase: string) => log.filter((l) => l.action === `${phase}-job-started`).map((l) => JSON.parse(l.details ?? '{}'));
  expect(started('freeze').at(-1)).toMatchObject({ jobId: drawJobId('freeze', JULY), stalled: 1 });
  expect(started('draw').at(-1)).toMatchObject({ jobId: drawJobId('draw', JULY), stalled: 1, trigger: 'schedule' });
  expect(actions.filter((x) => x === 'frozen')).toHaveLength(1);
  expect(actions.filter((x) => x === 'drawn')).toHaveLength(1);
  expect(actions.filter((x) => x === 'freeze-job-started').length).toBeGreaterThanOrEqual(2);
  expect(actions.filter((x) => x === 'draw-job-started').length).toBeGreaterThanOrEqual(2);
  expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [JULY]))[0].n)).toBe(ENTRIES);

  c.child.kill('SIGTERM');
  expect(await c.exited).toBe(0);
});
