import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { QueueName } from './queue-names.js';

export const QUEUE_PROCESSOR = Symbol('QUEUE_PROCESSOR');

export interface QueueProcessorOptions {
  queue: QueueName;
  concurrency?: number;
  /** How long a job's lock lives before another worker may take it over (BullMQ renews it while the job runs). */
  lockDurationMs?: number;
}

/** Marks a provider as the handler of one queue; WorkerRunner (worker process only) starts a BullMQ Worker for it. */
export const QueueProcessor = (options: QueueProcessorOptions) => SetMetadata(QUEUE_PROCESSOR, options);

export interface JobHandler {
  /** Dispatches on job.name. Throwing retries the job with backoff; throw UnrecoverableError for permanent failures. */
  process(job: Job): Promise<unknown>;
}
