/**
 * REDIS_CLUSTER_NODES: the API and the worker on a three-master Redis Cluster (Debian's redis-server, started
 * on free local ports by the test): sign-in (OTP store, rate limits), the public cache, the queues with their
 * hash-tagged prefix and job schedulers, the shared clock anchor, and the scratch-key clean-up on every master.
 */
import { Cluster } from 'ioredis';
import { createServiceClock, sharedAnchorKey } from '../../src/core/clock/clock-anchor.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { clusterNodesOf, deleteKeysWithPrefix, queuePrefix } from '../../src/core/redis/redis.js';
import { startRedisCluster, type LocalRedisCluster } from '../fleet/redis-cluster.js';
import { eventually } from '../support/waiting.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, TEST_OTP, type TestApi } from '../support/test-env.js';

let cluster: LocalRedisCluster;
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let keys: Cluster;

/** Every key on every master of the cluster under `pattern`. */
async function allKeys(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of keys.nodes('master')) found.push(...(await node.keys(pattern)));
  return found.sort();
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  const config = isolatedConfig({ REDIS_CLUSTER_NODES: cluster.nodes });
  api = await startTestApi({ config });
  worker = await startTestWorker({ config });
  keys = new Cluster(clusterNodesOf(cluster.nodes));
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
  keys?.disconnect();
  await cluster?.stop();
});

test('configuration: the queue prefix is hash-tagged on a cluster only', () => {
  expect(queuePrefix(api.config)).toBe(`{${api.config.REDIS_PREFIX}}`);
  expect(queuePrefix({ ...api.config, REDIS_CLUSTER_NODES: undefined })).toBe(api.config.REDIS_PREFIX);
});

test('health, consumer sign-in (OTP script, transaction, rate limits) and a cached public read work on the cluster', async () => {
  expect((await api.http.get('/health/ready')).status).toBe(200);
  const phone = '13912345678';
  expect((await api.http.post('/api/v1/auth/otp', { phone })).status).toBe(202);
  const login = await api.http.post('/api/v1/auth/login', { phone, code: TEST_OTP });
  expect(login.status).toBe(200);
  expect(typeof login.body.accessToken).toBe('string');
  expect((await api.http.get('/api/v1/me', login.body.accessToken)).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await api.http.get('/api/v1/public/campaigns/henan-2022/draws')).status).toBe(200);

  // The keys really are spread over the cluster's masters, under the service's prefix.
  const serviceKeys = await allKeys(`${api.config.REDIS_PREFIX}:*`);
  expect(serviceKeys.some((k) => k.includes(':rl:otpPerPhoneMinute:'))).toBe(true);
  expect(serviceKeys.some((k) => k.includes(':pub:v1:'))).toBe(true);
});

test('the worker runs its job schedulers on the cluster: every queue key shares its hash tag', async () => {
  const draws = api.app.get(QueueService).queue(QueueName.draws);
  await eventually('a completed draw tick', 20_000, async () => (await draws.getJobCounts('completed')).completed > 0);
  expect((await draws.getJobSchedulers()).map((s) => s.key)).toContain('draw-tick');
  const queueKeys = await allKeys(`{${api.config.REDIS_PREFIX}}:*`);
  expect(queueKeys.length).toBeGreaterThan(0);
  const slots = new Set(await Promise.all(queueKeys.map((k) => keys.cluster('KEYSLOT', k))));
  expect(slots.size).toBe(1);
});

test('CLOCK_ANCHOR=shared records one anchor on the cluster', async () => {
  const config = { ...api.config, CLOCK_START: '2022-07-15T09:00:00+08:00', CLOCK_RATE: 3600, CLOCK_ANCHOR: 'shared' as const };
  const a = await createServiceClock(config);
  const b = await createServiceClock(config);
  expect(Math.abs(a.now().getTime() - b.now().getTime())).toBeLessThan(60_000);
  expect(await keys.get(sharedAnchorKey(config.REDIS_PREFIX, new Date(config.CLOCK_START), 3600))).toMatch(/^\d+$/);
});

test('deleteKeysWithPrefix clears the service and queue keys on every master', async () => {
  const prefix = `${api.config.REDIS_PREFIX}:scratch`;
  await Promise.all(Array.from({ length: 50 }, (_, i) => keys.set(`${prefix}:k${i}`, '1')));
  await keys.set(`{${prefix}}:q`, '1');
  const before = await allKeys(`${prefix}:*`);
  expect(before).toHaveLength(50);
  await deleteKeysWithPrefix(api.config, prefix);
  expect(await allKeys(`${prefix}:*`)).toEqual([]);
  expect(await allKeys(`{${prefix}}:*`)).toEqual([]);
});
