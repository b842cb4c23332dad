import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { createRedisClient, type RedisClient } from './redis.js';
import { REDIS } from './redis-token.js';

/**
 * What a cache of some process may have to forget: `public` (the public API's cache; `key` unused),
 * `staff-access` (one staff account's status and roles; `key` the staff id).
 */
export type InvalidationTopic = 'public' | 'staff-access';

export interface Invalidation {
  topic: InvalidationTopic;
  /** What to forget within the topic; absent: everything of the topic (also sent after a reconnection). */
  key?: string;
}

type Handler = (key: string | undefined) => void;

/**
 * Cross-process invalidation of in-process caches over Redis pub/sub, on `<REDIS_PREFIX>:invalidate` (a
 * cluster broadcasts PUBLISH to every node, so it works there too). `publish` is best effort: a Redis error is
 * logged and swallowed, because every cache using this also expires on its own (its stated staleness). While
 * the subscription is down messages are lost, so after every (re)subscription each handler is told to forget
 * everything of its topic.
 */
@Injectable()
export class CacheInvalidation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CacheInvalidation');
  private readonly channel: string;
  private readonly handlers = new Map<InvalidationTopic, Handler[]>();
  private subscriber: RedisClient | null = null;
  private lastWarning = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.channel = `${config.REDIS_PREFIX}:invalidate`;
  }

  /** Registers what this process forgets on `topic`. */
  on(topic: InvalidationTopic, handler: Handler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Tells every process (this one included, through Redis) to forget `key` of `topic`. Idempotent. */
  async publish(topic: InvalidationTopic, key?: string): Promise<void> {
    this.deliver({ topic, key }); // at once here, whatever Redis does
    try {
      await this.redis.publish(this.channel, JSON.stringify({ topic, key }));
    } catch (error) {
      this.warn(`could not publish an invalidation of ${topic}: ${(error as Error).message}`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = createRedisClient(this.config, { retryStrategy: (times) => Math.min(times * 200, 2000), maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.warn(`subscription: ${error.message}`));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const parsed = JSON.parse(message) as Invalidation;
        if (this.handlers.has(parsed.topic)) this.deliver(parsed);
      } catch {
        this.warn('ignored a malformed invalidation message');
      }
    });
    // ioredis re-subscribes after a reconnection; what was published meanwhile is lost: forget everything.
    let subscribedOnce = false;
    subscriber.on('ready', () => {
      if (subscribedOnce) for (const topic of this.handlers.keys()) this.deliver({ topic });
    });
    // Not awaited beyond a short wait: a process starts while Redis is down, and subscribes once it is back.
    const subscribed = subscriber.subscribe(this.channel).then(
      () => (subscribedOnce = true),
      (error: Error) => this.warn(`could not subscribe: ${error.message}`),
    );
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private deliver({ topic, key }: Invalidation): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        handler(key);
      } catch (error) {
        this.warn(`an invalidation handler of ${topic} failed: ${(error as Error).message}`);
      }
    }
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(message);
  }
}
