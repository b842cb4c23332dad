/**
 * Cross-process cache invalidation over Redis pub/sub: a change broadcast by one process is shown at once by
 * every API process, where the public cache alone would show it only after HEAD_STALENESS_MS; the worker
 * broadcasts after each draw step.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { CacheInvalidation } from '../../src/core/redis/cache-invalidation.js';
import { DrawTickService } from '../../src/draws/draw-tick.service.js';
import { HEAD_STALENESS_MS } from '../../src/public/public-cache.js';
import { eventually } from '../support/waiting.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, TEST_REDIS_URL, type TestApi } from '../support/test-env.js';

const AUGUST = 'henan-2022-2022-08';
const config = isolatedConfig();
let a: TestApi;
let b: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
/** The worker's clock: on 2022-07-20 nothing is due (it loads the campaign's draws at start). */
const workerClock = new ManualClock('2022-07-20T10:00:00+08:00');

beforeAll(async () => {
  a = await startTestApi({ config });
  b = await startTestApi({ config });
  worker = await startTestWorker({ config, clock: workerClock });
  // The worker's start-up run of the daily prize forfeiture broadcasts an invalidation too: let it pass.
  const maintenance = worker.app.get(QueueService).queue(QueueName.maintenance);
  await eventually('the start-up forfeiture run', 20_000, async () => (await maintenance.getJobCounts('completed')).completed > 0);
  await new Promise((resolve) => setTimeout(resolve, HEAD_STALENESS_MS + 250));
});

afterAll(async () => {
  await worker?.close();
  await b?.close();
  await a?.close();
  await destroyTestEnvironment(config);
});

const freezeAtOn = async (api: TestApi) => {
  const res = await api.http.get(`/api/v1/public/draws/${AUGUST}`);
  expect(res.status).toBe(200);
  return res.body.freezeAt as string;
};

test('a change broadcast by one process shows on another API process at once, not after the cache staleness', async () => {
  const before = await freezeAtOn(b);
  await freezeAtOn(a);
  // B now holds the draw's head locally (250 ms) and Redis holds it for a second: without the broadcast B
  // would answer the old freeze time for a while yet.
  const ds = a.app.get<DataSource>(getDataSourceToken());
  await ds.query(`UPDATE draws SET freeze_at = freeze_at + INTERVAL 1 HOUR, updated_at = NOW(3) WHERE id = ?`, [AUGUST]);
  const changedAt = Date.now();
  await a.app.get(CacheInvalidation).publish('public');
  const tookMs = await eventually('B shows the new freeze time', HEAD_STALENESS_MS * 2, async () => (await freezeAtOn(b)) !== before);
  expect(tookMs).toBeLessThan(200);
  expect(Date.now() - changedAt).toBeLessThan(HEAD_STALENESS_MS / 2);
  expect(Date.parse(await freezeAtOn(b)) - Date.parse(before)).toBe(3600_000);
  expect(await freezeAtOn(a)).toBe(await freezeAtOn(b));
});

test('the worker broadcasts a public invalidation after a draw step (not after a mere tick)', async () => {
  const listener = new Redis(TEST_REDIS_URL);
  const messages: string[] = [];
  listener.on('message', (_channel, message) => messages.push(message));
  await listener.subscribe(`${config.REDIS_PREFIX}:invalidate`);
  try {
    const tick = worker.app.get(DrawTickService);
    expect((await tick.tick()).freeze).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messages).toEqual([]); // a tick that queues nothing changes nothing public
    // On 2022-08-10 July is due for its freeze.
    workerClock.set('2022-08-10T10:00:00+08:00');
    expect((await tick.tick()).freeze).toEqual(['henan-2022-2022-07']);
    await eventually('a public invalidation from the worker', 20_000, async () => messages.some((m) => JSON.parse(m).topic === 'public'));
    const ds = a.app.get<DataSource>(getDataSourceToken());
    const [july] = await ds.query(`SELECT status FROM draws WHERE id = 'henan-2022-2022-07'`);
    expect(july.status).not.toBe('scheduled');
  } finally {
    listener.disconnect();
  }
});
