import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { consumeAllOrRefuse } from '../core/rate-limit.js';
import { REDIS } from '../core/redis/redis.module.js';

/**
 * Every limit on consumer sign-in, in one place. The counters live in Redis (RateLimiterRedis on the shared
 * client, keys under `<REDIS_PREFIX>:rl:<name>:`), so all API replicas share them. Windows are fixed and
 * run in real time (Redis TTL), not on the service clock: they guard against real request floods and real
 * SMS cost, which a simulated clock does not speed up.
 */
export const RATE_LIMITS = {
  /** One code per phone per minute: the app's "resend" countdown; stops double taps costing two SMS. */
  otpPerPhoneMinute: { points: 1, durationSeconds: 60 },
  /** Five codes per phone per hour: enough for a user who mistypes, stops SMS bombing of one number. */
  otpPerPhoneHour: { points: 5, durationSeconds: 3600 },
  /**
   * Thirty codes per client address per hour: generous for a household, office or campus behind one NAT
   * (many people, each needing a code about once a week, since tokens last 7 days), but stops one client
   * spraying codes to many numbers.
   */
  otpPerIpHour: { points: 30, durationSeconds: 3600 },
  /**
   * Sixty login attempts per client address per 10 minutes: a shared NAT's users logging in with a typo
   * or two fit easily; guessing codes is already bounded per code (OTP_MAX_TRIES) and per phone (the
   * hourly code limit), this stops one client hammering many phones at once.
   */
  loginPerIp: { points: 60, durationSeconds: 600 },
  /**
   * Five identity attempts per account per hour: a user who mistypes their name or number twice still gets
   * through; each attempt is a paid call to the verification provider, and a prober learns at most five
   * answers an hour per account.
   */
  identityPerConsumerHour: { points: 5, durationSeconds: 3600 },
  /** Twenty identity attempts per client address per hour: stops one client probing through many accounts. */
  identityPerIpHour: { points: 20, durationSeconds: 3600 },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

/** Redis-backed counters for the limits above; `consume` throws 429 RATE_LIMITED with retryAfterSeconds. */
@Injectable()
export class AuthRateLimiter {
  private readonly limiters: Record<RateLimitName, RateLimiterRedis>;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const build = (name: RateLimitName) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.REDIS_PREFIX}:rl:${name}`,
        points: RATE_LIMITS[name].points,
        duration: RATE_LIMITS[name].durationSeconds,
      });
    this.limiters = {
      otpPerPhoneMinute: build('otpPerPhoneMinute'),
      otpPerPhoneHour: build('otpPerPhoneHour'),
      otpPerIpHour: build('otpPerIpHour'),
      loginPerIp: build('loginPerIp'),
      identityPerConsumerHour: build('identityPerConsumerHour'),
      identityPerIpHour: build('identityPerIpHour'),
    };
  }

  /**
   * Not idempotent (it counts requests). Takes one point from each limit (consumeAllOrRefuse). When one
   * refuses, the points taken from the others are given back (nothing was done, so nothing should be
   * charged) and 429 RATE_LIMITED is thrown. Redis errors propagate (the exception filter answers 503).
   */
  async consume(...checks: Array<[RateLimitName, string]>): Promise<void> {
    await consumeAllOrRefuse(
      checks.map(([name, key]) => [this.limiters[name], key] as const),
      'Too many requests',
    );
  }
}

/**
 * The rate-limit key of a client address: IPv4 as is (also when IPv4-mapped, '::ffff:1.2.3.4'), IPv6 by
 * its /64 prefix, because one subscriber line usually gets a whole /64 (or more) and could otherwise rotate
 * addresses freely. Anything unparsable is used verbatim.
 */
export function clientAddressKey(ip: string | undefined): string {
  const address = (ip ?? '').trim();
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address (lowercase, no leading zeros), or null if malformed. */
function expandIpv6(address: string): string[] | null {
  const [withoutZone] = address.split('%');
  const halves = withoutZone.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): string[] | null => {
    if (part === '') return [];
    const out: string[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const octets = piece.split('.').map(Number);
        if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
        out.push(((octets[0] << 8) | octets[1]).toString(16), ((octets[2] << 8) | octets[3]).toString(16));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16).toString(16));
      } else return null;
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...Array<string>(missing).fill('0'), ...tail];
}
