import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { clientAddressKey } from '../consumers/rate-limits.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import { consumeAllOrRefuse, rateLimitedError, sharedRateLimiter, type TakenPoints } from '../core/rate-limit.js';
import { REDIS } from '../core/redis/redis.module.js';

/** A counted attempt: `refund()` gives its points back when it was not a failed sign-in. */
export type StaffLoginAttempt = TakenPoints;

/** The longest lockout of one (username, address) pair, however often it is locked. */
const MAX_PAIR_LOCKOUT_SECONDS = 24 * 3600;

/**
 * Password guessing limits of the staff sign-in (the API's login and the Bull Board's login form), in the
 * same style as the consumer sign-in limits (src/consumers/rate-limits.ts): RateLimiterRedis counters on the
 * shared client under `<REDIS_PREFIX>:rl:<name>:`, so every API replica shares them.
 *
 * Each attempt takes a point per (username, client address) pair, per username and per client address (IPv4,
 * or the IPv6 /64) before the password is checked, so concurrent guesses cannot overtake the count; a
 * successful sign-in gives its points back, so only failures count. Within STAFF_LOGIN_WINDOW_SECONDS:
 *  - STAFF_LOGIN_MAX_FAILURES_PER_PAIR failures lock that pair, with a growing delay: the window, then twice
 *    it, four times, … (up to a day), counted over the last day. A guesser locks out only themselves: the
 *    account's owner signs in from their own address;
 *  - STAFF_LOGIN_MAX_FAILURES_PER_USERNAME (much higher) locks the username everywhere for a window: a
 *    distributed guess; an admin can lift it (unlock);
 *  - STAFF_LOGIN_MAX_FAILURES_PER_IP locks an address for a window.
 * Locked: 429 RATE_LIMITED with Retry-After, and the password is not even checked.
 *
 * While Redis is unreachable each process counts in memory instead (as the public rate limit does), so
 * staff can still sign in during a Redis outage, still limited.
 */
@Injectable()
export class StaffLoginLimiter {
  private readonly perUsername: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;
  private readonly perPair: RateLimiterRedis;
  private readonly pairLockouts: RateLimiterRedis;
  private readonly pairPoints: number;
  private readonly window: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const duration = config.STAFF_LOGIN_WINDOW_SECONDS;
    const build = (name: string, points: number, blockDurationSeconds?: number, durationSeconds = duration) =>
      sharedRateLimiter(redis, config.REDIS_PREFIX, name, { points, durationSeconds, blockDurationSeconds });
    this.window = duration;
    this.pairPoints = config.STAFF_LOGIN_MAX_FAILURES_PER_PAIR;
    this.perUsername = build('staffLoginPerUsername', config.STAFF_LOGIN_MAX_FAILURES_PER_USERNAME, duration);
    this.perIp = build('staffLoginPerIp', config.STAFF_LOGIN_MAX_FAILURES_PER_IP, duration);
    // No automatic block: the first refusal past the limit sets a block of a growing length (lockPair).
    this.perPair = build('staffLoginPerPair', this.pairPoints, 0);
    this.pairLockouts = build('staffLoginPairLockouts', 1_000_000, 0, 24 * 3600);
  }

  /**
   * Takes one point from each limit, or throws 429 RATE_LIMITED (with retryAfterSeconds) when one is used up;
   * the points taken from the others are then given back. Not idempotent: it counts attempts.
   */
  async attempt(username: string, clientIp: string | undefined): Promise<StaffLoginAttempt> {
    const user = usernameKey(username);
    const pair = `${user}:${clientAddressKey(clientIp)}`;
    try {
      return await consumeAllOrRefuse(
        [
          [this.perUsername, user],
          [this.perIp, clientAddressKey(clientIp)],
          [this.perPair, pair],
        ],
        'Too many failed sign-ins',
      );
    } catch (error) {
      if (error instanceof DomainError && error.statusCode === 429) throw (await this.lockPairIfJustOver(pair, error)) ?? error;
      throw error;
    }
  }

  /**
   * Lifts the username's own lockout and the lockouts of every (username, address) pair, so the account's
   * owner can sign in at once. Idempotent. Address lockouts stay (they are about the address, not the account).
   */
  async unlock(username: string): Promise<void> {
    const user = usernameKey(username);
    await this.perUsername.delete(user);
    const prefix = this.config.REDIS_PREFIX;
    for (const name of ['staffLoginPerPair', 'staffLoginPairLockouts']) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}:rl:${name}:${user}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await this.redis.del(...keys);
      } while (cursor !== '0');
    }
  }

  /** The first refusal past the pair's limit locks it for window × 2^(lockouts in the last day − 1), at most a day. */
  private async lockPairIfJustOver(pair: string, refusal: DomainError): Promise<DomainError | null> {
    const state = await this.perPair.get(pair);
    if (!state || state.consumedPoints !== this.pairPoints + 1) return null;
    const lockouts = (await this.pairLockouts.consume(pair)).consumedPoints;
    const seconds = Math.min(MAX_PAIR_LOCKOUT_SECONDS, this.window * 2 ** Math.min(lockouts - 1, 20));
    await this.perPair.block(pair, seconds);
    const retryAfterSeconds = Number(refusal.details?.retryAfterSeconds ?? 0);
    return seconds > retryAfterSeconds ? rateLimitedError(seconds * 1000, 'Too many failed sign-ins') : null;
  }
}

function usernameKey(username: string): string {
  return createHash('sha256').update(username, 'utf8').digest('hex');
}
