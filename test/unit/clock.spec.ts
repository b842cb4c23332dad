import { jest } from '@jest/globals';
import { createServiceClock } from '../../src/core/clock/clock-anchor.js';
import { ManualClock, ServiceClock } from '../../src/core/clock/clock.js';

afterEach(() => jest.useRealTimers());

test('without a start the service clock is real time', () => {
  jest.useFakeTimers({ now: new Date('2026-11-26T00:00:00Z') });
  const clock = new ServiceClock();
  jest.advanceTimersByTime(5000);
  expect(clock.now().toISOString()).toBe('2026-11-26T00:00:05.000Z');
});

test('a simulated clock starts at CLOCK_START and runs CLOCK_RATE times faster', () => {
  jest.useFakeTimers({ now: new Date('2026-11-26T00:00:00Z') });
  const clock = new ServiceClock(new Date('2022-07-15T00:00:00+08:00'), 3600);
  expect(clock.now().toISOString()).toBe('2022-07-14T16:00:00.000Z');
  jest.advanceTimersByTime(1000); // one real second is one simulated hour
  expect(clock.now().toISOString()).toBe('2022-07-14T17:00:00.000Z');
  jest.advanceTimersByTime(23_000);
  expect(clock.now().toISOString()).toBe('2022-07-15T16:00:00.000Z');
});

test('with an anchor, processes started at different moments tell the same simulated time', () => {
  jest.useFakeTimers({ now: new Date('2026-11-26T00:00:10Z') });
  const start = new Date('2022-07-15T09:00:00+08:00');
  const anchor = Date.parse('2026-11-26T00:00:00Z');
  const api = new ServiceClock(start, 3600, anchor);
  // 10 real seconds after the anchor: 10 simulated hours after the start.
  expect(api.now().toISOString()).toBe('2022-07-15T11:00:00.000Z');
  jest.advanceTimersByTime(5000);
  const worker = new ServiceClock(start, 3600, anchor); // started 5 s later, or restarted
  expect(worker.now().toISOString()).toBe(api.now().toISOString());
  expect(worker.now().toISOString()).toBe('2022-07-15T16:00:00.000Z');
  // Without an anchor each process starts its own simulated time at CLOCK_START.
  expect(new ServiceClock(start, 3600).now().toISOString()).toBe('2022-07-15T01:00:00.000Z');
});

test('the clock of a configuration follows CLOCK_START, CLOCK_RATE and an ISO CLOCK_ANCHOR', async () => {
  jest.useFakeTimers({ now: new Date('2026-03-01T01:00:00Z') });
  const base = { REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_PREFIX: 'unused', CLOCK_RATE: 60 };
  const real = await createServiceClock({ ...base, CLOCK_START: undefined, CLOCK_ANCHOR: undefined });
  expect(real.now().toISOString()).toBe('2026-03-01T01:00:00.000Z');
  const anchored = await createServiceClock({ ...base, CLOCK_START: '2022-07-15T09:00:00+08:00', CLOCK_ANCHOR: '2026-03-01T09:00:00+08:00' });
  expect(anchored.now().toISOString()).toBe('2022-07-15T01:00:00.000Z'); // at the anchor: CLOCK_START
  jest.advanceTimersByTime(60_000);
  expect(anchored.now().toISOString()).toBe('2022-07-15T02:00:00.000Z'); // one real minute: one simulated hour
});

test('a manual clock moves only when told', () => {
  const clock = new ManualClock('2022-08-01T00:00:00Z');
  expect(clock.now().toISOString()).toBe('2022-08-01T00:00:00.000Z');
  clock.advance(60_000);
  expect(clock.now().toISOString()).toBe('2022-08-01T00:01:00.000Z');
  clock.set('2022-12-31T23:59:59Z');
  expect(clock.now().toISOString()).toBe('2022-12-31T23:59:59.000Z');
});
