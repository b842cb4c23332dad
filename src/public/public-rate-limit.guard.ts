import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { consumeOrRefuse, sharedRateLimiter } from '../core/rate-limit.js';
import { REDIS } from '../core/redis/redis.module.js';
import { clientAddressKey } from '../consumers/rate-limits.js';

/**
 * PUBLIC_RATE_LIMIT_PER_MINUTE requests per client address (IPv4, or the IPv6 /64) per fixed minute, over
 * all public API endpoints, counted in Redis (`<REDIS_PREFIX>:rl:public:`) so every API replica shares the
 * count. Over the limit: 429 RATE_LIMITED with Retry-After. While Redis is down each process counts in
 * memory instead (the insurance limiter), so the public pages keep answering.
 */
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.limiter = sharedRateLimiter(redis, config.REDIS_PREFIX, 'public', { points: config.PUBLIC_RATE_LIMIT_PER_MINUTE, durationSeconds: 60 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await consumeOrRefuse(this.limiter, clientAddressKey(request.ip), 'Too many requests');
    return true;
  }
}
