import { SetMetadata } from '@nestjs/common';
import type { JobHandlers } from './job-contracts.js';
import type { QueueName } from './queue-names.js';

export const QUEUE_PROCESSOR = Symbol('QUEUE_PROCESSOR');

export interface QueueProcessorOptions {
  queue: QueueName;
  concurrency?: number;
  /** How long a job's lock lives before another worker may take it over (BullMQ renews it while the job runs). */
  lockDurationMs?: number;
  /**
   * BullMQ Worker instances this process runs for the queue (default 1), each with its own connection and
   * `concurrency`: for a queue of many short jobs, where one Worker's round trips to Redis to take each job
   * would limit the rate.
   */
  workers?: number;
}

/** Marks a provider as the consumer of one queue; WorkerRunner (worker process only) starts a BullMQ Worker for it. */
export const QueueProcessor = (options: QueueProcessorOptions) => SetMetadata(QUEUE_PROCESSOR, options);

/**
 * A queue's consumer: one handler per job name of the queue's contract (job-contracts.ts), each typed with
 * its payload. Throwing retries the job with backoff; throw UnrecoverableError for permanent failures.
 */
export interface JobHandler<Q extends QueueName = QueueName> {
  readonly handlers: JobHandlers<Q>;
}
