import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './errors/domain-error.js';
import { rateLimitRefusals } from './metrics/metrics.js';

export interface LimitWindow {
  points: number;
  durationSeconds: number;
  /** Once the points are used up, refuse for this long (default: until the window ends). */
  blockDurationSeconds?: number;
}

/**
 * A limit counted in Redis under `<prefix>:rl:<name>:`, so every API replica shares the count, in real time
 * (Redis TTL, not the service clock). While Redis is unreachable each process counts in memory instead, so
 * the endpoint keeps answering, still limited. (The consumer sign-in limits deliberately have no such
 * fallback: an SMS sent is money spent, so they answer 503 instead.)
 */
export function sharedRateLimiter(redis: Redis, prefix: string, name: string, window: LimitWindow): RateLimiterRedis {
  const limits = { points: window.points, duration: window.durationSeconds, blockDuration: window.blockDurationSeconds ?? 0 };
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:${name}`,
    ...limits,
    insuranceLimiter: new RateLimiterMemory(limits),
  });
}

/** The one 429 of every rate limit: RATE_LIMITED, with Retry-After in whole seconds (at least 1). */
export function rateLimitedError(msBeforeNext: number, tooMany: string): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return DomainError.tooManyRequests('RATE_LIMITED', `${tooMany}; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
}

/** The name of a limit (`<prefix>:rl:<name>`), the label of its refusals in il_rate_limit_refusals_total. */
function limitName(limiter: RateLimiterRedis): string {
  const prefix = limiter.keyPrefix;
  const at = prefix.lastIndexOf(':rl:');
  return at >= 0 ? prefix.slice(at + 4) : prefix;
}

/** Takes one point for `key`, or throws rateLimitedError when the limit refuses; other errors propagate. */
export async function consumeOrRefuse(limiter: RateLimiterRedis, key: string, tooMany: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      rateLimitRefusals.inc({ limit: limitName(limiter) });
      throw rateLimitedError(error.msBeforeNext, tooMany);
    }
    throw error;
  }
}

/** Points taken from several limits at once; `refund()` gives them back (for outcomes that should not count). */
export interface TakenPoints {
  refund(): Promise<void>;
}

/**
 * Takes one point from each of several limits (each `[limiter, key]`), all at once. When any refuses, or
 * Redis fails, the points taken from the others are given back (nothing was done, so nothing is charged)
 * and rateLimitedError is thrown with the longest wait of the refusing ones, or the Redis error. Not
 * idempotent: it counts attempts.
 */
export async function consumeAllOrRefuse(checks: ReadonlyArray<readonly [RateLimiterRedis, string]>, tooMany: string): Promise<TakenPoints> {
  const results = await Promise.allSettled(checks.map(([limiter, key]) => limiter.consume(key)));
  const taken = checks.filter((_, i) => results[i].status === 'fulfilled');
  const refund = () => Promise.allSettled(taken.map(([limiter, key]) => limiter.reward(key))).then(() => undefined);
  const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (refusals.length === 0) return { refund };
  await refund();
  const other = refusals.find((r) => !(r instanceof RateLimiterRes));
  if (other !== undefined) throw other;
  checks.forEach(([limiter], i) => {
    if (results[i].status === 'rejected') rateLimitRefusals.inc({ limit: limitName(limiter) });
  });
  throw rateLimitedError(Math.max(...refusals.map((r) => (r as RateLimiterRes).msBeforeNext)), tooMany);
}
