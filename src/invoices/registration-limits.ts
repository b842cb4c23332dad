import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { consumeOrRefuse, sharedRateLimiter } from '../core/rate-limit.js';
import { REDIS } from '../core/redis/redis.module.js';

/**
 * Attempts per consumer and hour. Far above what a person needs (the daily limit stores 5 a day), so it
 * only stops floods and guessing.
 */
export const REGISTRATION_POINTS_PER_HOUR = 100;
/**
 * What a registration the tax bureau's record contradicts (422 INVOICE_MISMATCH) costs in all. Such an
 * answer tells whether a guessed amount, date or check code is right, so guesses are made expensive: 10 an
 * hour at most, which puts guessing the 6 check-code digits people type out of reach (~50 years for half
 * the code space), while a person who mistypes a few times is not held up.
 */
export const MISMATCH_COST = 10;

/**
 * The rate limit on invoice registration, per consumer: a shared limit (sharedRateLimiter) under
 * `<REDIS_PREFIX>:rl:registration:`; during a Redis outage registration goes on, still limited.
 */
@Injectable()
export class RegistrationLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.limiter = sharedRateLimiter(redis, config.REDIS_PREFIX, 'registration', { points: REGISTRATION_POINTS_PER_HOUR, durationSeconds: 3600 });
  }

  /** Takes a point for one attempt, or throws 429 RATE_LIMITED with retryAfterSeconds. Not idempotent. */
  async attempt(consumerId: number): Promise<void> {
    await consumeOrRefuse(this.limiter, String(consumerId), 'Too many registration attempts');
  }

  /** Charges the rest of MISMATCH_COST for an attempt the registry contradicted. Never throws for the limit. */
  async contradicted(consumerId: number): Promise<void> {
    await this.limiter.penalty(String(consumerId), MISMATCH_COST - 1);
  }
}
