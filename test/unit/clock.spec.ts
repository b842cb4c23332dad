import { jest } from '@jest/globals';
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

test('a manual clock moves only when told', () => {
  const clock = new ManualClock('2022-08-01T00:00:00Z');
  expect(clock.now().toISOString()).toBe('2022-08-01T00:00:00.000Z');
  clock.advance(60_000);
  expect(clock.now().toISOString()).toBe('2022-08-01T00:01:00.000Z');
  clock.set('2022-12-31T23:59:59Z');
  expect(clock.now().toISOString()).toBe('2022-12-31T23:59:59.000Z');
});
