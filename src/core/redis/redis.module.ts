import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { CacheInvalidation } from './cache-invalidation.js';
import { REDIS } from './redis-token.js';
import { createRedisClient, type RedisClient } from './redis.js';

export { REDIS };

/**
 * The shared Redis client for request-time work (rate limits, caches, health). It fails fast while
 * Redis is down (no offline queue) or silent (command timeout), so requests answer 503 instead of hanging.
 * With REDIS_CLUSTER_NODES it is an ioredis Cluster (same commands; every one the service sends touches one
 * key), so consumers keep the `Redis` type for its command signatures.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Redis');
        const client = createRedisClient(config, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          // A silent network (no FIN, no RST) leaves an open connection that never answers: without this,
          // the fail-fast above does not apply and a request would wait until TCP gives up (many minutes).
          // 1 s, not 2: with auto-pipelining a command may first wait for the pipeline already in flight to
          // time out, so a request notices a silent Redis within ~2 s either way.
          commandTimeout: 1000,
          lazyConnect: false,
          // Commands issued in the same turn of the event loop (concurrent requests' rate-limit checks) go out
          // as one pipeline: one write and one wake-up of Redis instead of one per request. The next pipeline
          // goes out when the one in flight is answered.
          enableAutoPipelining: true,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        });
        let lastLogged = 0;
        client.on('error', (error: Error) => {
          if (Date.now() - lastLogged > 10_000) {
            lastLogged = Date.now();
            logger.warn(`Redis connection error: ${error.message}`);
          }
        });
        return client;
      },
    },
    CacheInvalidation,
  ],
  exports: [REDIS, CacheInvalidation],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
