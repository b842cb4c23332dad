import type { AppConfig } from '../config/config.schema.js';
import { createRedisClient, type RedisTarget } from '../redis/redis.js';
import { ServiceClock } from './clock.js';

/** How long a starting process waits for Redis to agree on the shared anchor before giving up. */
const SHARED_ANCHOR_TIMEOUT_MS = 30_000;

/** The Redis key of the shared anchor of a simulated clock: one per prefix, start and rate. */
export function sharedAnchorKey(prefix: string, start: Date, rate: number): string {
  return `${prefix}:clock-anchor:${start.toISOString()}:${rate}`;
}

/**
 * CLOCK_ANCHOR=shared: the real instant (epoch ms) at which the simulated clock reads CLOCK_START, the same
 * for every process of a deployment and across their restarts. The first process to ask records its own
 * start (SET NX, no expiry); every later one, and every restart, reads that one.
 */
export async function sharedClockAnchor(target: string | RedisTarget, key: string, timeoutMs = SHARED_ANCHOR_TIMEOUT_MS): Promise<number> {
  const giveUpAt = Date.now() + timeoutMs;
  const redis = createRedisClient(typeof target === 'string' ? { REDIS_URL: target } : target, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    // Until Redis answers (it may still be starting): retry, then give up with the last error.
    retryStrategy: () => (Date.now() < giveUpAt ? 500 : null),
  });
  redis.on('error', () => undefined);
  try {
    for (;;) {
      try {
        if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
        await redis.set(key, String(Date.now()), 'NX');
        const stored = Number(await redis.get(key));
        if (!Number.isSafeInteger(stored) || stored <= 0) throw new Error(`Redis key ${key} does not hold a clock anchor`);
        return stored;
      } catch (error) {
        if (Date.now() >= giveUpAt || /clock anchor/.test((error as Error).message))
          throw new Error(`CLOCK_ANCHOR=shared: could not read or record the clock anchor in Redis: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** The service clock of a configuration: real time, or simulated from CLOCK_START at CLOCK_RATE from CLOCK_ANCHOR. */
export async function createServiceClock(config: Pick<AppConfig, 'CLOCK_START' | 'CLOCK_RATE' | 'CLOCK_ANCHOR' | 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_PREFIX'>): Promise<ServiceClock> {
  if (!config.CLOCK_START) return new ServiceClock();
  const start = new Date(config.CLOCK_START);
  const anchor =
    config.CLOCK_ANCHOR === 'shared'
      ? await sharedClockAnchor(config, sharedAnchorKey(config.REDIS_PREFIX, start, config.CLOCK_RATE))
      : config.CLOCK_ANCHOR
        ? Date.parse(config.CLOCK_ANCHOR)
        : undefined;
  return new ServiceClock(start, config.CLOCK_RATE, anchor);
}
