import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { QueueName } from './queue-names.js';

/**
 * BullMQ connection settings. Workers must wait out Redis outages (maxRetriesPerRequest null); producers
 * in the API fail fast instead, so a request answers 503 rather than hanging while Redis is down.
 */
export function bullConnection(config: AppConfig, role: 'producer' | 'worker'): ConnectionOptions {
  return role === 'worker'
    ? { url: config.REDIS_URL, maxRetriesPerRequest: null }
    : { url: config.REDIS_URL, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
}

/** Producer side of the queues: lazily opened, one Queue per name, closed on shutdown. */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger('QueueService');
  private readonly queues = new Map<string, Queue>();
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: bullConnection(this.config, 'producer'), prefix: this.config.REDIS_PREFIX });
      // Without a listener an 'error' event would crash the process while Redis is down.
      queue.on('error', (error) => this.logThrottled(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds a job; with a deterministic `jobId` a repeated add is a no-op while the first job is kept. */
  async add<T>(name: QueueName, jobName: string, data: T, options: JobsOptions = {}) {
    return this.queue(name).add(jobName, data, {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 86400, count: 1000 },
      removeOnFail: { age: 30 * 86400 },
      ...options,
    });
  }

  private logThrottled(error: Error): void {
    if (Date.now() - this.lastErrorLog > 10_000) {
      this.lastErrorLog = Date.now();
      this.logger.warn(`Queue connection error: ${error.message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => this.closeQueue(q)));
  }

  /**
   * While Redis is down, close() cannot send QUIT and BullMQ leaves the ioredis client retrying to connect
   * for ever (the process would not exit on its own); disconnecting the client as well stops that.
   */
  private async closeQueue(queue: Queue): Promise<void> {
    const client = await Promise.race([queue.getBackend().client, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000).unref())]).catch(() => null);
    try {
      await queue.close();
    } finally {
      client?.disconnect();
    }
  }
}
