import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
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
 * The rate limit on invoice registration, per consumer, in the style of the sign-in limits
 * (src/consumers/rate-limits.ts): a RateLimiterRedis counter under `<REDIS_PREFIX>:rl:registration:`, shared
 * by every API replica, in real time. While Redis is unreachable each process counts in memory instead, so
 * registration goes on during a Redis outage, still limited.
 */
@Injectable()
export class RegistrationLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const points = REGISTRATION_POINTS_PER_HOUR;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}:rl:registration`,
      points,
      duration: 3600,
      insuranceLimiter: new RateLimiterMemory({ points, duration: 3600 }),
    });
  }

  /** Takes a point for one attempt, or throws 429 RATE_LIMITED with retryAfterSeconds. Not idempotent. */
  async attempt(consumerId: number): Promise<void> {
    try {
      await this.limiter.consume(String(consumerId));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw DomainError.tooManyRequests('RATE_LIMITED', `Too many registration attempts; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
    }
  }

  /** Charges the rest of MISMATCH_COST for an attempt the registry contradicted. Never throws for the limit. */
  async contradicted(consumerId: number): Promise<void> {
    await this.limiter.penalty(String(consumerId), MISMATCH_COST - 1);
  }
}
