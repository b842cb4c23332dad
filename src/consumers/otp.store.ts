import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { REDIS } from '../core/redis/redis.module.js';

/** A login code lives 5 minutes, on the service clock and (as a backstop) in real time via the Redis TTL. */
export const OTP_TTL_SECONDS = 300;
/** Guesses per code: the 5th wrong one kills it. With 5 codes per phone per hour that is ≤ 25 guesses in 10^6 per hour. */
export const OTP_MAX_TRIES = 5;

export type OtpCheck =
  | { result: 'ok' }
  | { result: 'invalid'; attemptsLeft: number }
  | { result: 'locked' }
  | { result: 'expired' };

/**
 * Reads the code's record, refuses it when absent, expired on the service clock (then deletes it) or
 * locked; otherwise reserves one try (HINCRBY) before the caller compares, so concurrent guesses can
 * never exceed OTP_MAX_TRIES in total. KEYS[1] the code key; ARGV: now (ms), TTL (ms), max tries.
 */
const CHECK_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 'h', 's', 't', 'n')
if not v[1] then return {'absent'} end
if tonumber(ARGV[1]) - tonumber(v[3]) > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'expired'}
end
if tonumber(v[4]) >= tonumber(ARGV[3]) then return {'locked'} end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
return {'check', tostring(n), v[1], v[2]}
`;

/** Deletes the code only if it is still the one that was checked (same salt): single use under concurrency. */
const CONSUME_SCRIPT = `
if redis.call('HGET', KEYS[1], 's') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * One-time login codes in Redis, one per phone: `<REDIS_PREFIX>:otp:<phone lookup hash>` is a hash of
 * h (keyed HMAC of salt + code, never the code), s (random salt), t (issue time on the service clock, ms)
 * and n (tries used). Neither the phone nor the code is stored in clear.
 */
@Injectable()
export class OtpStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly pii: PiiProtector,
  ) {}

  /** Not idempotent: each call creates a new code for the phone (by its lookup hash), replacing any earlier one. Returns the code. */
  async issue(phoneHash: string): Promise<string> {
    const code = this.config.AUTH_DEV_OTP ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(16).toString('hex');
    const key = this.key(phoneHash);
    const results = await this.redis
      .multi()
      .del(key)
      .hset(key, { h: this.codeHash(salt, code), s: salt, t: String(this.clock.now().getTime()), n: '0' })
      .pexpire(key, OTP_TTL_SECONDS * 1000)
      .exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction was discarded');
    return code;
  }

  /** Not idempotent by design: a correct code is consumed (single use, also under concurrency), a wrong one uses up one of OTP_MAX_TRIES. */
  async verify(phoneHash: string, code: string): Promise<OtpCheck> {
    const key = this.key(phoneHash);
    const reply = (await this.redis.eval(
      CHECK_SCRIPT,
      1,
      key,
      String(this.clock.now().getTime()),
      String(OTP_TTL_SECONDS * 1000),
      String(OTP_MAX_TRIES),
    )) as string[];
    const [state, tries, hash, salt] = reply;
    if (state === 'absent' || state === 'expired') return { result: 'expired' };
    if (state === 'locked') return { result: 'locked' };
    const used = Number(tries);
    if (!this.matches(hash, this.codeHash(salt, code))) {
      return used >= OTP_MAX_TRIES ? { result: 'locked' } : { result: 'invalid', attemptsLeft: OTP_MAX_TRIES - used };
    }
    // Right code: it counts only if we are the one who deletes it (not used by a concurrent request, not replaced).
    const deleted = Number(await this.redis.eval(CONSUME_SCRIPT, 1, key, salt));
    return deleted === 1 ? { result: 'ok' } : { result: 'expired' };
  }

  private key(phoneHash: string): string {
    return `${this.config.REDIS_PREFIX}:otp:${phoneHash}`;
  }

  private codeHash(salt: string, code: string): string {
    return this.pii.lookupHash('otp', `${salt}:${code}`);
  }

  private matches(expectedHex: string, actualHex: string): boolean {
    const a = Buffer.from(expectedHex, 'hex');
    const b = Buffer.from(actualHex, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
