/**
 * Redis restarted during processing, losing everything it held (no persistence: `--save "" --appendonly no`):
 * queued jobs, the jobs' locks and the job schedulers. The shared Redis on 6379 is never touched: this file
 * runs its own `redis-server` on a free port, kills it with SIGKILL and starts a fresh, empty one on the
 * same port, while the worker (in this process, as startTestWorker runs it) keeps running against it and a
 * real MariaDB database. The test clock (2022-08-10 10:00 Shanghai) is past July's freeze and draw times.
 *
 *   1. A queued job is lost: the worker's first tick (from the job scheduler it upserts at start-up) queues
 *      July's freeze and is held there, so the freeze job is waiting behind it (the draws queue runs one job
 *      at a time) when Redis is killed and comes back empty. Nothing queued survives and the tick's job
 *      scheduler is gone with it: the worker must notice and re-create it, and the re-created tick queues
 *      the freeze again.
 *   2. A running job loses its Redis: killed while the draw job (chained by the freeze) runs, back empty at
 *      once. The draw commits; publication is queued by the chain or the re-created tick.
 *
 * At the end the draw is published with exactly one snapshot, one secret and one set of winners: the ones
 * ILD-1 gives for the committed entries and the sealed secret.
 */
import { jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { CampaignLoader } from '../../src/campaigns/campaign-loader.js';
import { Clock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { dataSourceOptions } from '../../src/core/database/data-source-options.js';
import { dropDatabase } from '../../src/core/database/ensure-database.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { verifyAuditBundle } from '../../src/draws/algorithm/index.js';
import { DRAW_TICK_SCHEDULER_ID, drawJobId, DrawJobs } from '../../src/draws/draw-jobs.js';
import { DrawScheduleRepository } from '../../src/draws/draw-schedule.repository.js';
import { DrawTickService, type TickResult } from '../../src/draws/draw-tick.service.js';
import { MAINTENANCE_TICK_SCHEDULER_ID } from '../../src/maintenance/dated-work.tick.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { isolatedConfig, startTestWorker } from '../support/test-env.js';
import { eventually, within } from '../support/waiting.js';
import { drawRow, expectedDrawResult, insertConsumers, insertInvoices, picksOf, waitForDrawStatus } from './draw-fixtures.js';

jest.setTimeout(240_000);

const REDIS_SERVER = '/usr/bin/redis-server';
const JULY = 'henan-2022-2022-07';
const ENTRIES = 100_000;

let port: number;
let redis: ChildProcess | null = null;
let ds: DataSource;
const config = isolatedConfig();
/** Every Redis client this file opens against the private server, closed before it is killed for good. */
const clients: Array<{ close(): Promise<void> }> = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

/** Starts an empty redis-server on `port` (no persistence) and resolves once it accepts connections. */
async function startRedis(): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** SIGKILL: no shutdown, no save; everything in memory is gone. */
async function killRedis(): Promise<void> {
  const child = redis;
  redis = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function draws(): Queue {
  const queue = new Queue(QueueName.draws, { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
  queue.on('error', () => undefined);
  clients.push(queue);
  return queue;
}

async function drawEvents(): Promise<QueueEvents> {
  const events = new QueueEvents(QueueName.draws, { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
  events.on('error', () => undefined);
  clients.push(events);
  await events.waitUntilReady();
  return events;
}

/** Resolves with the first progress report of `jobId` in `phase`, as the worker sends it to Redis. */
function firstProgress(events: QueueEvents, jobId: string, phase: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      if (id !== jobId || (data as { phase?: string })?.phase !== phase) return;
      events.off('progress', listener);
      resolve();
    };
    events.on('progress', listener);
  });
}

async function closeClients(): Promise<void> {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
}

/** The worker's log, kept (warnings and errors are expected here: Redis goes away twice). */
const logged: string[] = [];
const capture: LoggerService = {
  log: (m: unknown) => void logged.push(`log ${String(m)}`),
  warn: (m: unknown) => void logged.push(`warn ${String(m)}`),
  error: (m: unknown) => void logged.push(`error ${String(m)}`),
};

beforeAll(async () => {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is needed for this test`);
  port = await freePort();
  // The isolated database and key prefix, on the private Redis.
  Object.assign(config, { REDIS_URL: `redis://127.0.0.1:${port}/0` });
  redis = await startRedis();
  await migrateDatabase(config.DATABASE_URL);
  ds = new DataSource(dataSourceOptions(config.DATABASE_URL));
  await ds.initialize();
  const consumers = await insertConsumers(ds, new PiiProtector(config.PII_KEY), 1_000);
  await insertInvoices(ds, { periodKey: '2022-07', issueDate: '2022-07-20', consumerIds: consumers, count: ENTRIES, batchRows: 4000 });
});

afterAll(async () => {
  await closeClients();
  await ds?.destroy();
  await dropDatabase(config.DATABASE_URL);
  await killRedis();
});

/** The first tick is held after it has queued what is due, until the test lets it go. */
let releaseFirstTick!: () => void;
const firstTickHeld = new Promise<void>((resolve) => (releaseFirstTick = resolve));
let firstTickQueued!: (result: TickResult) => void;
const firstTickDone = new Promise<TickResult>((resolve) => (firstTickQueued = resolve));
let ticks = 0;
class HeldFirstTick extends DrawTickService {
  override async tick(): Promise<TickResult> {
    const result = await super.tick();
    ticks += 1;
    if (ticks === 1) {
      firstTickQueued(result);
      await firstTickHeld;
    }
    return result;
  }
}

test('Redis restarted empty with a draw step queued, and again with one running: the tick is re-created and re-queues what is due; one snapshot, one secret, one set of winners', async () => {
  const worker = await startTestWorker({
    config,
    override: (builder) =>
      builder.overrideProvider(DrawTickService).useFactory({
        factory: (schedule: DrawScheduleRepository, clock: Clock, jobs: DrawJobs, queues: QueueService, campaigns: CampaignLoader) =>
          new HeldFirstTick(schedule, clock, jobs, queues, campaigns),
        inject: [DrawScheduleRepository, Clock, DrawJobs, QueueService, CampaignLoader],
      }),
  });
  worker.app.useLogger(capture);
  try {
    // ------------------------------------------------------------------------------------------------------
    // 1. The freeze is queued (waiting behind the held tick) when Redis dies.
    expect(await firstTickDone).toMatchObject({ freeze: [JULY], draw: [], publish: [] });
    const before = draws();
    expect(await (await before.getJob(drawJobId('freeze', JULY)))?.getState()).toBe('waiting');
    expect(await before.getJobScheduler(DRAW_TICK_SCHEDULER_ID)).toBeDefined();
    await closeClients();
    await killRedis();
    redis = await startRedis();
    releaseFirstTick();

    // Nothing survived: no job, no scheduler. The worker notices and re-creates the tick's scheduler; its
    // first run queues the freeze again; the freeze chains the draw (due), which starts.
    const queue = draws();
    expect(await queue.getJob(drawJobId('freeze', JULY))).toBeUndefined();
    const drawLoading = firstProgress(await drawEvents(), drawJobId('draw', JULY), 'load');
    await eventually('the tick scheduler to be re-created', 30_000, async () => (await queue.getJobScheduler(DRAW_TICK_SCHEDULER_ID)) !== undefined);
    expect(logged.some((l) => l.startsWith('warn') && l.includes(`Job scheduler ${QueueName.draws}/${DRAW_TICK_SCHEDULER_ID} was missing`))).toBe(true);
    const frozen = await waitForDrawStatus(ds, JULY, ['frozen', 'drawn', 'published'], 120_000);
    await within('the draw job to report loading', 120_000, drawLoading);

    // ------------------------------------------------------------------------------------------------------
    // 2. Killed again while the draw job runs, back empty again at once.
    await closeClients();
    await killRedis();
    // The draw cannot commit while Redis is away: it waits on its next progress report (at the latest the
    // one that ends the loading phase).
    expect((await drawRow(ds, JULY)).status).toBe('frozen');
    redis = await startRedis();
    const again = draws();
    await eventually('the tick scheduler to be re-created again', 30_000, async () => (await again.getJobScheduler(DRAW_TICK_SCHEDULER_ID)) !== undefined);
    const published = await waitForDrawStatus(ds, JULY, 'published', 120_000);
    // The other schedulers the worker keeps are back as well.
    const maintenance = new Queue(QueueName.maintenance, { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
    clients.push(maintenance);
    expect(await maintenance.getJobScheduler(MAINTENANCE_TICK_SCHEDULER_ID)).toBeDefined();

    // --------------------------------------------------------------------------------------------------
    // One snapshot: the entries and the commitment made at the freeze, untouched.
    expect(Number(published.entry_count)).toBe(ENTRIES);
    expect(published.entries_digest).toBe(frozen.entries_digest);
    expect(published.secret_hash).toBe(frozen.secret_hash);
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [JULY]))[0].n)).toBe(ENTRIES);

    const log: Array<{ action: string; details: string | null }> = await ds.query(`SELECT action, details FROM draw_audit_log WHERE draw_id = ? ORDER BY id`, [JULY]);
    const actions = log.map((l) => l.action);
    expect(actions.filter((a) => a === 'frozen')).toHaveLength(1);
    expect(actions.filter((a) => a === 'drawn')).toHaveLength(1);
    expect(actions.filter((a) => a === 'published')).toHaveLength(1);
    // The freeze that was queued when Redis died never ran: the one that did was queued by the re-created tick.
    const started = (phase: string) => log.filter((l) => l.action === `${phase}-job-started`).map((l) => JSON.parse(l.details ?? '{}') as { trigger: string });
    expect(started('freeze')).toEqual([expect.objectContaining({ trigger: 'schedule', attempt: 1 })]);
    expect(started('draw').length).toBeGreaterThanOrEqual(1);

    // One secret: the sealed one, matching the hash published at the freeze.
    const { sealed, secret, file, read, expected } = await expectedDrawResult(ds, config.PII_KEY, JULY);
    expect(sealed.secret).toBe(secret);

    // One set of winners: exactly what ILD-1 gives for the committed entries and that secret.
    expect(read.entriesDigest).toBe(frozen.entries_digest);
    const picks = await picksOf(ds, JULY);
    expect(new Set(picks.map((p) => p.pick_index)).size).toBe(picks.length);
    expect(picks.filter((p) => p.kind === 'winner').map((p) => ({ tier: p.tier, slot: p.slot, ref: p.ref, holder: p.holder, tickets: p.tickets }))).toEqual(
      expected.winners,
    );
    expect(picks.filter((p) => p.kind === 'alternate').map((p) => ({ rank: p.alternate_rank, ref: p.ref, holder: p.holder, tickets: p.tickets }))).toEqual(
      expected.alternates,
    );
    expect(await verifyAuditBundle(JSON.parse(sealed.audit_bundle), Readable.from([file]))).toEqual({ ok: true });
    const [{ n: prizes }] = await ds.query(`SELECT COUNT(*) AS n FROM prizes WHERE draw_id = ?`, [JULY]);
    expect(Number(prizes)).toBe(expected.winners.length);
  } catch (error) {
    // What the worker said (it warns about the lost connections and about what it re-created).
    process.stderr.write(`worker log (last lines):\n${logged.filter((l) => !l.includes('SMS to')).slice(-80).join('\n')}\n`);
    throw error;
  } finally {
    await closeClients();
    await worker.close();
  }
});
