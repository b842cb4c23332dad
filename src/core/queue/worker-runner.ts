import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { hostname } from 'node:os';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { jobDuration } from '../metrics/metrics.js';
import { queuePrefix } from '../redis/redis.js';
import { jobContractProblems } from './job-contracts.js';
import { bullConnection, closeBullClient } from './queue.service.js';
import type { QueueName } from './queue-names.js';
import { QUEUE_PROCESSOR, type JobHandler, type QueueProcessorOptions } from './queue-processor.js';

/**
 * Worker process only: finds every @QueueProcessor provider, checks their handlers against the job contract
 * (start-up fails when a declared job has no handler or two, or a handler has no declared job) and runs a
 * BullMQ Worker for each, dispatching on the job's name.
 * On SIGTERM the workers stop taking jobs and wait for the active ones to finish; a job cut off
 * harder than that (kill -9) is found stalled by another worker and retried.
 */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerRunner');
  private readonly workers: Worker[] = [];
  private readonly connections: ConnectionOptions[] = [];
  private readonly completedListeners: Array<(queue: QueueName, job: Job) => void> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const processors: Array<{ name: string; instance: JobHandler; options: QueueProcessorOptions }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as JobHandler | undefined;
      if (!instance || !wrapper.metatype) continue;
      const options = Reflect.getMetadata(QUEUE_PROCESSOR, wrapper.metatype) as QueueProcessorOptions | undefined;
      if (options) processors.push({ name: wrapper.name, instance, options });
    }
    const problems = jobContractProblems(
      processors.map((p) => ({ name: p.name, queue: p.options.queue, jobs: Object.keys(p.instance.handlers ?? {}) })),
    );
    if (problems.length) throw new Error(`Queue job contract not met: ${problems.join('; ')}`);

    for (const { name, instance, options } of processors) {
      const handlers = instance.handlers as Record<string, (job: Job) => Promise<unknown>>;
      const dispatch = (job: Job) => {
        const handler = Object.hasOwn(handlers, job.name) ? handlers[job.name] : undefined;
        if (!handler) throw new UnrecoverableError(`Unknown ${options.queue} job ${job.name}`);
        return handler.call(instance, job);
      };
      for (let n = 0; n < (options.workers ?? 1); n++) {
        const connection = bullConnection(this.config, 'worker');
        this.connections.push(connection);
        const worker = new Worker(options.queue, dispatch, {
          connection,
          prefix: queuePrefix(this.config),
          // Recorded on each job it takes (job.processedBy): which process of the fleet ran or holds it.
          name: `${hostname()}:${process.pid}`,
          concurrency: options.concurrency ?? 1,
          lockDuration: options.lockDurationMs ?? 60_000,
          stalledInterval: 15_000,
          maxStalledCount: 3,
        });
        worker.on('error', (error) => this.logger.warn(`Worker ${options.queue}: ${error.message}`));
        worker.on('failed', (job, error) => {
          this.logger.warn(`Job ${options.queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`);
          if (job?.processedOn) jobDuration.observe({ queue: options.queue, name: job.name, result: 'failed' }, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
        });
        worker.on('completed', (job) => {
          for (const listener of this.completedListeners) listener(options.queue, job);
          if (job.processedOn) jobDuration.observe({ queue: options.queue, name: job.name, result: 'completed' }, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
        });
        this.workers.push(worker);
      }
      this.logger.log(`Processing queue "${options.queue}" with ${name}`);
    }
  }

  /** Runs before providers are destroyed, so handlers still have their database connection while finishing. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    this.connections.forEach(closeBullClient);
  }

  /** Calls `listener` after every job this process completes (e.g. to broadcast what changed). */
  onJobCompleted(listener: (queue: QueueName, job: Job) => void): void {
    this.completedListeners.push(listener);
  }

  /** The running workers (for health and tests). */
  get running(): readonly Worker[] {
    return this.workers;
  }
}
