/**
 * CLOCK_ANCHOR=shared against the real Redis: every process of a deployment (API, worker, their restarts)
 * reads the simulated time from one anchor recorded by the first of them.
 */
import { randomBytes } from 'node:crypto';
import { createServiceClock, sharedAnchorKey, sharedClockAnchor } from '../../src/core/clock/clock-anchor.js';
import { deleteKeysWithPrefix } from '../../src/core/redis/redis.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

const prefix = `ilt:clock_${process.pid}_${randomBytes(4).toString('hex')}`;
const START = '2022-07-15T09:00:00+08:00';
const config = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, CLOCK_START: START, CLOCK_RATE: 3600, CLOCK_ANCHOR: 'shared' as const };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => deleteKeysWithPrefix(TEST_REDIS_URL, prefix));

test('processes started at different moments share the first one\'s anchor and tell the same time', async () => {
  const before = Date.now();
  const api = await createServiceClock(config);
  const afterFirst = Date.now();
  await sleep(300); // 300 ms real = 18 simulated minutes at 3600x
  const worker = await createServiceClock(config);
  const a = api.now().getTime();
  const w = worker.now().getTime();
  // Read within a few ms of each other: at 3600x that is seconds, far from the 18 minutes apart they would be.
  expect(Math.abs(w - a)).toBeLessThan(60_000);
  expect(a).toBeGreaterThanOrEqual(Date.parse(START)); // simulated 2022, not real time
  expect(a).toBeLessThan(Date.parse('2022-07-16T00:00:00+08:00'));

  const key = sharedAnchorKey(prefix, new Date(START), 3600);
  const anchor = await sharedClockAnchor(TEST_REDIS_URL, key);
  expect(anchor).toBeGreaterThanOrEqual(before);
  // Set by the first process, not by the second (which started at least 300 ms after it returned).
  expect(anchor).toBeLessThanOrEqual(afterFirst);
});

test('another start or rate is another anchor (the clock starts over at its CLOCK_START)', async () => {
  const one = await sharedClockAnchor(TEST_REDIS_URL, sharedAnchorKey(prefix, new Date(START), 3600));
  await sleep(20);
  const other = await sharedClockAnchor(TEST_REDIS_URL, sharedAnchorKey(prefix, new Date(START), 60));
  expect(other).toBeGreaterThan(one);
  const clock = await createServiceClock({ ...config, CLOCK_RATE: 1, CLOCK_START: '2022-08-01T00:00:00Z' });
  expect(Math.abs(clock.now().getTime() - Date.parse('2022-08-01T00:00:00Z'))).toBeLessThan(1000);
});

test('an unreachable Redis fails the start with a message naming CLOCK_ANCHOR', async () => {
  await expect(sharedClockAnchor('redis://127.0.0.1:1/0', `${prefix}:x`, 1500)).rejects.toThrow(/CLOCK_ANCHOR=shared/);
});
