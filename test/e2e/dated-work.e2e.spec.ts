import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue, QueueEvents } from 'bullmq';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { Clock, ManualClock } from '../../src/core/clock/clock.js';
import type { AppConfig } from '../../src/core/config/config.schema.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { DrawTickService } from '../../src/draws/draw-tick.service.js';
import { recheckJobIdFor } from '../../src/invoices/pending-recheck.schedule.js';
import { DatedWorkTick, MAINTENANCE_TICK_SCHEDULER_ID, MaintenanceJob, type DatedWorkResult } from '../../src/maintenance/dated-work.tick.js';
import { drawRow, insertConsumers, insertInvoices } from '../faults/draw-fixtures.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker } from '../support/test-env.js';
import { eventually } from '../support/waiting.js';

/**
 * Dated work on the service clock (issue 16, item 6): prize forfeiture and the daily re-check run from the
 * maintenance minute tick, which compares service-clock time, so a fast simulated clock passes prizes on
 * and a restart with the clock moved past a deadline catches up at once.
 *
 * The campaign is henan-2022 with one prize and three alternates (win limit 1), so an unclaimed prize has
 * someone to pass to; its 60-day claim window is kept.
 */
const campaignsDir = mkdtempSync(join(tmpdir(), 'il-dated-'));
const henan = JSON.parse(readFileSync(new URL('../../config/campaigns/henan-2022.json', import.meta.url), 'utf8'));
writeFileSync(
  join(campaignsDir, 'henan-2022.json'),
  JSON.stringify({ ...henan, tiers: [{ tier: 1, name: '一等奖', count: 1, prizeCents: 1_000_000 }], winLimitPerHolder: 1, alternateCount: 3 }),
);
const JULY = 'henan-2022-2022-07';
const DAY = 86_400_000;

const configs: AppConfig[] = [];
const bull = (config: AppConfig) => ({ connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
function configWith(env: Record<string, string>): AppConfig {
  const config = isolatedConfig({ CAMPAIGNS_DIR: campaignsDir, ...env });
  configs.push(config);
  return config;
}
afterAll(async () => {
  for (const config of configs) await destroyTestEnvironment(config);
  rmSync(campaignsDir, { recursive: true, force: true });
});

/**
 * Ten verified July registrations of ten consumers, written before the worker starts: its draw tick's
 * scheduler fires at once, and with the clock past July's freeze it would freeze an empty July first.
 */
async function seedJuly(config: AppConfig): Promise<void> {
  const api = await startTestApi({ config });
  try {
    const ds = api.app.get<DataSource>(getDataSourceToken());
    const consumers = await insertConsumers(ds, api.app.get(PiiProtector), 10);
    await insertInvoices(ds, { periodKey: '2022-07', issueDate: '2022-07-20', consumerIds: consumers, count: 10 });
  } finally {
    await api.close();
  }
}
async function tierOne(ds: DataSource): Promise<Array<{ attempt: number; status: string; alternate_rank: number | null; claim_deadline: Date }>> {
  return ds.query(`SELECT attempt, status, alternate_rank, claim_deadline FROM prizes WHERE draw_id = ? AND tier = 1 ORDER BY attempt`, [JULY]);
}
const dataSourceOf = (worker: Awaited<ReturnType<typeof startTestWorker>>) => worker.app.get<DataSource>(getDataSourceToken());
/** The draw tick until July is published (it freezes, draws and publishes through the draws queue). */
async function publishJuly(worker: Awaited<ReturnType<typeof startTestWorker>>, ds: DataSource): Promise<void> {
  await eventually('July published', 60_000, async () => {
    await worker.app.get(DrawTickService).tick();
    return (await drawRow(ds, JULY)).status === 'published';
  });
}

test('on a fast simulated clock an unclaimed prize passes to its alternate at the first tick after its deadline', async () => {
  // Ten simulated days a real second, from just before July's draw time.
  const config = configWith({ CLOCK_START: '2022-08-07T09:59:00+08:00', CLOCK_RATE: '864000' });
  await seedJuly(config);
  const worker = await startTestWorker({ config, clock: 'config' });
  const events = new QueueEvents(QueueName.maintenance, bull(config));
  try {
    const ds = dataSourceOf(worker);
    await publishJuly(worker, ds);
    const [won] = await tierOne(ds);
    expect(won).toMatchObject({ attempt: 0, status: 'awaiting_claim', alternate_rank: null });
    const deadline = new Date(won.claim_deadline).getTime();
    expect(deadline - worker.clock.now().getTime()).toBeGreaterThan(50 * DAY);

    // The tick, through the queue, as its scheduler runs it (every real minute; here every 200 ms).
    await events.waitUntilReady();
    const queues = worker.app.get(QueueService);
    const ticks: DatedWorkResult[] = [];
    await eventually('the prize to pass on', 30_000, async () => {
      const job = await queues.add(QueueName.maintenance, MaintenanceJob.tick, {});
      ticks.push((await job.waitUntilFinished(events, 10_000)) as DatedWorkResult);
      if ((await tierOne(ds)).length > 1) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return false;
    });
    const passing = ticks.at(-1)!;
    expect(new Date(passing.now).getTime()).toBeGreaterThanOrEqual(deadline);
    // Every earlier tick was before the deadline: it passed at the first tick after it.
    for (const t of ticks.slice(0, -1)) expect(new Date(t.now).getTime()).toBeLessThan(deadline);
    expect(passing.prizes).toMatchObject({ forfeited: 1, passed: 1 });
    expect(await tierOne(ds)).toEqual([
      expect.objectContaining({ attempt: 0, status: 'forfeited' }),
      expect.objectContaining({ attempt: 1, status: 'awaiting_claim', alternate_rank: 1 }),
    ]);
    // The re-check of pending registrations was queued for the service-clock days the ticks saw, once each.
    const days = [...new Set(ticks.map((t) => t.recheckDay))];
    expect(days.length).toBeGreaterThan(1);
    const registry = queues.queue(QueueName.registry);
    for (const day of days) expect(await registry.getJob(recheckJobIdFor(day))).toBeDefined();
  } finally {
    await events.close();
    await worker.close();
  }
});

test('a worker restarted with the clock moved past a claim deadline passes the prize on at once', async () => {
  const config = configWith({ CLOCK_START: '2022-08-07T10:00:00+08:00', CLOCK_RATE: '1' });
  await seedJuly(config);
  const first = await startTestWorker({ config, clock: 'config' });
  let ds: DataSource;
  let deadline: number;
  try {
    ds = dataSourceOf(first);
    await publishJuly(first, ds);
    const [won] = await tierOne(ds);
    deadline = new Date(won.claim_deadline).getTime();
    // The first worker's ticks find nothing due.
    expect((await first.app.get(DatedWorkTick).tick()).prizes).toMatchObject({ forfeited: 0, passed: 0 });
  } finally {
    await first.close();
  }

  // Restarted with the clock a minute past the deadline; nothing here calls the tick.
  const restarted = await startTestWorker({
    config: { ...config, CLOCK_START: new Date(deadline + 60_000).toISOString() },
    clock: 'config',
  });
  try {
    ds = restarted.app.get<DataSource>(getDataSourceToken());
    expect(restarted.clock.now().getTime()).toBeGreaterThan(deadline);
    await eventually('the alternate to hold the prize', 20_000, async () => (await tierOne(ds)).length === 2);
    expect(await tierOne(ds)).toEqual([
      expect.objectContaining({ attempt: 0, status: 'forfeited' }),
      expect.objectContaining({ attempt: 1, status: 'awaiting_claim', alternate_rank: 1 }),
    ]);
  } finally {
    await restarted.close();
  }
});

test('the tick changes nothing twice at the same service-clock time; the old real-time daily schedulers are removed', async () => {
  const clock = new ManualClock('2022-08-07T10:00:00+08:00');
  const config = configWith({});
  // A deployment that ran the real-time daily jobs before.
  const legacy = [new Queue(QueueName.maintenance, bull(config)), new Queue(QueueName.registry, bull(config))];
  await legacy[0].upsertJobScheduler('prize-forfeiture-daily', { every: DAY }, { name: 'prize-forfeiture', data: {} });
  await legacy[1].upsertJobScheduler('recheck-pending-daily', { every: DAY }, { name: 'recheck-pending', data: {} });
  await seedJuly(config);
  const worker = await startTestWorker({ config, clock });
  try {
    expect((await legacy[0].getJobSchedulers()).map((s) => s.key)).toEqual([MAINTENANCE_TICK_SCHEDULER_ID]);
    expect(await legacy[1].getJobSchedulers()).toEqual([]);
    const ds = dataSourceOf(worker);
    await publishJuly(worker, ds);
    const [won] = await tierOne(ds);
    clock.set(new Date(new Date(won.claim_deadline).getTime()));
    const tick = worker.app.get(DatedWorkTick);
    const [a, b] = await Promise.all([tick.tick(), tick.tick()]);
    expect(a.prizes.passed + b.prizes.passed).toBe(1);
    expect((await tick.tick()).prizes).toMatchObject({ forfeited: 0, revoked: 0, passed: 0, unfilled: 0 });
    expect(await tierOne(ds)).toHaveLength(2);
    expect(worker.app.get(Clock)).toBe(clock);
  } finally {
    await worker.close();
    for (const q of legacy) await q.close();
  }
});
