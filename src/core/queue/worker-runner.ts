import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { jobContractProblems } from './job-contracts.js';
import { bullConnection } from './queue.service.js';
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
      const worker = new Worker(options.queue, dispatch, {
        connection: bullConnection(this.config, 'worker'),
        prefix: this.config.REDIS_PREFIX,
        concurrency: options.concurrency ?? 1,
        lockDuration: options.lockDurationMs ?? 60_000,
        stalledInterval: 15_000,
        maxStalledCount: 3,
      });
      worker.on('error', (error) => this.logger.warn(`Worker ${options.queue}: ${error.message}`));
      worker.on('failed', (job, error) =>
        this.logger.warn(`Job ${options.queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`),
      );
      this.workers.push(worker);
      this.logger.log(`Processing queue "${options.queue}" with ${name}`);
    }
  }

  /** Runs before providers are destroyed, so handlers still have their database connection while finishing. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
  }

  /** The running workers (for health and tests). */
  get running(): readonly Worker[] {
    return this.workers;
  }
}
