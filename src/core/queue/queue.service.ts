import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type ConnectionOptions, type JobsOptions, type QueueOptions } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { createRedisClient, isCluster, queuePrefix } from '../redis/redis.js';
import type { JobData, JobName } from './job-contracts.js';
import type { QueueName } from './queue-names.js';

/** How long a producer's Redis command (adding a job, reading one) may take before it fails (503 in the API). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 2000;

/**
 * BullMQ connection settings. Workers must wait out Redis outages (maxRetriesPerRequest null, no command
 * timeout: BullMQ requires it of blocking connections). Producers fail within PRODUCER_COMMAND_TIMEOUT_MS
 * instead, so a request answers 503 rather than hanging, whatever the outage: refused or reset (a command
 * waits in the offline queue for the reconnection and fails after one retry or the timeout), a silent
 * network with no connection yet (connectTimeout), or an open connection that went silent (no FIN, no RST:
 * only the command timeout notices; BullMQ's usual advice, enableOfflineQueue false, does not).
 *
 * The offline queue (bounded by the timeout) lets the first command of a queue opened just now, e.g. the
 * worker's scheduler upserts at start-up, wait for its connection instead of failing at once. A command
 * that timed out there may still be sent once Redis is back: a 503 means "not known to be queued", and
 * every job is safe to queue twice (deterministic ids, idempotent handlers).
 */
export function bullConnection(config: AppConfig, role: 'producer' | 'worker'): ConnectionOptions {
  const behaviour =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: true,
          connectTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
          commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
          // Reconnect within 2 s after an outage, as the shared client does (BullMQ's default backs off to 20 s).
          retryStrategy: (times: number) => Math.min(times * 200, 2000),
        };
  // BullMQ takes a cluster only as a client instance; it does not close instances it is given, so the
  // caller disconnects it (closeBullClient) after closing the queue or worker.
  if (isCluster(config)) return createRedisClient(config, behaviour);
  return { url: config.REDIS_URL, ...behaviour };
}

/** Disconnects a client made by bullConnection for a cluster (BullMQ closes the ones it made itself). */
export function closeBullClient(connection: ConnectionOptions): void {
  if (typeof (connection as { disconnect?: unknown }).disconnect === 'function') (connection as { disconnect(): void }).disconnect();
}

/** How often the job schedulers upserted through QueueService are checked, and re-created when missing. */
export const SCHEDULER_CHECK_EVERY_MS = 5_000;

type UpsertArgs = Parameters<Queue['upsertJobScheduler']>;

/**
 * A Queue that reports the job schedulers upserted (and removed) through it, so QueueService can keep them:
 * a job scheduler lives in Redis only, so a Redis that comes back empty (restarted without persistence,
 * failed over to an empty replica, flushed) would otherwise never run its jobs again.
 */
class SchedulerKeepingQueue extends Queue {
  constructor(
    name: string,
    options: QueueOptions,
    private readonly kept: { keep(queue: string, args: UpsertArgs): void; forget(queue: string, id: string): void },
  ) {
    super(name, options);
  }

  override upsertJobScheduler(...args: UpsertArgs): ReturnType<Queue['upsertJobScheduler']> {
    // Kept before the upsert: should Redis be down right now, the check re-creates it once it is back.
    this.kept.keep(this.name, args);
    return super.upsertJobScheduler(...args);
  }

  override removeJobScheduler(id: string): Promise<boolean> {
    this.kept.forget(this.name, id);
    return super.removeJobScheduler(id);
  }
}

/**
 * Producer side of the queues: lazily opened, one Queue per name, closed on shutdown.
 *
 * Job schedulers upserted through these queues (the worker's draw tick, daily recheck and prize forfeiture)
 * are kept: every SCHEDULER_CHECK_EVERY_MS each one is looked up in Redis and upserted again when it is
 * missing, because Redis may have lost it (a restart without persistence) or never got it (Redis down when
 * the worker started). The jobs they run are idempotent, so a re-created scheduler's immediate first run
 * is harmless.
 */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger('QueueService');
  private readonly queues = new Map<string, Queue>();
  private readonly connections = new Map<string, ConnectionOptions>();
  private readonly schedulers = new Map<string, { queue: QueueName; args: UpsertArgs }>();
  private schedulerTimer: NodeJS.Timeout | null = null;
  private checkingSchedulers: Promise<void> | null = null;
  private closing = false;
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const connection = bullConnection(this.config, 'producer');
      this.connections.set(name, connection);
      queue = new SchedulerKeepingQueue(
        name,
        {
          connection,
          prefix: queuePrefix(this.config),
          // BullMQ otherwise waits for the first connection without any bound (a silent Redis at the first
          // use of a queue would hang the request for good) and asks for the server version (INFO) before
          // the first command, a failure of which would break the queue for the life of the process.
          // Commands sent before the connection is ready wait in the offline queue, bounded by the command
          // timeout.
          skipWaitingForReady: true,
          skipVersionCheck: true,
        },
        { keep: (queueName, args) => this.keepScheduler(queueName as QueueName, args), forget: (queueName, id) => this.schedulers.delete(`${queueName}/${id}`) },
      );
      // Without a listener an 'error' event would crash the process while Redis is down.
      queue.on('error', (error) => this.logThrottled(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Adds a job declared in the queue's contract (job-contracts.ts), with its payload type; with a
   * deterministic `jobId` a repeated add is a no-op while the first job is kept.
   */
  async add<Q extends QueueName, N extends JobName<Q>>(name: Q, jobName: N, data: JobData<Q, N>, options: JobsOptions = {}) {
    return this.queue(name).add(jobName, data, {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 86400, count: 1000 },
      removeOnFail: { age: 30 * 86400 },
      ...options,
    });
  }

  /**
   * Looks up every kept job scheduler and upserts the missing ones again; returns the ids re-created. Runs
   * every SCHEDULER_CHECK_EVERY_MS; one check at a time. Redis errors are logged (throttled), not thrown.
   */
  checkSchedulers(): Promise<string[]> {
    const run = async (): Promise<string[]> => {
      const recreated: string[] = [];
      for (const [key, { queue: name, args }] of [...this.schedulers]) {
        if (this.closing) break;
        try {
          const queue = this.queue(name);
          if (await queue.getJobScheduler(args[0])) continue;
          if (!this.schedulers.has(key)) continue; // removed meanwhile
          await queue.upsertJobScheduler(...args);
          recreated.push(key);
          this.logger.warn(`Job scheduler ${key} was missing from Redis (Redis restarted or flushed?): re-created`);
        } catch (error) {
          this.logThrottled(error as Error);
        }
      }
      return recreated;
    };
    const previous = this.checkingSchedulers ?? Promise.resolve();
    const current = previous.then(run);
    this.checkingSchedulers = current.then(
      () => undefined,
      () => undefined,
    );
    return current;
  }

  private keepScheduler(name: QueueName, args: UpsertArgs): void {
    this.schedulers.set(`${name}/${args[0]}`, { queue: name, args });
    if (this.schedulerTimer || this.closing) return;
    this.schedulerTimer = setInterval(() => void this.checkSchedulers(), SCHEDULER_CHECK_EVERY_MS);
    this.schedulerTimer.unref();
  }

  private logThrottled(error: Error): void {
    if (Date.now() - this.lastErrorLog > 10_000) {
      this.lastErrorLog = Date.now();
      this.logger.warn(`Queue connection error: ${error.message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.schedulerTimer) clearInterval(this.schedulerTimer);
    this.schedulerTimer = null;
    await this.checkingSchedulers;
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
      const connection = this.connections.get(queue.name);
      if (connection) closeBullClient(connection);
    }
  }
}
