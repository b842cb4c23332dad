import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { clientAddressKey } from '../consumers/rate-limits.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { consumeAllOrRefuse, sharedRateLimiter, type TakenPoints } from '../core/rate-limit.js';
import { REDIS } from '../core/redis/redis.module.js';

/** A counted attempt: `refund()` gives its points back when it was not a failed sign-in. */
export type StaffLoginAttempt = TakenPoints;

/**
 * Password guessing limits of the staff sign-in (the API's login and the Bull Board's login form), in the
 * same style as the consumer sign-in limits (src/consumers/rate-limits.ts): RateLimiterRedis counters on the
 * shared client under `<REDIS_PREFIX>:rl:<name>:`, so every API replica shares them.
 *
 * Each attempt takes a point per username (exact, as typed) and per client address (IPv4, or the IPv6 /64)
 * before the password is checked, so concurrent guesses cannot overtake the count; a successful sign-in gives
 * its points back, so only failures count. Within STAFF_LOGIN_WINDOW_SECONDS, more than
 * STAFF_LOGIN_MAX_FAILURES_PER_USERNAME failures for one username, or STAFF_LOGIN_MAX_FAILURES_PER_IP from
 * one address, lock that username or address out for a further window: 429 RATE_LIMITED with Retry-After,
 * and the password is not even checked (a right one would not be told apart from a wrong one).
 *
 * While Redis is unreachable each process counts in memory instead (as the public rate limit does), so
 * staff can still sign in during a Redis outage, still limited.
 */
@Injectable()
export class StaffLoginLimiter {
  private readonly perUsername: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const duration = config.STAFF_LOGIN_WINDOW_SECONDS;
    const build = (name: string, points: number) =>
      sharedRateLimiter(redis, config.REDIS_PREFIX, name, { points, durationSeconds: duration, blockDurationSeconds: duration });
    this.perUsername = build('staffLoginPerUsername', config.STAFF_LOGIN_MAX_FAILURES_PER_USERNAME);
    this.perIp = build('staffLoginPerIp', config.STAFF_LOGIN_MAX_FAILURES_PER_IP);
  }

  /**
   * Takes one point from both limits, or throws 429 RATE_LIMITED (with retryAfterSeconds) when either is used
   * up; the point taken from the other one is then given back. Not idempotent: it counts attempts.
   */
  attempt(username: string, clientIp: string | undefined): Promise<StaffLoginAttempt> {
    return consumeAllOrRefuse(
      [
        [this.perUsername, createHash('sha256').update(username, 'utf8').digest('hex')],
        [this.perIp, clientAddressKey(clientIp)],
      ],
      'Too many failed sign-ins',
    );
  }
}
